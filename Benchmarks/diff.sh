#!/usr/bin/env bash
# Benchmark: `cutover diff --sql` vs `migra` on two PostgreSQL databases of 500 tables
# (8 columns, 2 indexes and a foreign key each) that differ by 20 changes. Not a test
# (never part of `swift test`); it prints figures and says whether the target (>= 5x) is met.
#
#   bash Benchmarks/diff.sh                      # build (or reuse) the release binary, 5 timed runs each
#   RUNS=9 bash Benchmarks/diff.sh               # median of 9 runs
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/diff.sh
#
# Other knobs: WARMUP (discarded runs first, default 1), TABLES (default 500),
# KEEP_WORK=1 (keep the temporary folder), RESULTS_JSON=PATH (every sample, as JSON).
#
# What it needs: Swift 6.3 (unless CUTOVER_BIN is given), python3, PostgreSQL's server
# binaries (apt-get install -y postgresql), and migra with its driver psycopg2-binary —
# installed with `pip install migra psycopg2-binary` when missing.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export RUNS=${RUNS:-5} WARMUP=${WARMUP:-1} TABLES=${TABLES:-500}

# --- 1. cutover, release build ----------------------------------------------------------
scratch="$repo/.build-bench"
# Another benchmark may be building in .build-bench right now; use a folder of our own then.
if [[ -z ${CUTOVER_BIN:-} ]] && pgrep -f -- "--scratch-path $scratch( |\$)" >/dev/null 2>&1; then scratch="$repo/.build-bench-diff"; fi
bench_build_cutover "$scratch"

# --- 2. migra ---------------------------------------------------------------------------
scripts_dir=$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
find_migra() {
    local candidate
    candidate=$(command -v migra 2>/dev/null || true)
    if [[ -x $scripts_dir/migra ]]; then candidate=$scripts_dir/migra; fi
    [[ -n $candidate ]] && "$candidate" --help >/dev/null 2>&1 && "$python" -c 'import psycopg2' 2>/dev/null && printf '%s\n' "$candidate"
}
migra=$(find_migra || true)
if [[ -z $migra ]]; then
    say "installing migra: pip install migra psycopg2-binary"
    "$python" -m pip install --quiet migra psycopg2-binary >&2 || die "pip install migra psycopg2-binary failed"
    migra=$(find_migra || true)
    [[ -n $migra ]] || die "migra installed but not runnable (looked on PATH and in $scripts_dir)"
fi

# --- 3. a throw-away PostgreSQL cluster -------------------------------------------------
bench_find_pgbin
bench_make_work cutover-diff-bench
bench_start_cluster

# --- 4. generate, time, compare ---------------------------------------------------------
say "cutover: $cutover"
say "migra:   $migra"
BENCH_CUTOVER=$cutover BENCH_MIGRA=$migra BENCH_WORK=$work BENCH_PGBIN=$pgbin BENCH_PGPORT=$port "$python" - <<'PY'
import json, os, re, statistics, subprocess, sys, time

cutover, migra = os.environ["BENCH_CUTOVER"], os.environ["BENCH_MIGRA"]
work, pgbin, port = os.environ["BENCH_WORK"], os.environ["BENCH_PGBIN"], os.environ["BENCH_PGPORT"]
runs, warmup, tables = int(os.environ["RUNS"]), int(os.environ["WARMUP"]), int(os.environ["TABLES"])

def say(text): print(text, file=sys.stderr, flush=True)

