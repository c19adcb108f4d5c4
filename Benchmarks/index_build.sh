#!/usr/bin/env bash
# Benchmark: what one `CREATE INDEX CONCURRENTLY` costs an application that keeps the cores
# busy. Not a test; see Benchmarks/README.md, section "index_build.sh".
#
#   bash Benchmarks/index_build.sh            # ROWS=2000000 CLIENTS=4 ROUNDS=2
#   APP_OPTIONS="-c synchronous_commit=off" VARIANTS=plain bash Benchmarks/index_build.sh
#
# pgbench runs the read/write script of expand_contract.sh on ROWS rows; after 6 s the index
# of expand_contract.sh's change (accounts.note) is built concurrently, in turn:
#   plain        the statement as pgroll, reshape or strong_migrations run it (psql)
#   memory       the same with maintenance_work_mem = 512MB (the sort stays in memory)
#   nice         the same with the building backend's CPU priority lowered (`renice 19`,
#                only possible here because the server is local: no SQL can do it)
# and for each build: its duration, the application's transactions during it and its worst
# whole second (counted from the build's start, as expand_contract.sh counts), and the worst
# one-second window anywhere in the build, all as fractions of the tps before it.
# VARIANTS picks some of them; APP_OPTIONS is given to pgbench's sessions (PGOPTIONS), e.g. to
# see how much of the cost is the application's synchronous commits flushing the build's WAL.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rows=${ROWS:-2000000} clients=${CLIENTS:-4} rounds=${ROUNDS:-2}

bench_start_pgbench_cluster cutover-index-bench

"${psql[@]}" -d postgres -c "CREATE DATABASE load"
"${psql[@]}" -d load -c "CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL, note text NOT NULL)" \
    -c "INSERT INTO accounts SELECT g, g % 1000, md5(g::text) FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE accounts"
printf '\\set id random(1, %s)\nBEGIN;\nSELECT balance FROM accounts WHERE id = :id;\nUPDATE accounts SET balance = balance + 1 WHERE id = :id;\nCOMMIT;\n' "$rows" >"$work/readwrite.sql"
chmod 644 "$work/readwrite.sql"

# Builds the index once with the settings of variant $1 while pgbench runs; prints one line.
build_under_load() {
    local variant=$1 round=$2 logs=$work/log-$1-$2
    "${psql[@]}" -d load -c "DROP INDEX IF EXISTS accounts_note_idx" -c "CHECKPOINT"
    mkdir -p "$logs"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$logs"; fi
    (cd "$logs" && PGOPTIONS="${APP_OPTIONS:-}" as_postgres "$pgbin/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c "$clients" -j 2 -T 16 \
        -f "$work/readwrite.sql" -l load >/dev/null 2>&1) &
    local bench=$!
    sleep 6
    local script="SET max_parallel_maintenance_workers = 0;"
    case $variant in
        memory) script+=$'\nSET maintenance_work_mem = \'512MB\';' ;;
        nice) script+=$'\nSELECT pg_backend_pid() AS pid \\gset\n\\setenv BUILDER :pid\n\\! renice -n 19 -p $BUILDER >/dev/null' ;;
    esac
    script+=$'\nSELECT extract(epoch FROM clock_timestamp()) AS began \\gset\n\\setenv BEGAN :began'
    script+=$'\nCREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note);'
    script+=$'\nSELECT extract(epoch FROM clock_timestamp()) AS ended \\gset\n\\! echo $BEGAN > '"$logs/build"$'\n\\echo :ended'
    local ended
    ended=$("${psql[@]}" -d load -At <<<"$script")
    wait "$bench"
    "$python" - "$logs" "$(cat "$logs/build")" "$ended" "$variant" <<'PY'
import os, sys
logs, began, ended, variant = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ends = []
for name in os.listdir(logs):
    if name.startswith("pgbench_log"):
        for line in open(f"{logs}/{name}"):
            parts = line.split()
            ends.append(int(parts[4]) + int(parts[5]) / 1e6)
before = sum(1 for e in ends if began - 5 <= e < began - 1) / 4
count = lambda a, b: sum(1 for e in ends if a <= e < b)
seconds = [count(began + k, began + k + 1) / before for k in range(int(ended - began) + 1)]
windows = [count(began - 1 + k / 10, began + k / 10) / before for k in range(int((ended - began + 1) * 10) + 1)]
print(f"{variant:6} build {ended - began:4.2f} s | before {before:5.0f} tps | during {count(began, ended) / (ended - began) / before:4.2f}"
      f" | whole seconds {' '.join(f'{s:.2f}' for s in seconds)} | worst 1-s window {min(windows):.2f}")
PY
}

say "pgbench $clients clients on $rows rows; each build starts 6 s into 16 s of load"
for round in $(seq 1 "$rounds"); do
    for variant in ${VARIANTS:-plain memory nice}; do
        build_under_load "$variant" "$round"
    done
done
