#!/usr/bin/env bash
# Benchmark (issue 3): `cutover rehearse --strategy template` vs `--strategy dump` on one
# PostgreSQL database of a few hundred MB with a few pending migrations, in the same run, on
# the same server; as context, the plain tools each strategy runs: `createdb -T` and
# `createdb` + `pg_dump -Fc | pg_restore`. Not a test (never part of `swift test`); see
# Benchmarks/README.md, section "rehearse.sh".
#
#   bash Benchmarks/rehearse.sh                 # build (or reuse) the release binary, 3 timed runs
#   SCALE=500000 RUNS=5 bash Benchmarks/rehearse.sh
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/rehearse.sh
#
# Knobs: SCALE (rows in the big table, ~190 bytes each with its indexes; the default aims at
# about 400 MB, less on a machine with little memory or free disk), RUNS (default 3),
# WARMUP (discarded runs of every row first, default 1), KEEP_WORK=1 (keep the temporary
# folder), RESULTS_JSON=PATH (every sample, as JSON).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export RUNS=${RUNS:-3} WARMUP=${WARMUP:-1}

# --- 1. cutover, release build -------------------------------------------------------
bench_build_cutover
"$cutover" rehearse --help 2>/dev/null | grep -q -- "--strategy" || die "$cutover has no rehearse --strategy (rebuild it)"

# --- 2. a throw-away PostgreSQL cluster ------------------------------------------------
bench_find_pgbin
bench_make_work cutover-rehearse-bench
# The default scale: about 400 MB of data, but at most 1/8 of the memory and 1/10 of the free
# disk (every run writes two copies, and the WAL of each).
if [[ -z ${SCALE:-} ]]; then
    mem_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
    disk_mb=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
    size_mb=400
    (( mem_mb / 8 < size_mb )) && size_mb=$(( mem_mb / 8 ))
    (( disk_mb / 10 < size_mb )) && size_mb=$(( disk_mb / 10 ))
    SCALE=$(( size_mb * 1024 * 1024 / 190 ))
fi
export SCALE
(( SCALE >= 1000 )) || die "SCALE=$SCALE is too small (at least 1000 rows)"
# Default durability settings; more WAL room so that checkpoints do not land in a timed copy.
# Autovacuum off: a worker connected to the source would make the template copies refuse or wait.
bench_start_cluster -c max_wal_size=4GB -c autovacuum=off

# --- 3. generate, time, report ----------------------------------------------------------
say "cutover: $cutover"
BENCH_EVENTS_SCHEMA=$here/events_schema.sql BENCH_CUTOVER=$cutover BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PGPORT=$port BENCH_PGDATA=$pgdata \
    "$python" - <<'PY'
import json, os, platform, statistics, subprocess, sys, time

cutover, work, pgbin = os.environ["BENCH_CUTOVER"], os.environ["BENCH_WORK"], os.environ["BENCH_PGBIN"]
port, pgdata = os.environ["BENCH_PGPORT"], os.environ["BENCH_PGDATA"]
runs, warmup, scale = int(os.environ["RUNS"]), int(os.environ["WARMUP"]), int(os.environ["SCALE"])
env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=port, PGUSER="postgres")
env["PATH"] = pgbin + ":" + env.get("PATH", "")  # cutover finds this cluster's pg_dump/pg_restore first
env.pop("DATABASE_URL", None)


def say(text): print(text, file=sys.stderr, flush=True)


def run(command, **kwargs):
    result = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{tail}")
    return result