def psql(database, sql=None, path=None):
    command = [f"{pgbin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database]
    command += ["-f", path] if path else ["-At", "-c", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout

def table(i):
    parent = f"t{i - 1}" if i > 1 else "t1"
    return f"""CREATE TABLE t{i} (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES {parent} (id),
    name text NOT NULL,
    email varchar(200),
    amount numeric(12,2) DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    active boolean DEFAULT true,
    notes text
);
CREATE INDEX t{i}_name_idx ON t{i} (name);
CREATE INDEX t{i}_parent_idx ON t{i} (parent_id);
"""

base = "".join(table(i) for i in range(1, tables + 1))
# Twenty changes, one object each: what both tools must find.
changes = [
    ("ALTER TABLE t10 ADD COLUMN extra1 text;", "column public.t10.extra1"),
    ("ALTER TABLE t20 ADD COLUMN extra2 integer NOT NULL DEFAULT 0;", "column public.t20.extra2"),
    ("ALTER TABLE t30 ADD COLUMN extra3 jsonb;", "column public.t30.extra3"),
    ("ALTER TABLE t40 DROP COLUMN notes;", "column public.t40.notes"),
    ("ALTER TABLE t50 DROP COLUMN email;", "column public.t50.email"),
    ("ALTER TABLE t60 ALTER COLUMN amount TYPE numeric(14,2);", "column public.t60.amount"),
    ("ALTER TABLE t70 ALTER COLUMN name TYPE varchar(100);", "column public.t70.name"),
    ("ALTER TABLE t80 ALTER COLUMN notes SET NOT NULL;", "column public.t80.notes"),
    ("ALTER TABLE t90 ALTER COLUMN active SET DEFAULT false;", "column public.t90.active"),
    ("ALTER TABLE t100 ALTER COLUMN created_at DROP DEFAULT;", "column public.t100.created_at"),
    ("CREATE INDEX t110_email_idx ON t110 (email);", "index public.t110_email_idx"),
    ("CREATE UNIQUE INDEX t120_lower_email_idx ON t120 (lower(email));", "index public.t120_lower_email_idx"),
    ("DROP INDEX t130_name_idx;", "index public.t130_name_idx"),
    ("DROP INDEX t140_parent_idx;", "index public.t140_parent_idx"),
    ("CREATE TABLE extra_table (id integer PRIMARY KEY, t1_id integer REFERENCES t1 (id));", "table public.extra_table"),
    (f"DROP TABLE t{tables};", f"table public.t{tables}"),
    ("ALTER TABLE t150 ADD CONSTRAINT t150_amount_check CHECK (amount >= 0);", "constraint public.t150.t150_amount_check"),
    ("ALTER TABLE t160 DROP CONSTRAINT t160_parent_id_fkey;", "constraint public.t160.t160_parent_id_fkey"),
    ("ALTER TABLE t170 DROP CONSTRAINT t170_parent_id_fkey, ADD CONSTRAINT t170_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES t169 (id) ON DELETE CASCADE;",
     "constraint public.t170.t170_parent_id_fkey"),
    ("ALTER TABLE t180 ADD CONSTRAINT t180_email_key UNIQUE (email);", "constraint public.t180.t180_email_key"),
]
expected = {name for _, name in changes}

say(f"creating two databases of {tables} tables (8 columns, 2 indexes, a foreign key each); b differs by {len(changes)} changes")
for name in ("bench_a", "bench_b"):
    psql("postgres", f"CREATE DATABASE {name}")
with open(f"{work}/base.sql", "w") as handle: handle.write(base)
with open(f"{work}/changes.sql", "w") as handle: handle.write("\n".join(sql for sql, _ in changes) + "\n")
psql("bench_a", path=f"{work}/base.sql")
psql("bench_b", path=f"{work}/base.sql")
psql("bench_b", path=f"{work}/changes.sql")

cutover_url = lambda db: f"postgres://postgres@127.0.0.1:{port}/{db}"
migra_url = lambda db: f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{db}"
tools = {
    "cutover diff --sql": [cutover, "diff", "--sql", cutover_url("bench_a"), cutover_url("bench_b")],
    "migra --unsafe": [migra, "--unsafe", migra_url("bench_a"), migra_url("bench_b")],
}

def run(command):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=work)
    elapsed = time.perf_counter() - start
    # Both exit non-zero (3 and 2) when the schemas differ, which they do.
    if result.returncode not in (2, 3):
        say(f"{command[0]} exited {result.returncode}:\n{result.stderr[-2000:]}")
        sys.exit(1)
    return elapsed, result.stdout

samples, outputs = {}, {}
for label, command in tools.items():
    say(f"timing {label}: {warmup} warm-up + {runs} runs")
    for _ in range(warmup): run(command)
    samples[label] = []
    for _ in range(runs):
        elapsed, outputs[label] = run(command)
        samples[label].append(elapsed)

# --- the changes each tool found, as "kind schema.table[.member]" --------------------------
index_tables = {}
for db in ("bench_a", "bench_b"):
    rows = psql(db, "SELECT n.nspname || '.' || c.relname, n.nspname || '.' || t.relname FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
    for line in rows.splitlines():
        index, owner = line.split("|")
        index_tables[index] = owner

def normalise(found, tables_changed):
    """Drops what belongs to an added or dropped table (both tools report the table) and
    indexes that implement a constraint reported too."""
    constraints = {entry.rsplit(".", 1)[1] for entry in found if entry.startswith("constraint ")}
    result = set()
    for entry in found:
        kind, name = entry.split(" ", 1)
        owner = name if kind == "table" else (index_tables.get(name) if kind == "index" else name.rsplit(".", 1)[0])
        if kind != "table" and owner in tables_changed: continue
        if kind == "index" and name.split(".", 1)[1] in constraints: continue
        result.add(entry)
    return result

json_run = subprocess.run([cutover, "diff", "--json", cutover_url("bench_a"), cutover_url("bench_b")], capture_output=True, text=True, cwd=work)
cutover_found, cutover_tables = set(), set()
for change in json.loads(json_run.stdout)["changes"]:
    kind, name = change["kind"], change["name"]
    if kind == "constraint": name = f"{change['table']}.{name}"
    if kind == "table" and change["action"] in ("added", "removed"): cutover_tables.add(name)
    cutover_found.add(f"{kind} {name}")
cutover_set = normalise(cutover_found, cutover_tables)

ident = r'"?([\w$]+)"?'
qualified = rf'{ident}\.{ident}'
migra_found, migra_tables = set(), set()
for statement in re.split(r";\s*\n", outputs["migra --unsafe"]):
    text = " ".join(statement.split())
    lower = text.lower()
    if m := re.match(rf"(create|drop) table (?:if exists )?{qualified}", lower):
        migra_tables.add(f"{m[2]}.{m[3]}"); migra_found.add(f"table {m[2]}.{m[3]}")
    elif m := re.match(rf"alter table (?:only )?{qualified} (add|drop|alter) column (?:if exists )?{ident}", lower):
        migra_found.add(f"column {m[1]}.{m[2]}.{m[4]}")
    elif m := re.match(rf"alter table (?:only )?{qualified} (add|drop|validate) constraint (?:if exists )?{ident}", lower):
        migra_found.add(f"constraint {m[1]}.{m[2]}.{m[4]}")
    elif m := re.match(rf"create (?:unique )?index (?:concurrently )?(?:if not exists )?{ident} on (?:only )?{qualified}", lower):
        migra_found.add(f"index {m[2]}.{m[1]}")
    elif m := re.match(rf"drop index (?:concurrently )?(?:if exists )?{qualified}", lower):
        migra_found.add(f"index {m[1]}.{m[2]}")
    elif lower.strip():
        migra_found.add(f"other {lower[:60]}")
migra_set = normalise(migra_found, migra_tables)

medians = {label: statistics.median(values) for label, values in samples.items()}
ratio = medians["migra --unsafe"] / medians["cutover diff --sql"]
print(f"\nschema diff, PostgreSQL, {tables} tables, {len(changes)} changes — median of {runs} runs (after {warmup} warm-up)")
print(f"{'tool':<22}{'median':>10}{'min':>10}{'max':>10}")
for label, values in samples.items():
    print(f"{label:<22}{medians[label]*1000:>8.0f}ms{min(values)*1000:>8.0f}ms{max(values)*1000:>8.0f}ms")
print(f"\ncutover is {ratio:.1f}x faster than migra (target: >= 5x) — {'met' if ratio >= 5 else 'NOT met'}")
same = cutover_set == migra_set == expected
print(f"changes found: cutover {len(cutover_set)}, migra {len(migra_set)}, planted {len(expected)} — {'the same set' if same else 'DIFFERENT'}")
if not same:
    for label, found in (("cutover", cutover_set), ("migra", migra_set)):
        if found - expected: print(f"  {label} also found: {sorted(found - expected)}")
        if expected - found: print(f"  {label} missed: {sorted(expected - found)}")
lines = [line for line in outputs["cutover diff --sql"].splitlines() if line and not line.startswith("--")]
print(f"cutover --sql printed {len(lines)} lines of SQL; migra printed {len([l for l in outputs['migra --unsafe'].splitlines() if l.strip()])}")
if os.environ.get("RESULTS_JSON"):
    with open(os.environ["RESULTS_JSON"], "w") as handle:
        json.dump({"samples": samples, "medians": medians, "ratio": ratio, "same_changes": same,
                   "cutover": sorted(cutover_set), "migra": sorted(migra_set)}, handle, indent=2)
PY
