#!/usr/bin/env bash
# Benchmark: `cutover lint FILE` vs `squawk FILE` on one file of 500 PostgreSQL migration
# statements (a realistic mix). Not a test (never part of `swift test`); see
# Benchmarks/README.md, section "lint.sh".
#
#   bash Benchmarks/lint.sh                    # build (or reuse) the release binary, 15 timed runs
#   RUNS=31 bash Benchmarks/lint.sh            # median of 31 runs
#   CUTOVER_BIN=/path/to/cutover bash Benchmarks/lint.sh
#
# Other knobs: WARMUP (discarded runs first, default 3), STATEMENTS (default 500),
# KEEP_WORK=1 (keep the temporary folder with the generated file).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export RUNS=${RUNS:-15} WARMUP=${WARMUP:-3} STATEMENTS=${STATEMENTS:-500}

# --- 1. cutover, release build (the scratch folder migrate.sh uses, so builds are shared) ---
bench_build_cutover
"$cutover" lint --list-rules >/dev/null 2>&1 || die "$cutover has no lint command (rebuild it)"

# --- 2. squawk (PyPI squawk-cli ships the native binary) ------------------------------
scripts_dir=$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
find_squawk() {
    local candidate
    candidate=$(command -v squawk 2>/dev/null || true)
    # A pyenv shim is a shell script that re-execs; time the real binary instead.
    if [[ -x $scripts_dir/squawk ]]; then candidate=$scripts_dir/squawk; fi
    [[ -n $candidate ]] && "$candidate" --version >/dev/null 2>&1 && printf '%s\n' "$candidate"
}
squawk=$(find_squawk || true)
if [[ -z $squawk ]]; then
    say "installing squawk: pip install squawk-cli"
    "$python" -m pip install --quiet squawk-cli >&2 || die "pip install squawk-cli failed"
    squawk=$(find_squawk || true)
    [[ -n $squawk ]] || die "squawk-cli installed but no squawk executable found (looked on PATH and in $scripts_dir)"
fi

bench_make_work cutover-lint-bench

say "cutover: $cutover"
say "squawk:  $squawk"
BENCH_CUTOVER=$cutover BENCH_SQUAWK=$squawk BENCH_WORK=$work "$python" - <<'PY'
"""Generates the file, times both linters, prints the figures."""
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time

cutover, squawk, work = os.environ["BENCH_CUTOVER"], os.environ["BENCH_SQUAWK"], os.environ["BENCH_WORK"]
runs, warmup, count = int(os.environ["RUNS"]), int(os.environ["WARMUP"]), int(os.environ["STATEMENTS"])