def psql(sql, db="bench"):
    return run([f"{pgbin}/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]).stdout.strip()


def databases():
    return sorted(psql("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'", db="postgres").split())


# --- the database: accounts (10,000 rows) and events (SCALE rows, 2 indexes, a foreign key)
say(f"generating {scale:,} rows …")
start = time.perf_counter()
psql("CREATE DATABASE bench", db="postgres")
psql(open(os.environ["BENCH_EVENTS_SCHEMA"]).read())
batch = 1_000_000
for first in range(1, scale + 1, batch):
    last = min(scale, first + batch - 1)
    psql(f"""
    INSERT INTO events
    SELECT g, 1 + g % 10000, (ARRAY['click', 'view', 'purchase', 'refund'])[1 + g % 4],
           md5(g::text) || md5((g * 7)::text), (g % 100000) / 100.0,
           timestamptz '2026-01-01' + g * interval '1 second'
    FROM generate_series({first}, {last}) g
    """)
    say(f"  {last:,} rows")
psql("CREATE INDEX events_account ON events (account_id)")
psql("VACUUM ANALYZE")
psql("CHECKPOINT", db="postgres")
database_mb = int(psql("SELECT pg_database_size('bench')")) / 1048576
table_mb = int(psql("SELECT pg_total_relation_size('events')")) / 1048576
say(f"database bench: {database_mb:,.0f} MB (events {table_mb:,.0f} MB with indexes), made in {time.perf_counter() - start:.0f} s")

# --- the project: one applied migration (the schema above) and three pending ones
os.makedirs(f"{work}/migrations")
pending = {
    "20260101000002_add_note.sql": "ALTER TABLE events ADD COLUMN note text;",
    "20260101000003_index_kind.sql": "CREATE INDEX events_kind ON events (kind);",
    "20260101000004_account_tier.sql": "ALTER TABLE accounts ADD COLUMN tier text NOT NULL DEFAULT 'free';\n"
                                       "CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id bigint REFERENCES events (id), at timestamptz NOT NULL DEFAULT now());",
}
# The schema made above, as the first migration, recorded as applied with `cutover baseline`
# (how an existing database is adopted): a replay of the migrations then gives the live
# schema, which the rehearsal's schema check compares the migrated clone with.
with open(f"{work}/migrations/20260101000001_baseline.sql", "w") as f:
    f.write("-- cutover:up\n" + open(os.environ["BENCH_EVENTS_SCHEMA"]).read() + "CREATE INDEX events_account ON events (account_id);\n")
url = f"postgres://postgres@127.0.0.1:{port}/bench?sslmode=disable"
with open(f"{work}/cutover.toml", "w") as f:
    f.write(f'migrations = "migrations"\ndefault_env = "bench"\n[backup]\nmode = "off"\n[env.bench]\nurl = "{url}"\n')
run([cutover, "--config", f"{work}/cutover.toml", "--quiet", "baseline", "--to", "20260101000001"], cwd=work)
for name, sql in pending.items():
    with open(f"{work}/migrations/{name}", "w") as f:
        f.write(f"-- cutover:up\n{sql}\n")
status = json.loads(run([cutover, "--config", f"{work}/cutover.toml", "status", "--json"], cwd=work).stdout)
states = [m["state"] for m in status["migrations"]]
assert states == ["applied", "pending", "pending", "pending"], states
before = databases()


# --- the timed operations; each returns (seconds, extra facts), leaves no database behind
def rehearse(strategy):
    def go():
        t = time.perf_counter()
        result = subprocess.run([cutover, "--config", f"{work}/cutover.toml", "rehearse", "--strategy", strategy, "--json"],
                                env=env, capture_output=True, text=True, cwd=work)
        elapsed = time.perf_counter() - t
        if result.returncode != 0:
            sys.exit(f"cutover rehearse --strategy {strategy} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        report = json.loads(result.stdout)
        ok = (report["ok"] and report["strategy"] == strategy and not report["kept"]
              and report["applied"] == [n.split("_")[0] for n in pending])
        if not ok:
            sys.exit(f"unexpected rehearsal report: {result.stdout}")
        return elapsed, {"clone_ms": report["clone_ms"], "apply_ms": report["duration_ms"]}
    return go


def createdb_template(strategy=None):
    def go():
        command = [f"{pgbin}/createdb", "-T", "bench"] + ([f"--strategy={strategy}"] if strategy else []) + ["copy"]
        t = time.perf_counter()
        run(command)
        elapsed = time.perf_counter() - t
        run([f"{pgbin}/dropdb", "copy"])
        return elapsed, {}
    return go


def dump_restore():
    t = time.perf_counter()
    run([f"{pgbin}/createdb", "-T", "template0", "copy"])
    dump = subprocess.Popen([f"{pgbin}/pg_dump", "-Fc", "bench"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    restore = subprocess.run([f"{pgbin}/pg_restore", "--exit-on-error", "--single-transaction", "-d", "copy"],
                             env=env, stdin=dump.stdout, capture_output=True, text=True)
    dump.stdout.close()
    dump_err = dump.stderr.read().decode()
    if dump.wait() != 0 or restore.returncode != 0:
        sys.exit(f"pg_dump | pg_restore failed: {dump_err}\n{restore.stderr}")
    elapsed = time.perf_counter() - t
    run([f"{pgbin}/dropdb", "copy"])
    return elapsed, {}


rows = {
    "cutover rehearse --strategy template": rehearse("template"),
    "cutover rehearse --strategy dump": rehearse("dump"),
    "createdb -T bench": createdb_template(),
    "createdb -T bench --strategy=FILE_COPY": createdb_template("FILE_COPY"),
    "createdb + pg_dump -Fc into pg_restore": dump_restore,
}
# Spot check (untimed): a plain template copy and a dump copy hold every row.
for label, make in (("template", [f"{pgbin}/createdb", "-T", "bench", "copy"]), ("dump", None)):
    if make:
        run(make)
    else:
        run([f"{pgbin}/createdb", "-T", "template0", "copy"])
        subprocess.run(f"'{pgbin}/pg_dump' -Fc bench | '{pgbin}/pg_restore' --exit-on-error --single-transaction -d copy",
                       shell=True, env=env, check=True)
    counted = int(psql("SELECT count(*) FROM events", db="copy"))
    run([f"{pgbin}/dropdb", "copy"])
    assert counted == scale, (label, counted)

samples = {name: [] for name in rows}
load_before = os.getloadavg()
started = time.time()
for i in range(warmup + runs):
    # Take turns; rotate who goes first, so a slow spell hits every row.
    order = list(rows.items())
    order = order[i % len(order):] + order[:i % len(order)]
    for name, go in order:
        psql("CHECKPOINT", db="postgres")  # no earlier run's dirty pages flushed in a timed one
        elapsed, extra = go()
        leftover = set(databases()) - set(before)
        if leftover:
            sys.exit(f"{name} left databases behind: {sorted(leftover)}")
        if i >= warmup:
            samples[name].append(dict(extra, seconds=elapsed))
        say(f"{'warm-up' if i < warmup else 'run'} {i + 1 - (0 if i < warmup else warmup)}: {name}: {elapsed:.2f} s {extra or ''}")
elapsed_total = time.time() - started


def median(name, key="seconds"):
    return statistics.median(s[key] for s in samples[name])


def uname():
    u = platform.uname()
    return f"{u.system} {u.release}"


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem_gb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1048576
fs = subprocess.run(["df", "-PT", work], capture_output=True, text=True).stdout.splitlines()[-1].split()[1]
print("== Cutover rehearsal benchmark: template vs dump ==")
print(f"date:        {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}")
print(f"machine:     {os.cpu_count()} CPUs ({cpu}), {mem_gb:.1f} GiB RAM, {uname()}, work dir on {fs}")
print(f"load avg:    {' '.join(f'{x:.2f}' for x in load_before)} before, {' '.join(f'{x:.2f}' for x in os.getloadavg())} after the {elapsed_total:.0f} s of timed runs (1/5/15 min; 2 or more on 2 CPUs = other work competing)")
print(f"cutover:     {run([cutover, '--version']).stdout.strip()} ({cutover})")
print(f"postgresql:  {psql('SELECT version()', db='postgres')}")
settings = psql("SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings "
                "WHERE name IN ('fsync', 'shared_buffers', 'max_wal_size', 'wal_level', 'synchronous_commit', 'full_page_writes', 'autovacuum')", db="postgres")
print(f"pg settings: {settings}")
print(f"database:    {scale:,} rows in events (+10,000 accounts), {database_mb:,.0f} MB on disk (events {table_mb:,.0f} MB with its 2 indexes)")
print("pending:     3 migrations: ADD COLUMN note; CREATE INDEX events_kind ON events (kind); ADD COLUMN tier NOT NULL DEFAULT + CREATE TABLE audit")
print()
print(f"Medians of {runs} runs ({warmup} warm-up discarded), wall-clock of one process (cutover: clone + apply + drop):")
print()
print(f"| {'operation':<40} | {'median':>8} | {'min':>8} | {'max':>8} | {'clone':>8} | {'apply':>8} |")
print(f"|{'-' * 42}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
for name in rows:
    secs = [s["seconds"] for s in samples[name]]
    clone = f"{median(name, 'clone_ms') / 1000:.2f} s" if "clone_ms" in samples[name][0] else "-"
    apply = f"{median(name, 'apply_ms') / 1000:.2f} s" if "apply_ms" in samples[name][0] else "-"
    print(f"| {name:<40} | {median(name):>6.2f} s | {min(secs):>6.2f} s | {max(secs):>6.2f} s | {clone:>8} | {apply:>8} |")
print()
t, d = "cutover rehearse --strategy template", "cutover rehearse --strategy dump"
print(f"rehearse dump / template (whole command):       {median(d) / median(t):.2f}x")
print(f"clone by dump / clone by template (cutover):    {median(d, 'clone_ms') / median(t, 'clone_ms'):.2f}x")
print(f"cutover template clone / createdb -T:           {median(t, 'clone_ms') / 1000 / median('createdb -T bench'):.2f}x")
print(f"cutover dump clone / createdb + pg_dump into pg_restore: {median(d, 'clone_ms') / 1000 / median('createdb + pg_dump -Fc into pg_restore'):.2f}x")
print(f"createdb -T FILE_COPY / WAL_LOG (default):      {median('createdb -T bench --strategy=FILE_COPY') / median('createdb -T bench'):.2f}x")
print()
print("All samples (seconds):")
for name in rows:
    print(f"  {name:<40} " + " ".join(f"{s['seconds']:.2f}" for s in samples[name]))
if os.environ.get("RESULTS_JSON"):
    with open(os.environ["RESULTS_JSON"], "w") as f:
        json.dump({"scale": scale, "database_mb": database_mb, "samples": samples}, f, indent=2)
PY
