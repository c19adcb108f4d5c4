#!/usr/bin/env bash
# Benchmark: zero-downtime expand/contract under load. Not a test (never part of `swift test`);
# see Benchmarks/README.md, section "expand_contract.sh".
#
#   bash Benchmarks/expand_contract.sh                 # build (or reuse) the release binary
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/expand_contract.sh
#
# Knobs: ROWS (pgbench table, default 2000000), BACKFILL_ROWS (backfill-rate table, default
# 1000000), CLIENTS (pgbench clients, default 4), SETTLE (seconds of load before and after the
# change, default 5), KEEP_WORK=1.
#
# SKIP_RATE=1 skips part 1 (and the summary tables; the per-run lines on stderr stay).
# START_ARGS="--batch-time 25ms" passes options to part 2's `cutover start`.
# CONTROL=N adds a row for N seconds of pgbench with no change running (the machine's own
# slowest seconds and transactions, to tell them from the change's).
#
# 1. Backfill rate, nothing else running: `cutover backfill` against the floor (one UPDATE of
#    the whole table through the same triggers) and a pgroll-like loop (batches of 1,000 rows on
#    the key, no delay, one transaction each: pgroll's defaults), on the same data. Each then
#    builds the new index on the filled table, as `cutover backfill` does: the times include it.
# 2. pgbench (a read/write script on ROWS rows) while the same change runs (a) as naive DDL
#    (ADD COLUMN … NOT NULL DEFAULT, CREATE INDEX, ALTER COLUMN TYPE bigint) and (b) through
#    `cutover start` + `cutover complete`: seconds at 0 tps, failed transactions, max and p99
#    latency, and the lowest one-second tps as a fraction of the baseline.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export ROWS=${ROWS:-2000000} BACKFILL_ROWS=${BACKFILL_ROWS:-1000000} CLIENTS=${CLIENTS:-4} SETTLE=${SETTLE:-5} CONTROL=${CONTROL:-0}

bench_build_cutover
# Checkpoints and autovacuum runs go to the server log, to place slow seconds against them.
bench_start_pgbench_cluster cutover-ec-bench -c log_checkpoints=on -c log_autovacuum_min_duration=0

say "cutover: $cutover"
BENCH_CUTOVER=$cutover BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PGPORT=$port BENCH_PGDATA=$pgdata "$python" - <<'PY'
"""Runs the three measurements and prints the figures."""
import os
import re
import statistics
import subprocess
import sys
import threading
import time

cutover, work, pgbin, port = os.environ["BENCH_CUTOVER"], os.environ["BENCH_WORK"], os.environ["BENCH_PGBIN"], os.environ["BENCH_PGPORT"]
rows, backfill_rows = int(os.environ["ROWS"]), int(os.environ["BACKFILL_ROWS"])
clients, settle, control = int(os.environ["CLIENTS"]), int(os.environ["SETTLE"]), int(os.environ["CONTROL"])
as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def say(text):
    print(text, file=sys.stderr, flush=True)