def statements(n):
    """n statements of the kinds real migration files hold, in a fixed pseudo-random mix:
    new tables with keys and defaults, indexes (plain and CONCURRENTLY), added columns
    (nullable, constant, now(), volatile and required defaults), foreign keys and checks
    (NOT VALID and not), VALIDATE, type changes, SET NOT NULL, renames, drops, backfill
    UPDATEs and INSERTs, PL/pgSQL trigger functions with dollar-quoted bodies, comments and
    grants. Valid PostgreSQL, so squawk parses every statement."""
    rng = random.Random(20261124)
    tables = ["users", "orders", "order_lines", "products", "invoices", "payments", "shipments", "accounts"]
    out = []
    i = 0
    while len(out) < n:
        i += 1
        t = rng.choice(tables)
        kind = rng.random()
        if kind < 0.12:
            # New tables get their own index; later statements target the long-lived
            # tables, so both linters report on most of the file (an ALTER of a table
            # created in the same file is not a finding for cutover).
            name = f"t{i}"
            out.append(
                f"CREATE TABLE {name} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                f"    {t}_id bigint NOT NULL REFERENCES {t} (id),\n    name text NOT NULL,\n"
                f"    amount numeric(12, 2) NOT NULL DEFAULT 0,\n    status varchar(20) NOT NULL DEFAULT 'new',\n"
                f"    created_at timestamptz NOT NULL DEFAULT now(),\n    note text\n)")
            out.append(f"CREATE INDEX {name}_{t}_id_idx ON {name} ({t}_id)")
        elif kind < 0.24:
            conc = "CONCURRENTLY " if rng.random() < 0.5 else ""
            out.append(f"CREATE INDEX {conc}IF NOT EXISTS {t}_c{i}_idx ON {t} USING btree (c{i}, created_at DESC) WHERE c{i} IS NOT NULL")
        elif kind < 0.44:
            default = rng.choice(["", " DEFAULT 0", " DEFAULT now()", " NOT NULL DEFAULT 'x'", " DEFAULT gen_random_uuid()", " NOT NULL"])
            typ = rng.choice(["integer", "text", "timestamptz", "uuid", "varchar(64)", "numeric(10, 2)"])
            out.append(f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS c{i} {typ}{default}")
        elif kind < 0.54:
            if rng.random() < 0.5:
                nv = " NOT VALID" if rng.random() < 0.6 else ""
                out.append(f"ALTER TABLE {t} ADD CONSTRAINT {t}_fk{i} FOREIGN KEY (c{i}) REFERENCES users (id){nv}")
                out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT {t}_fk{i}")
            else:
                out.append(f"ALTER TABLE {t} ADD CONSTRAINT {t}_chk{i} CHECK (c{i} IS NOT NULL AND length(c{i}::text) < 200) NOT VALID")
        elif kind < 0.64:
            out.append(rng.choice([
                f"ALTER TABLE {t} ALTER COLUMN c{i} TYPE bigint",
                f"ALTER TABLE {t} ALTER COLUMN c{i} SET NOT NULL",
                f"ALTER TABLE {t} ALTER COLUMN c{i} SET DEFAULT 'pending'",
                f"ALTER TABLE {t} ALTER COLUMN c{i} TYPE text USING c{i}::text",
            ]))
        elif kind < 0.79:
            out.append(rng.choice([
                f"UPDATE {t} SET c{i} = lower(name) WHERE id BETWEEN {i * 1000} AND {i * 1000 + 999} AND c{i} IS NULL",
                f"INSERT INTO {t} (name, note) VALUES ('row {i}', 'it''s; fine'), ('row {i}b', E'tab\\there')",
                f"DELETE FROM {t} WHERE created_at < now() - interval '90 days' AND status = 'void'",
            ]))
        elif kind < 0.86:
            out.append(
                f"CREATE OR REPLACE FUNCTION {t}_touch_{i}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
                f"BEGIN\n    NEW.updated_at := now(); -- keep it fresh; really\n    RETURN NEW;\nEND\n$fn$")
            out.append(f"CREATE TRIGGER {t}_touch_{i} BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_touch_{i}()")
        elif kind < 0.93:
            out.append(rng.choice([
                f"ALTER TABLE {t} RENAME COLUMN c{i} TO d{i}",
                f"ALTER TABLE {t} DROP COLUMN IF EXISTS c{i}",
                f"DROP INDEX IF EXISTS {t}_c{i}_idx",
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_u{i} UNIQUE (c{i})",
            ]))
        else:
            out.append(rng.choice([
                f"COMMENT ON COLUMN {t}.c{i} IS 'added in release {i}; see the changelog'",
                f"GRANT SELECT, INSERT ON {t} TO app_rw",
                f"SET lock_timeout = '2s'",
            ]))
    return out[:n]


path = os.path.join(work, "lint_bench.sql")
with open(path, "w") as f:
    f.write("-- cutover:up\n")
    for s in statements(count):
        f.write(s + ";\n\n")
size = os.path.getsize(path)

tools = {
    "cutover lint": ([cutover, "lint", path], {0, 3}),
    "squawk": ([squawk, path], {0, 1}),
}


def run(name):
    command, ok = tools[name]
    start = time.perf_counter()
    p = subprocess.run(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if p.returncode not in ok:
        print(f"{name} exited {p.returncode}: {' '.join(command)}", file=sys.stderr)
        print("\n".join(p.stdout.decode(errors="replace").splitlines()[-40:]), file=sys.stderr)
        print("\n".join(p.stderr.decode(errors="replace").splitlines()[-40:]), file=sys.stderr)
        sys.exit(1)
    return elapsed, p


# What each tool reports on the file (untimed), so a tool that stopped early would show.
_, c = run("cutover lint")
cj = json.loads(subprocess.run([cutover, "lint", path, "--json"], cwd=work, stdout=subprocess.PIPE).stdout)
_, s = run("squawk")
sj = subprocess.run([squawk, "--reporter", "json", path], cwd=work, stdout=subprocess.PIPE).stdout
try:
    squawk_findings = json.loads(sj)
    squawk_count = len(squawk_findings)
    squawk_syntax = sum(1 for v in squawk_findings if v.get("rule_name") == "syntax-error")
except ValueError:
    squawk_count, squawk_syntax = "?", "?"

samples = {name: [] for name in tools}
for r in range(warmup + runs):
    for name in (tools if r % 2 == 0 else reversed(list(tools))):
        elapsed, _ = run(name)
        if r >= warmup:
            samples[name].append(elapsed)

med = {name: statistics.median(v) for name, v in samples.items()}
ratio = med["cutover lint"] / med["squawk"]
version = lambda cmd: subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode().strip().splitlines()[0]
print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
print(f"cutover {version([cutover, '--version'])}, {version([squawk, '--version'])}")
print(f"file: {count} statements, {size} bytes ({path})")
print(f"findings: cutover {cj['errors']} errors + {cj['warnings']} warnings; squawk {squawk_count} (syntax errors: {squawk_syntax})")
print(f"median of {runs} runs (after {warmup} warm-up runs), wall clock per process:")
for name in tools:
    v = samples[name]
    print(f"  {name:<13} {med[name] * 1000:8.2f} ms   (min {min(v) * 1000:.2f}, max {max(v) * 1000:.2f})")
print(f"ratio cutover/squawk: {ratio:.2f}x — target ≤ 1.00x (no slower than squawk): {'met' if ratio <= 1.0 else 'NOT met'}")
print("samples (ms): " + json.dumps({k: [round(x * 1000, 2) for x in v] for k, v in samples.items()}))
PY
