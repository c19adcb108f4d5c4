#!/usr/bin/env bash
# Control for expand_contract.sh: the application's latency while a plain batched writer that
# is not Cutover writes WAL at least as fast as a backfill does. Not a test; see
# Benchmarks/README.md ("Rerun on 2026-12-07, session 4").
#
#   bash Benchmarks/writer_control.sh     # SECONDS_RUN=200 BATCH=1500 PAUSE=0.1 MODES="alone writer"
#
# pgbench runs expand_contract.sh's read/write script (4 clients) on accounts (2,000,000 rows)
# for SECONDS_RUN seconds, once alone and once while a server-side loop updates BATCH rows of
# another 2,000,000-row table in key order (`SET v = v + 1`, no index on v), commits, and
# sleeps PAUSE seconds. Prints the WAL written per second, the max latency, the five slowest
# transactions and the lowest second against the median second.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
seconds=${SECONDS_RUN:-200} batch=${BATCH:-1500} pause=${PAUSE:-0.1}

bench_start_pgbench_cluster cutover-writer-bench

"${psql[@]}" -d postgres -c "CREATE DATABASE load"
"${psql[@]}" -d load \
    -c "CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL, note text NOT NULL)" \
    -c "INSERT INTO accounts SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 2000000) g" \
    -c "CREATE TABLE filler (id bigint PRIMARY KEY, v integer NOT NULL, note text NOT NULL)" \
    -c "INSERT INTO filler SELECT g, 0, md5(g::text) FROM generate_series(1, 2000000) g" \
    -c "VACUUM ANALYZE accounts" -c "VACUUM ANALYZE filler" \
    -c "CREATE PROCEDURE writer(batch int, pause float) LANGUAGE plpgsql AS \$\$
        DECLARE last bigint := 0;
        BEGIN
          LOOP
            UPDATE filler SET v = v + 1 WHERE id > last AND id <= last + batch;
            last := CASE WHEN last + batch >= 2000000 THEN 0 ELSE last + batch END;
            COMMIT;
            PERFORM pg_sleep(pause);
          END LOOP;
        END \$\$"
printf '\\set id random(1, 2000000)\nBEGIN;\nSELECT balance FROM accounts WHERE id = :id;\nUPDATE accounts SET balance = balance + 1 WHERE id = :id;\nCOMMIT;\n' >"$work/readwrite.sql"
chmod 644 "$work/readwrite.sql"

wal_position() { "${psql[@]}" -d load -Atc "SELECT pg_current_wal_lsn() - '0/0'"; }

for mode in ${MODES:-alone writer}; do
    logs=$work/log-$mode
    mkdir -p "$logs"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$logs"; fi
    writer=""
    if [[ $mode == writer ]]; then
        "${psql[@]}" -d load -c "CALL writer($batch, $pause)" >/dev/null 2>&1 &
        writer=$!
    fi
    before=$(wal_position)
    (cd "$logs" && as_postgres "$pgbin/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c 4 -j 2 -T "$seconds" \
        -f "$work/readwrite.sql" -l load >/dev/null 2>&1)
    after=$(wal_position)
    if [[ -n $writer ]]; then
        "${psql[@]}" -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CALL writer%'" >/dev/null
        wait "$writer" || true
    fi
    "$python" - "$logs" "$before" "$after" "$seconds" "$mode" <<'PY'
import os, sys
logs, before, after, seconds, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
latencies, per_second = [], {}
for name in os.listdir(logs):
    if name.startswith("pgbench_log"):
        for line in open(f"{logs}/{name}"):
            parts = line.split()
            latencies.append(int(parts[2]) / 1000)
            per_second[int(parts[4])] = per_second.get(int(parts[4]), 0) + 1
latencies.sort()
counts = sorted(per_second.values())[1:-1]  # the first and last seconds are partial
print(f"{mode:6}: WAL {(after - before) / 1e6 / seconds:4.1f} MB/s | max latency {latencies[-1]:5.0f} ms | "
      f"five slowest {[round(x) for x in latencies[-5:]]} ms | lowest / median second {counts[0] / counts[len(counts) // 2]:.2f}")
PY
done
