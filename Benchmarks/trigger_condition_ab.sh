#!/usr/bin/env bash
# A/B of the dual-write trigger's first lines (issue 14), each in a BEFORE UPDATE trigger on
# 500,000 rows; four interleaved rounds of one UPDATE of the whole table. Not a test. Needs
# PostgreSQL 15 (Debian paths) and root.
#   bash Benchmarks/trigger_condition_ab.sh           # version test: 'old' = the session's first
#                                                     # search_path schema = 'public_N'; 'new' = its
#                                                     # id, numerically >= N (serves later versions)
#   AB=skip bash Benchmarks/trigger_condition_ab.sh   # 'old' = today's version test; 'new' = the same
#                                                     # after the line that skips another migration's
#                                                     # backfill (current_setting('cutover.backfill'))
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
D=$(mktemp -d /tmp/trig-ab.XXXX); chown postgres "$D"
runuser -u postgres -- $BIN/initdb -D "$D/pg" >/dev/null
runuser -u postgres -- $BIN/pg_ctl -D "$D/pg" -o "-p 55439 -k /tmp -c listen_addresses=''" -w start >/dev/null
P="runuser -u postgres -- psql -h /tmp -p 55439 -q -X -v ON_ERROR_STOP=1"
AB=${AB:-version}
for v in old new; do
  SKIP=""
  if [ "$AB" = version ] && [ $v = old ]; then COND="btrim(split_part(current_setting('search_path'), ',', 1), ' \"') = 'public_20261201120000'"; DECL=""
  else DECL="_cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' \"');"
       COND="(CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+\$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END)"
       if [ "$AB" = skip ] && [ $v = new ]; then SKIP="IF coalesce(current_setting('cutover.backfill', true), '') NOT IN ('', '20261201120000') THEN RETURN NEW; END IF;"; fi; fi
  $P <<SQL
CREATE TABLE t_$v (id bigint PRIMARY KEY, price integer, shadow bigint);
INSERT INTO t_$v SELECT g, g % 1000, NULL FROM generate_series(1, 500000) g;
CREATE FUNCTION f_$v() RETURNS trigger LANGUAGE plpgsql AS \$f\$
DECLARE
  $DECL
  "price" integer := NEW.price;
BEGIN
  $SKIP
  IF NOT ($COND) THEN NEW.shadow := price::bigint; END IF;
  RETURN NEW;
END \$f\$;
CREATE TRIGGER tr BEFORE UPDATE ON t_$v FOR EACH ROW EXECUTE FUNCTION f_$v();
VACUUM ANALYZE t_$v;
SQL
done
for round in 1 2 3 4; do
  for v in old new; do
    ms=$($P -c "\\timing on" -c "UPDATE t_$v SET price = price" 2>&1 | grep -o 'Time: [0-9.]*' | grep -o '[0-9.]*')
    echo "round $round $v ${ms} ms"
    $P -c "VACUUM t_$v" >/dev/null
  done
done
runuser -u postgres -- $BIN/pg_ctl -D "$D/pg" -m fast stop >/dev/null; rm -rf "$D"
