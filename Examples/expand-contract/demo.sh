#!/usr/bin/env bash
# Expand/contract under load, end to end, on a throw-away PostgreSQL cluster:
#
#   bash Examples/expand-contract/demo.sh            # 1,000,000 rows
#   ROWS=100000 CUTOVER_BIN=path/to/cutover bash Examples/expand-contract/demo.sh
#
# 1. `accounts` (id, name, balance integer) with ROWS rows.
# 2. The old application version (pgbench, search_path public) adds 1 to a random account's
#    balance, by name and id, in a loop.
# 3. `cutover start 2`: rename name -> owner, balance -> bigint, a NOT NULL tier, an index.
# 4. The new version (pgbench, search_path public_2, public) starts beside the old one, adding 1
#    to balances through its own names; then the old version stops (its nodes are drained).
# 5. `cutover complete 2` while the new version runs.
# 6. Checks: no failed transaction in either version, the final shape, every row converted, and
#    no lost write: the sum of the balances equals the initial sum plus the number of committed
#    increments of both versions.
set -euo pipefail
demo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$demo_dir/../../Benchmarks/lib.sh"
ROWS=${ROWS:-1000000} CLIENTS=${CLIENTS:-2} SETTLE=${SETTLE:-5}

bench_build_cutover
bench_find_pgbin
bench_make_work cutover-demo
bench_start_cluster
if [[ $(id -u) -eq 0 ]]; then chown postgres "$work"; fi
psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE demo"

cp -r "$demo_dir/migrations" "$work/migrations"
cat >"$work/cutover.toml" <<TOML
migrations = "migrations"
default_env = "demo"

[env.demo]
url = "postgres://postgres@127.0.0.1:$port/demo?sslmode=disable"
TOML
mv "$work/migrations/2_reshape_accounts.yaml" "$work/2_reshape_accounts.yaml"
"$cutover" --config "$work/cutover.toml" --quiet migrate
"${psql[@]}" -d demo -c "INSERT INTO accounts SELECT g, 'owner ' || g, g % 1000 FROM generate_series(1, $ROWS) g"
"${psql[@]}" -d demo -c "VACUUM ANALYZE accounts"
mv "$work/2_reshape_accounts.yaml" "$work/migrations/"
initial=$("${psql[@]}" -d demo -At -c "SELECT sum(balance) FROM accounts")

printf '\\set id random(1, %d)\nUPDATE accounts SET balance = balance + 1 WHERE id = :id AND name = '"'"'owner '"'"' || :id;\n' "$ROWS" >"$work/old.sql"
printf '\\set id random(1, %d)\nSET search_path TO public_2, public;\nUPDATE accounts SET balance = balance + 1 WHERE id = :id AND owner = '"'"'owner '"'"' || :id;\n' "$ROWS" >"$work/new.sql"
chmod 644 "$work/old.sql" "$work/new.sql"

# Runs pgbench in 5-second rounds until $work/stop-$1 exists; sums committed and failed
# transactions into $work/$1.counts.
clients() {
    local version=$1 committed=0 failed=0 out
    while [[ ! -e $work/stop-$version ]]; do
        out=$(cd "$work" && as_postgres "$pgbin/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c "$CLIENTS" -j 1 -T 5 -f "$work/$version.sql" demo 2>&1) || { echo "$out" >&2; failed=$((failed + 1)); }
        local done_now failed_now
        done_now=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
        failed_now=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out" | head -1)
        committed=$((committed + ${done_now:-0}))
        failed=$((failed + ${failed_now:-0}))
    done
    echo "$committed $failed" >"$work/$version.counts"
}

say "old version running ($CLIENTS clients)"
clients old & old_pid=$!
sleep "$SETTLE"
say "cutover start 2"
"$cutover" --config "$work/cutover.toml" start 2
say "new version running beside the old one"
clients new & new_pid=$!
sleep "$SETTLE"
touch "$work/stop-old"; wait "$old_pid"
say "old version drained; cutover complete 2"
"$cutover" --config "$work/cutover.toml" complete 2
sleep "$SETTLE"
touch "$work/stop-new"; wait "$new_pid"

read -r old_committed old_failed <"$work/old.counts"
read -r new_committed new_failed <"$work/new.counts"
final=$("${psql[@]}" -d demo -At -c "SELECT sum(balance) FROM accounts")
columns=$("${psql[@]}" -d demo -At -c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped")
wrong_tier=$("${psql[@]}" -d demo -At -c "SELECT count(*) FROM accounts WHERE tier IS NULL OR tier NOT IN ('basic', 'gold')")
expected=$((initial + old_committed + new_committed))
say ""
say "old version: $old_committed increments committed, $old_failed failed"
say "new version: $new_committed increments committed, $new_failed failed"
say "final shape: $columns"
say "sum of balances: $final (initial $initial + increments $((old_committed + new_committed)) = $expected)"
say "rows without a tier: $wrong_tier"
[[ $old_failed -eq 0 && $new_failed -eq 0 ]] || die "some transactions failed"
[[ $final -eq $expected ]] || die "writes were lost: the sum is $final, not $expected"
[[ $wrong_tier -eq 0 ]] || die "$wrong_tier rows were not converted"
[[ $columns == "id bigint, owner text, balance bigint, tier text" ]] || die "unexpected final shape: $columns"
say "OK: no failed query, no lost write, every row converted"
