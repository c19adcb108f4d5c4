#!/usr/bin/env bash
# Benchmark: `cutover backup` vs plain `pg_dump -Fc` on a PostgreSQL database of a few GB of
# rows, in the same run, on the same server. Not a test (never part of `swift test`); see
# Benchmarks/README.md. Target: cutover within 1.1x of pg_dump (it runs that same pg_dump,
# plus row counts in the dump's snapshot, a schema summary, SHA-256 of the file and the
# catalog).
#
#   bash Benchmarks/backup.sh                   # build (or reuse) the release binary, 1.5 GB of rows, 3 runs
#   SIZE_MB=4000 RUNS=5 bash Benchmarks/backup.sh
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/backup.sh
#
# Other knobs: WARMUP (discarded runs of each tool first, default 1), KEEP_WORK=1 (keep the
# temporary folder), RESULTS_JSON=PATH (every sample, as JSON).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export RUNS=${RUNS:-3} WARMUP=${WARMUP:-1} SIZE_MB=${SIZE_MB:-1500}

# --- 1. cutover, release build -------------------------------------------------------
bench_build_cutover

# --- 2. a throw-away PostgreSQL cluster, password authentication --------------------
bench_find_pgbin
bench_make_work cutover-backup-bench
password="bench-$("$python" -c 'import secrets; print(secrets.token_hex(8))')"
# Default durability settings; a little more shared memory than the default 128 MB.
BENCH_PASSWORD=$password bench_start_cluster -c shared_buffers=512MB -c max_wal_size=4GB

# --- 3. generate, time, report ----------------------------------------------------------
say "cutover: $cutover"
say "pg_dump: $pgbin/pg_dump ($("$pgbin/pg_dump" --version))"
BENCH_EVENTS_SCHEMA=$here/events_schema.sql BENCH_CUTOVER=$cutover BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PORT=$port BENCH_PASSWORD=$password \
    "$python" - <<'PY'
import json, os, statistics, subprocess, sys, time

cutover = os.environ["BENCH_CUTOVER"]
work = os.environ["BENCH_WORK"]
pgbin = os.environ["BENCH_PGBIN"]
port = os.environ["BENCH_PORT"]
password = os.environ["BENCH_PASSWORD"]
runs, warmup, size_mb = int(os.environ["RUNS"]), int(os.environ["WARMUP"]), int(os.environ["SIZE_MB"])
env = dict(os.environ, PGPASSWORD=password, PGHOST="127.0.0.1", PGPORT=port, PGUSER="postgres")
# The pg_dump of this cluster's version comes first on PATH, so both tools run the same one.
env["PATH"] = pgbin + ":" + env.get("PATH", "")
env.pop("DATABASE_URL", None)

def say(text): print(text, file=sys.stderr, flush=True)

def psql(sql, db="bench"):
    return subprocess.run([f"{pgbin}/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                          env=env, check=True, capture_output=True, text=True).stdout.strip()

# Rows: ~150 bytes each, in batches of one million until the table reaches SIZE_MB.
psql("CREATE DATABASE bench", db="postgres")
psql(open(os.environ["BENCH_EVENTS_SCHEMA"]).read())
psql("CREATE INDEX events_account ON events (account_id)")
start = time.perf_counter()
batch, rows = 1_000_000, 0
while True:
    size = int(psql("SELECT pg_relation_size('events')"))
    if size >= size_mb * 1024 * 1024:
        break
    psql(f"""
    INSERT INTO events
    SELECT g, 1 + g % 10000, (ARRAY['click', 'view', 'purchase', 'refund'])[1 + g % 4],
           md5(g::text) || md5((g * 7)::text), (g % 100000) / 100.0,
           timestamptz '2026-01-01' + g * interval '1 second'
    FROM generate_series({rows + 1}, {rows + batch}) g
    """)
    rows += batch
    say(f"  generated {rows:,} rows ({size / 1048576:,.0f} MB so far)")
psql("VACUUM ANALYZE")
table_mb = int(psql("SELECT pg_relation_size('events')")) / 1048576
database_mb = int(psql("SELECT pg_database_size('bench')")) / 1048576
say(f"generated {rows:,} rows: events {table_mb:,.0f} MB, database {database_mb:,.0f} MB with indexes, in {time.perf_counter() - start:.0f} s")

url = f"postgres://postgres:{password}@127.0.0.1:{port}/bench?sslmode=disable"
with open(f"{work}/cutover.toml", "w") as f:
    f.write(f'default_env = "bench"\n[backup]\nmode = "off"\ndir = "{work}/backups"\n[env.bench]\nurl = "{url}"\n')
os.makedirs(f"{work}/migrations", exist_ok=True)

def run_pg_dump():
    out = f"{work}/plain.dump"
    t = time.perf_counter()
    subprocess.run([f"{pgbin}/pg_dump", "-Fc", "-f", out, "bench"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    size = os.path.getsize(out)
    os.remove(out)
    return elapsed, size, None

def run_cutover():
    t = time.perf_counter()
    result = subprocess.run([cutover, "--config", f"{work}/cutover.toml", "backup", "--json"], env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if result.returncode != 0:
        sys.exit(f"cutover backup failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    if password in result.stdout or password in result.stderr:
        sys.exit("cutover printed the password")
    backup = json.loads(result.stdout)["backup"]
    subprocess.run(["rm", "-rf", f"{work}/backups"], check=True)
    return elapsed, backup["size_bytes"], backup

tools = {"pg_dump -Fc": run_pg_dump, "cutover backup": run_cutover}
samples = {name: [] for name in tools}
for i in range(warmup):
    for name, run in tools.items():
        say(f"warm-up {i + 1}/{warmup}: {name} …")
        run()
for i in range(runs):
    # Take turns, and swap who goes first each run, so a slow spell hits both.
    order = list(tools.items()) if i % 2 == 0 else list(reversed(tools.items()))
    for name, run in order:
        elapsed, size, backup = run()
        samples[name].append({"seconds": elapsed, "bytes": size, "backup": backup})
        say(f"run {i + 1}/{runs}: {name}: {elapsed:.2f} s, {size / 1048576:,.1f} MB")

median = {name: statistics.median(s["seconds"] for s in values) for name, values in samples.items()}
ratio = median["cutover backup"] / median["pg_dump -Fc"]
last = samples["cutover backup"][-1]["backup"]
print()
print(f"backup of {rows:,} rows (events table {table_mb:,.0f} MB, database {database_mb:,.0f} MB), median of {runs} runs")
print(f"{'tool':<16} {'median s':>9} {'min s':>8} {'max s':>8} {'file MB':>9}")
for name, values in samples.items():
    secs = [s["seconds"] for s in values]
    print(f"{name:<16} {median[name]:>9.2f} {min(secs):>8.2f} {max(secs):>8.2f} {values[-1]['bytes'] / 1048576:>9.1f}")
print(f"ratio cutover / pg_dump: {ratio:.3f}x (target <= 1.10x: {'met' if ratio <= 1.10 else 'MISSED'})")
print(f"cutover's last backup: {last['tables']} tables, {last['rows']:,} rows counted in the snapshot, "
      f"sha256 {last['sha256'][:16]}…, recorded duration {last['duration_ms']} ms")
if os.environ.get("RESULTS_JSON"):
    with open(os.environ["RESULTS_JSON"], "w") as f:
        json.dump({"rows": rows, "table_mb": table_mb, "database_mb": database_mb, "samples": samples,
                   "median": median, "ratio": ratio}, f, indent=2)
PY