def psql(database, sql):
    subprocess.run([f"{pgbin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def psql_value(database, sql):
    """The one value `sql` returns, as text."""
    return subprocess.run([f"{pgbin}/psql", "-X", "-At", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def timed_psql(database, sql):
    start = time.perf_counter()
    psql(database, sql)
    return time.perf_counter() - start


def fresh(database, table_rows, index=False):
    """A new database with accounts(id, balance integer, note text) of table_rows rows."""
    psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql("postgres", f"CREATE DATABASE {database}")
    psql(database, f"""
        CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL, note text NOT NULL);
        INSERT INTO accounts SELECT g, g % 1000, md5(g::text) FROM generate_series(1, {table_rows}) g;""")
    psql(database, "VACUUM ANALYZE accounts")


def project(name, database):
    """A cutover project whose migration 1 is the table (baselined) and 2 the change."""
    folder = f"{work}/{name}"
    os.makedirs(f"{folder}/migrations", exist_ok=True)
    with open(f"{folder}/cutover.toml", "w") as f:
        f.write(f'migrations = "migrations"\ndefault_env = "bench"\n[safety]\nlock_timeout = "2s"\n[env.bench]\nurl = "postgres://postgres@127.0.0.1:{port}/{database}?sslmode=disable"\n')
    with open(f"{folder}/migrations/1_accounts.sql", "w") as f:
        f.write("-- cutover:up\nCREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL, note text NOT NULL);\n-- cutover:down\nDROP TABLE accounts;\n")
    run_cutover(folder, "baseline", "--to", "1")
    with open(f"{folder}/migrations/2_change.yaml", "w") as f:
        f.write("""operations:
  - add_column:
      table: accounts
      column: { name: flag, type: text, nullable: false, default: "'x'" }
      up: "'x'"
  - create_index: { name: accounts_note_idx, table: accounts, columns: [note] }
  - alter_column:
      table: accounts
      column: balance
      type: bigint
      up: "balance::bigint"
      down: "balance::integer"
""")
    return folder


def run_cutover_timed(folder, *arguments):
    """Runs cutover with its progress on stderr; returns (seconds, [(epoch, line)]) with the
    time each progress line was read."""
    start = time.perf_counter()
    child = subprocess.Popen([cutover, "--config", f"{folder}/cutover.toml", *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = [(time.time(), line.rstrip()) for line in child.stderr]
    if child.wait() != 0:
        say("\n".join(line for _, line in lines[-20:]))
        raise SystemExit(f"cutover {' '.join(arguments)} failed with {child.returncode}")
    return time.perf_counter() - start, lines


def run_cutover(folder, *arguments):
    start = time.perf_counter()
    result = subprocess.run([cutover, "--config", f"{folder}/cutover.toml", "--quiet", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        say(result.stderr)
        raise SystemExit(f"cutover {' '.join(arguments)} failed with {result.returncode}")
    return time.perf_counter() - start


# --- 1. backfill rate ----------------------------------------------------------------------
say(f"backfill rate on {backfill_rows:,} rows (nothing else running)")
rates = {}
for variant in ([] if os.environ.get("SKIP_RATE") == "1" else ["floor", "pgroll-like", "cutover"]):
    fresh("bf", backfill_rows)
    folder = project(f"bf-{variant}", "bf")
    run_cutover(folder, "start", "2", "--no-backfill")
    if variant == "floor":
        seconds = timed_psql("bf", "UPDATE accounts SET _cutover_needs_backfill_2 = false WHERE _cutover_needs_backfill_2")
    elif variant == "pgroll-like":
        psql("bf", """
            CREATE PROCEDURE pgroll_like_backfill() LANGUAGE plpgsql AS $$
            DECLARE last bigint := 0; top bigint;
            BEGIN
              LOOP
                SELECT max(id) INTO top FROM (SELECT id FROM accounts WHERE id > last ORDER BY id LIMIT 1000) b;
                EXIT WHEN top IS NULL;
                UPDATE accounts SET _cutover_needs_backfill_2 = false WHERE id > last AND id <= top AND _cutover_needs_backfill_2;
                last := top;
                COMMIT;
              END LOOP;
            END $$""")
        seconds = timed_psql("bf", "CALL pgroll_like_backfill()")
    if variant != "cutover":
        # `cutover backfill` builds the plain index on the table after filling it (the order
        # `start` plans): the others do the same work, timed the same way.
        seconds += timed_psql("bf", "CREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note)")
    else:
        seconds = run_cutover(folder, "backfill", "2", "--no-throttle", *os.environ.get("BACKFILL_ARGS", "").split())
    left = psql_value("bf", "SELECT count(*) FROM accounts WHERE _cutover_needs_backfill_2 OR _cutover_new_balance IS NULL")
    if left != "0":
        raise SystemExit(f"{variant} left {left} rows unconverted")
    rates[variant] = backfill_rows / seconds
    say(f"  {variant:12} {seconds:6.2f} s  {rates[variant]:10,.0f} rows/s")


# --- 2. pgbench during the change ----------------------------------------------------------
script = f"{work}/readwrite.sql"
with open(script, "w") as f:
    f.write(f"\\set id random(1, {rows})\nBEGIN;\nSELECT balance FROM accounts WHERE id = :id;\nUPDATE accounts SET balance = balance + 1 WHERE id = :id;\nCOMMIT;\n")


# pgbench runs in rounds of this many seconds until the change is done (its log is complete
# only when it ends by itself).
round_seconds = int(os.environ.get("ROUND", "20"))


def pgbench(database, seconds, tag, until=None):
    """Runs pgbench for `seconds` (or, with `until`, in 5-second rounds until the event is set
    and `seconds` more: every round writes its whole log); returns the per-transaction log's
    (epoch seconds, latency ms), the failed transactions and the last run."""
    logs = f"{work}/log-{tag}"
    os.makedirs(logs, exist_ok=True)
    if os.getuid() == 0:
        subprocess.run(["chown", "postgres", logs], check=True)
    failed, round_number, result = 0, 0, None
    while True:
        round_number += 1
        last = until is None or until.is_set()
        length = seconds if last else round_seconds
        result = subprocess.run(
            [*as_postgres, f"{pgbin}/pgbench", "-n", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-c", str(clients), "-j", str(min(clients, 2)),
             "-T", str(length), "-f", script, "-l", "--log-prefix", f"{logs}/tx{round_number}", database], capture_output=True, text=True, cwd=logs)
        for line in result.stdout.splitlines():
            if line.startswith("number of failed transactions:"):
                failed += int(line.split(":")[1].split()[0])
        if result.returncode != 0 or "aborted" in result.stderr:
            failed += clients
        if last:
            break
    samples, spans = [], {}
    for name in os.listdir(logs):
        round_of_file = int(name[2:].split(".")[0])
        with open(f"{logs}/{name}") as f:
            for line in f:
                parts = line.split()
                # client_id transaction_no time script_no time_epoch time_us
                if len(parts) >= 6 and parts[2].isdigit():
                    end, latency = int(parts[4]) + int(parts[5]) / 1e6, int(parts[2]) / 1000.0
                    samples.append((end, latency))
                    first, last = spans.get(round_of_file, (end - latency / 1000, end))
                    spans[round_of_file] = (min(first, end - latency / 1000), max(last, end))
    # Between two rounds pgbench exits and starts again (a new process, new connections): no
    # transaction runs then, whatever the change does. These gaps are reported apart.
    ordered = [spans[k] for k in sorted(spans)]
    gaps = [(ordered[i][1], ordered[i + 1][0]) for i in range(len(ordered) - 1)]
    return samples, failed, result, gaps


def analyse(samples, window, baseline, gaps=()):
    """Figures over `window` (start, end epoch seconds). A second that overlaps a gap between
    two pgbench rounds (`gaps`) is the benchmark's own restart, counted apart."""
    start, end = window
    # Whole seconds counted from the start of the change (a bucket cut by the start would
    # look like a slow second).
    whole = max(int(end - start), 1)
    inside = [s for s in samples if start <= s[0] < start + whole]
    per_second = {}
    for t, _ in inside:
        per_second[int(t - start)] = per_second.get(int(t - start), 0) + 1
    counts = [per_second.get(s, 0) for s in range(whole)]
    latencies = sorted(l for _, l in inside)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0
    restarting = {s for s in range(whole) for a, b in gaps if a < start + s + 1 and b > start + s}
    say("    tps per second (* pgbench restarting between rounds): " + " ".join(f"{c}{'*' if s in restarting else ''}" for s, c in enumerate(counts)))
    measured = [c for s, c in enumerate(counts) if s not in restarting] or counts
    return {
        "zero_tps_seconds": sum(1 for c in counts if c == 0),
        "max_ms": latencies[-1] if latencies else 0, "p99_ms": p99,
        "lowest_fraction": (min(measured) / baseline) if measured and baseline else 0,
        "median_fraction": (statistics.median(measured) / baseline) if measured and baseline else 0,
        "lowest_fraction_with_restarts": (min(counts) / baseline) if counts and baseline else 0,
        "restart_seconds": len(restarting),
        "seconds": len(counts),
    }


if os.environ.get("SKIP_LOAD") == "1":
    for variant, rate in rates.items():
        print(f"{variant}: {rate:,.0f} rows/s, {rate / rates['floor']:.2f}x the floor")
    raise SystemExit(0)
fresh("load", rows)
say(f"baseline: pgbench {clients} clients, {settle * 2} s on {rows:,} rows")
samples, failed, _, _ = pgbench("load", settle * 2, "baseline")
per = {}
for t, _ in samples:
    per[int(t)] = per.get(int(t), 0) + 1
baseline_tps = statistics.median(list(per.values())[1:-1] or list(per.values()))
say(f"  baseline {baseline_tps:.0f} tps")

results = {}
for variant in (["no change (control)"] if control else []) + ([] if os.environ.get("SKIP_NAIVE") == "1" else ["naive DDL"]) + ["cutover start/complete"]:
    fresh("load", rows)
    folder = project("load-" + variant.split()[0], "load")
    # pgbench runs in rounds until the change is done, then `settle` seconds more.
    done = threading.Event()
    box = {}
    bench = threading.Thread(target=lambda: box.update(result=pgbench("load", settle, variant.split()[0], until=done)))
    bench.start()
    time.sleep(settle)
    began = time.time()
    phases = {}
    if variant == "no change (control)":
        time.sleep(control)
    elif variant == "naive DDL":
        psql("load", "ALTER TABLE accounts ADD COLUMN flag text NOT NULL DEFAULT 'x'")
        psql("load", "CREATE INDEX accounts_note_idx ON accounts (note)")
        psql("load", "ALTER TABLE accounts ALTER COLUMN balance TYPE bigint")
    else:
        # What the application's sessions wait on, sampled every 50 ms by one psql (placed
        # against the slowest transactions below).
        waits_file = f"{work}/waits-{variant.split()[0]}.txt"
        sampler = subprocess.Popen(
            [f"{pgbin}/psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "load"],
            stdin=subprocess.PIPE, stdout=open(waits_file, "w"), stderr=subprocess.DEVNULL, text=True)
        sampler.stdin.write(
            "SELECT extract(epoch FROM clock_timestamp()), wait_event_type || ':' || wait_event, count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND state = 'active' AND wait_event IS NOT NULL AND pid <> pg_backend_pid() GROUP BY 1, 2 \\watch 0.05\n")
        sampler.stdin.flush()
        # The kernel's dirty and under-writeback page cache, every 50 ms.
        memory, memory_done = [], threading.Event()

        def sample_memory():
            while not memory_done.is_set():
                fields = {}
                for line in open("/proc/meminfo"):
                    name, value = line.split(":", 1)
                    if name in ("Dirty", "Writeback"):
                        fields[name] = int(value.split()[0]) // 1024
                memory.append((time.time(), fields.get("Dirty", 0), fields.get("Writeback", 0)))
                time.sleep(0.05)
        memory_thread = threading.Thread(target=sample_memory)
        memory_thread.start()
        lsn = lambda: psql_value("load", "SELECT pg_current_wal_lsn() - '0/0'")
        wal = [int(lsn())]
        start_seconds, progress = run_cutover_timed(folder, "start", "2", *os.environ.get("START_ARGS", "").split())
        phases["start"] = (began, began + start_seconds)
        wal.append(int(lsn()))
        began_complete = time.time()
        phases["complete"] = (began_complete, began_complete + run_cutover(folder, "complete", "2"))
        wal.append(int(lsn()))
        for name, (a, b), written in zip(("start", "complete"), (phases["start"], phases["complete"]), (wal[1] - wal[0], wal[2] - wal[1])):
            say(f"    WAL during {name} (with the application's): {written / 1e6:,.0f} MB, {written / 1e6 / max(b - a, 0.001):,.1f} MB/s")
        sampler.terminate()
        sampler.wait()
        memory_done.set()
        memory_thread.join()
        if memory:
            say(f"    page cache: dirty up to {max(d for _, d, _ in memory)} MB, under writeback up to {max(w for _, _, w in memory)} MB")
    ended = time.time()
    done.set()
    bench.join()
    samples, failed, run, gaps = box["result"]
    if samples and max(t for t, _ in samples) < ended:
        say("  warning: pgbench ended before the change did; its last seconds count as 0 tps")
    figures = analyse(samples, (began, ended + 1), baseline_tps, gaps)
    if variant == "no change (control)":
        for end_time, latency in sorted((x for x in samples if began <= x[0] <= ended + 1), key=lambda x: -x[1])[:5]:
            say(f"    slow transaction: {latency:.0f} ms, began at {end_time - latency / 1000 - began:.2f} s")
    # Where the slowest transactions fell, against the phases (seconds from the change's start).
    for name, (a, b) in phases.items():
        say(f"    {name}: {a - began:.1f} s to {b - began:.1f} s")
    if phases:
        for at, line in progress:
            if at - began < 4 and "backfill public.accounts:" not in line:
                say(f"    {at - began:6.2f} s  {line[:110]}")
        tenths = {}
        for end_time, latency in samples:
            if began <= end_time < began + 4:
                tenths[int((end_time - began) * 10)] = tenths.get(int((end_time - began) * 10), 0) + 1
        say("    transactions per 100 ms, first 4 s: " + " ".join(str(tenths.get(k, 0)) for k in range(40)))
        # Checkpoints and autovacuum of the database, from the server log, placed in the change.
        import datetime
        with open(os.environ["BENCH_PGDATA"] + "/server.log", errors="replace") as log:
            for line in log:
                if not any(word in line for word in ("checkpoint starting", "checkpoint complete", "automatic vacuum of table \"load", "automatic analyze of table \"load")):
                    continue
                try:
                    stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
                except ValueError:
                    continue
                if began - 5 <= stamp <= ended + 5:
                    text = line[24:].strip()
                    if "checkpoint complete" in text and "write=" in text:
                        text = text[:text.find(";")] + "; " + text[text.find("write="):][:100]
                    say(f"    {stamp - began:7.1f} s  server: {text[:220]}")
    waits = []
    if phases and os.path.exists(f"{work}/waits-{variant.split()[0]}.txt"):
        for line in open(f"{work}/waits-{variant.split()[0]}.txt"):
            parts = line.strip().split("|")
            if len(parts) == 3:
                waits.append((float(parts[0]), parts[1], int(parts[2])))
    for end_time, latency in sorted((x for x in samples if began <= x[0] <= ended + 1), key=lambda x: -x[1])[:5]:
        say(f"    slow transaction: {latency:.0f} ms, began at {end_time - latency / 1000 - began:.2f} s")
        seen = {}
        for at, event, count in waits:
            if end_time - latency / 1000 <= at <= end_time:
                seen[event] = max(seen.get(event, 0), count)
        if waits:
            say("      sessions waiting meanwhile (most at once): " + (", ".join(f"{e} {c}" for e, c in sorted(seen.items())) or "none sampled"))
        if phases:
            near = [(d, w) for at, d, w in memory if end_time - latency / 1000 - 0.5 <= at <= end_time]
            if near:
                say(f"      page cache MB dirty {min(d for d, _ in near)}-{max(d for d, _ in near)}, writeback max {max(w for _, w in near)}")
    figures["failed"] = failed
    # The backfill's own seconds: from its first progress line to the next action of `cutover
    # start` (the index build that waits for it), or to the end of `start`; the rest of `start`
    # is the index build's.
    backfill_began = next((at for at, line in (progress if phases else []) if "backfill public.accounts" in line), None)
    if backfill_began:
        next_action = next((at for at, line in progress if at > backfill_began and re.search(r"\[\d+/\d+\]", line)), phases["start"][1])
        during = analyse(samples, (backfill_began, next_action), baseline_tps, gaps)
        figures["backfill_lowest"], figures["backfill_median"] = during["lowest_fraction"], during["median_fraction"]
        if phases["start"][1] - next_action >= 1:
            say(f"    after the backfill (index build): {next_action - began:.1f} s to {phases['start'][1] - began:.1f} s")
            build = analyse(samples, (next_action, phases["start"][1]), baseline_tps, gaps)
            figures["index_build_lowest"] = build["lowest_fraction"]
    if failed:
        say(f"  pgbench exit {run.returncode}: " + " | ".join((run.stdout + run.stderr).splitlines()[-12:])[:3000])
    figures["duration_s"] = ended - began
    results[variant] = figures
    say(f"  {variant}: {ended - began:.1f} s, {figures}")

if rates:
    print()
    print(f"Backfill of {backfill_rows:,} rows, nothing else running (rows/s; higher is better):")
    print()
    print("| method | rows/s | vs floor |")
    print("|---|--:|--:|")
for variant in (["floor", "pgroll-like", "cutover"] if rates else []):
    label = {"floor": "one UPDATE of the whole table (floor)", "pgroll-like": "pgroll's defaults: batches of 1,000 on the key, no delay (server-side loop)", "cutover": "`cutover backfill` (adaptive batches, --no-throttle)"}[variant]
    print(f"| {label} | {rates[variant]:,.0f} | {rates[variant] / rates['floor']:.2f}x |")
print()
print(f"pgbench, {clients} clients, read/write script on {rows:,} rows, baseline {baseline_tps:.0f} tps; during the change:")
print()
print("| change | duration | seconds at 0 tps | failed transactions | max latency | p99 latency | lowest 1-s tps / baseline | the same with pgbench's restart seconds (count) | median second | backfill: lowest / median second | index build after it: lowest second |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for variant, r in results.items():
    print(f"| {variant} | {r['duration_s']:.1f} s | {r['zero_tps_seconds']} | {r['failed']} | {r['max_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['lowest_fraction']:.2f} "
          f"| {r['lowest_fraction_with_restarts']:.2f} ({r['restart_seconds']}) | {r['median_fraction']:.2f} | "
          + (f"{r['backfill_lowest']:.2f} / {r['backfill_median']:.2f} |" if "backfill_lowest" in r else "— |")
          + (f" {r['index_build_lowest']:.2f} |" if "index_build_lowest" in r else " — |"))
c = results["cutover start/complete"]
print()
print("Targets for cutover: 0 s at 0 tps: " + ("MET" if c["zero_tps_seconds"] == 0 else "NOT MET")
      + "; 0 failed: " + ("MET" if c["failed"] == 0 else "NOT MET")
      + "; max latency < 250 ms: " + ("MET" if c["max_ms"] < 250 else "NOT MET")
      + "; no second under 50 % of baseline: " + ("MET" if c["lowest_fraction"] >= 0.5 else "NOT MET")
      + (" (during the backfill: " + ("MET" if c["backfill_lowest"] >= 0.5 else "NOT MET") + ")" if "backfill_lowest" in c else "")
      + ("; backfill >= half the floor's rate: " + ("MET" if rates["cutover"] >= rates["floor"] / 2 else "NOT MET") if rates else ""))
PY
