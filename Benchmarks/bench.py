#!/usr/bin/env python3
"""Timing harness for Benchmarks/migrate.sh: cutover vs dbmate vs a plain-SQL floor.

Not a test. migrate.sh builds the binaries and starts PostgreSQL, then runs this with the
paths in environment variables (see main()). Every timed command is one subprocess, timed
with time.perf_counter() around subprocess.run(); a non-zero exit code aborts the run and
prints the tool's output.
"""

import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

FIRST_ID = 20260101000000  # migration i (1-based) gets id FIRST_ID + i


# --------------------------------------------------------------------------- migrations


def migration_sql(i):
    """(name, up statements, down statements) of migration i: realistic small DDL.

    Groups of four: two CREATE TABLE (3 columns) + CREATE INDEX, one INSERT of two rows
    into the previous table, one ALTER TABLE ... ADD COLUMN. Valid on PostgreSQL and SQLite.
    """
    kind = i % 4
    if kind in (1, 2):
        t = f"t{i}"
        up = [
            f"CREATE TABLE {t} (id bigint PRIMARY KEY, name text NOT NULL, "
            f"created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            f"CREATE INDEX {t}_name_idx ON {t} (name)",
        ]
        return f"create_{t}", up, [f"DROP TABLE {t}"]
    if kind == 3:
        t = f"t{i - 1}"
        up = [f"INSERT INTO {t} (id, name) VALUES (1, 'first row of {t}'), (2, 'second row of {t}')"]
        return f"seed_{t}", up, [f"DELETE FROM {t} WHERE id IN (1, 2)"]
    t = f"t{i - 3}"
    return f"add_note_to_{t}", [f"ALTER TABLE {t} ADD COLUMN note text"], [f"ALTER TABLE {t} DROP COLUMN note"]


def expected_tables(count):
    return sum(1 for i in range(1, count + 1) if i % 4 in (1, 2))


def generate(work, count):
    """Writes cutover/migrations, dbmate/db/migrations and all.sql under work."""
    cut_dir = os.path.join(work, "cutover", "migrations")
    dbm_dir = os.path.join(work, "dbmate", "db", "migrations")
    os.makedirs(cut_dir, exist_ok=True)
    os.makedirs(dbm_dir, exist_ok=True)
    floor = []
    for i in range(1, count + 1):
        name, up, down = migration_sql(i)
        version = FIRST_ID + i
        up_text = "".join(s + ";\n" for s in up)
        down_text = "".join(s + ";\n" for s in down)
        with open(os.path.join(cut_dir, f"{version}_{name}.sql"), "w") as f:
            f.write(f"-- cutover:up\n{up_text}\n-- cutover:down\n{down_text}")
        with open(os.path.join(dbm_dir, f"{version}_{name}.sql"), "w") as f:
            f.write(f"-- migrate:up\n{up_text}\n-- migrate:down\n{down_text}")
        # One transaction per migration, like both tools: the floor is the same statements
        # with the same commits, minus any bookkeeping.
        floor.append(f"-- {version}_{name}\nBEGIN;\n{up_text}COMMIT;\n")
    with open(os.path.join(work, "all.sql"), "w") as f:
        f.write("".join(floor))
    return sum(len(migration_sql(i)[1]) for i in range(1, count + 1))


# --------------------------------------------------------------------------- running


class BenchFailure(Exception):
    pass


def run(cmd, cwd=None, env=None, what=None):
    """Runs cmd; returns (seconds, completed). Aborts the benchmark on a non-zero exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time (user + system) of the command itself, not of the database server.
    p.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        def tail(text):
            lines = text.splitlines()
            return "\n".join(lines[-40:]) if lines else "(empty)"
        raise BenchFailure(
            f"{what or 'command'} failed with exit code {p.returncode}\n"
            f"command: {' '.join(cmd)}\ncwd: {cwd}\n--- stdout (last 40 lines)\n{tail(p.stdout)}\n"
            f"--- stderr (last 40 lines)\n{tail(p.stderr)}"
        )
    return elapsed, p


def median(xs):
    return statistics.median(xs)


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    def __init__(self, bindir, port):
        self.psql = os.path.join(bindir, "psql")
        self.port = port

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def psql_cmd(self, db, *extra):
        return [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                "-U", "postgres", "-d", db, *extra]

    def sql(self, db, statement):
        _, p = run(self.psql_cmd(db, "-At", "-c", statement), what=f"psql ({statement})")
        return p.stdout.strip()

    def fresh(self, db):
        """Drops and creates db (untimed), then checkpoints so no earlier run's dirty pages
        are flushed during the next timed command."""
        self.sql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        self.sql("postgres", f"CREATE DATABASE {db}")
        self.sql("postgres", "CHECKPOINT")

    def count_tables(self, db):
        return int(self.sql(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'"))


class SQLiteFiles:
    @staticmethod
    def fresh(path):
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass

    @staticmethod
    def scalar(path, statement):
        con = sqlite3.connect(path)
        try:
            return con.execute(statement).fetchone()[0]
        finally:
            con.close()

    @staticmethod
    def count_tables(path):
        con = sqlite3.connect(path)
        try:
            names = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        finally:
            con.close()
        return sum(1 for n in names if n.startswith("t") and n[1:].isdigit())


EQUAL_DURABILITY = "apply, dbmate FULL"
OPERATIONS = {
    "postgresql": ("apply", "no-op migrate", "status", "status + drift"),
    "sqlite": ("apply", EQUAL_DURABILITY, "no-op migrate", "status", "status + drift"),
}

SQLITE_FLOOR = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
with open(sys.argv[2]) as f:
    con.executescript(f.read())
con.close()
"""


# --------------------------------------------------------------------------- benchmark


class Bench:
    def __init__(self):
        env = os.environ
        self.cutover = env["BENCH_CUTOVER"]
        self.dbmate = env["BENCH_DBMATE"]
        self.work = env["BENCH_WORK"]
        self.runs = int(env.get("RUNS", "5"))
        self.warmup = int(env.get("WARMUP", "1"))
        self.count = int(env.get("MIGRATIONS", "1000"))
        self.pg = Postgres(env["BENCH_PGBIN"], int(env["BENCH_PGPORT"]))
        self.only = set(filter(None, env.get("BENCH_ONLY", "postgresql,sqlite").split(",")))
        self.samples = {}  # (db, op, tool) -> [seconds]
        self.cpu = {}  # (db, op, tool) -> [CPU seconds of the command]
        self.cut_dir = os.path.join(self.work, "cutover")
        self.dbm_dir = os.path.join(self.work, "dbmate")
        self.all_sql = os.path.join(self.work, "all.sql")
        self.tool_env = dict(os.environ, NO_COLOR="1")
        self.tool_env.pop("DATABASE_URL", None)
        # CUTOVER_BIN_B: a second build timed in turn with the first (an A/B comparison).
        # CUTOVER_B_ENV="NAME=value …": extra environment for B (without CUTOVER_BIN_B, B is
        # the same binary as A run with that environment, e.g. CUTOVER_NO_CACHE=1).
        b_env = dict(item.split("=", 1) for item in env.get("CUTOVER_B_ENV", "").split() if "=" in item)
        self.cutover_b = env.get("CUTOVER_BIN_B") or (self.cutover if b_env else None)
        if self.cutover_b:
            self.cutover_b = os.path.abspath(self.cutover_b)
            if not os.access(self.cutover_b, os.X_OK):
                raise BenchFailure(f"CUTOVER_BIN_B={self.cutover_b} is not an executable")
        # BENCH_APPLY=0: apply once, untimed, and time only the steady-state rows.
        self.time_apply = env.get("BENCH_APPLY", "1") != "0"
        # Each build keeps its own migration cache folder: the cache is keyed by the
        # executable, so two builds sharing one would throw away each other's cache.
        self.cutover_envs = {"cutover": self.tool_env}
        if self.cutover_b:
            for tool in ("cutover", "cutover B"):
                folder = os.path.join(self.work, "cache-" + ("b" if tool == "cutover B" else "a"))
                self.cutover_envs[tool] = dict(self.tool_env, CUTOVER_CACHE_DIR=folder, **(b_env if tool == "cutover B" else {}))

    def cutovers(self, run_index=0):
        """The cutover builds to time: A alone, or A and B, in an order that swaps every
        run (so neither build always goes first after the other tools)."""
        if not self.cutover_b:
            return ["cutover"]
        return ["cutover", "cutover B"] if run_index % 2 == 0 else ["cutover B", "cutover"]

    def binary(self, tool):
        return self.cutover_b if tool == "cutover B" else self.cutover

    def log(self, message):
        print(message, file=sys.stderr, flush=True)

    def record(self, db, op, tool, seconds, timed, cpu):
        if timed:
            self.samples.setdefault((db, op, tool), []).append(seconds)
            self.cpu.setdefault((db, op, tool), []).append(cpu)

    def write_cutover_config(self, file_name, url):
        path = os.path.join(self.cut_dir, file_name)
        with open(path, "w") as f:
            f.write(
                'migrations = "migrations"\n'
                'default_env = "bench"\n\n'
                "[safety]\n"
                'lock_timeout = "2s"\n\n'
                "[env.bench]\n"
                f'url = "{url}"\n'
            )
        return path

    def cutover_cmd(self, config, command, *extra, tool="cutover"):
        return [self.binary(tool), "--config", config, command, *extra]

    def dbmate_cmd(self, url, command):
        return [self.dbmate, "--url", url, "--migrations-dir", os.path.join(self.dbm_dir, "db", "migrations"),
                "--no-dump-schema", command]

    def check(self, condition, message):
        if not condition:
            raise BenchFailure("sanity check failed: " + message)

    # ---------------------------------------------------------------- PostgreSQL

    def steady_commands(self, configs, dbm_url):
        """The no-op migrate and status commands of one run, cutover builds in turn."""
        def cutovers(op, *args):
            return [(op, self.cutover_cmd(configs[tool], *args, tool=tool), tool) for tool in self.cutovers(self._run_index)]
        return (
            cutovers("no-op migrate", "migrate")
            + [("no-op migrate", self.dbmate_cmd(dbm_url, "up"), "dbmate")]
            # Like for like with dbmate, which has no drift check: --no-drift.
            + cutovers("status", "status", "--no-drift")
            + [("status", self.dbmate_cmd(dbm_url, "status"), "dbmate")]
            # The default status also prints a drift verdict (no peer does this).
            + cutovers("status + drift", "status")
        )

    def run_steady(self, db, configs, dbm_url):
        n = self.count
        total = self.warmup + self.runs
        for r in range(total):
            timed = r >= self.warmup
            self._run_index = r
            for op, cmd, tool in self.steady_commands(configs, dbm_url):
                cwd = self.dbm_dir if tool == "dbmate" else self.cut_dir
                env = self.cutover_envs.get(tool, self.tool_env)
                t, p = run(cmd, cwd=cwd, env=env, what=f"{tool} {op} ({db})")
                if tool != "dbmate" and op.startswith("status"):
                    self.check(sum(1 for l in p.stdout.splitlines() if l.split()[1:2] == ["applied"]) == n,
                               f"{tool} status lists every migration as applied")
                if tool == "dbmate" and op == "status":
                    self.check(f"Applied: {n}" in p.stdout, "dbmate status reports every migration as applied")
                self.record(db, op, tool, t, timed, p.cpu)

    def bench_postgres(self):
        pg = self.pg
        n = self.count
        tables = expected_tables(n)
        cut_dbs = {"cutover": "bench_cutover", "cutover B": "bench_cutover_b"}
        dbm_db, floor_db = "bench_dbmate", "bench_floor"
        configs = {tool: self.write_cutover_config("postgres.toml" if tool == "cutover" else "postgres_b.toml", pg.url(cut_dbs[tool]))
                   for tool in self.cutovers()}
        dbm_url = pg.url(dbm_db)

        total = (self.warmup + self.runs) if self.time_apply else 1
        for r in range(total):
            timed = self.time_apply and r >= self.warmup
            label = f"run {r - self.warmup + 1}/{self.runs}" if timed else (f"warm-up {r + 1}/{self.warmup}" if self.time_apply else "untimed")
            # Interleaved, so drift on the machine hits every tool alike.
            for tool in self.cutovers(r):
                pg.fresh(cut_dbs[tool])
                t, p = run(self.cutover_cmd(configs[tool], "migrate", tool=tool), cwd=self.cut_dir, env=self.cutover_envs[tool],
                           what=f"{tool} migrate (postgresql)")
                self.check(int(pg.sql(cut_dbs[tool], "SELECT count(*) FROM cutover.history WHERE phase = 'applied'")) == n, f"{tool} history count")
                self.check(pg.count_tables(cut_dbs[tool]) == tables, f"{tool} table count")
                self.record("postgresql", "apply", tool, t, timed, p.cpu)
                self.log(f"  postgresql apply  {label}: {tool:9} {t:.3f}s")

            pg.fresh(dbm_db)
            t, p = run(self.dbmate_cmd(dbm_url, "up"), cwd=self.dbm_dir, env=self.tool_env, what="dbmate up (postgresql)")
            self.check(int(pg.sql(dbm_db, "SELECT count(*) FROM schema_migrations")) == n, "dbmate schema_migrations count")
            self.check(pg.count_tables(dbm_db) == tables, "dbmate table count")
            self.record("postgresql", "apply", "dbmate", t, timed, p.cpu)
            self.log(f"  postgresql apply  {label}: dbmate    {t:.3f}s")

            if not self.time_apply:
                continue
            pg.fresh(floor_db)
            t, p = run(pg.psql_cmd(floor_db, "-f", self.all_sql), what="psql -f all.sql (floor)")
            self.check(pg.count_tables(floor_db) == tables, "floor table count")
            self.record("postgresql", "apply", "floor", t, timed, p.cpu)
            self.log(f"  postgresql apply  {label}: floor     {t:.3f}s")

        # The cutover and dbmate databases now hold all migrations: no-op runs and status.
        pg.sql("postgres", "CHECKPOINT")
        self.run_steady("postgresql", configs, dbm_url)
        for tool in self.cutovers():
            self.check(int(pg.sql(cut_dbs[tool], "SELECT count(*) FROM cutover.history")) == n, f"no-op {tool} changed nothing")
        self.check(int(pg.sql(dbm_db, "SELECT count(*) FROM schema_migrations")) == n, "no-op dbmate changed nothing")
        self.log("  postgresql no-op migrate and status: done")

    # ---------------------------------------------------------------- SQLite

    def bench_sqlite(self):
        n = self.count
        tables = expected_tables(n)
        folder = os.path.join(self.work, "sqlite")
        os.makedirs(folder, exist_ok=True)
        cut_files = {"cutover": os.path.join(folder, "cutover.sqlite3"), "cutover B": os.path.join(folder, "cutover_b.sqlite3")}
        dbm_file = os.path.join(folder, "dbmate.sqlite3")
        floor_file = os.path.join(folder, "floor.sqlite3")
        configs = {tool: self.write_cutover_config("sqlite.toml" if tool == "cutover" else "sqlite_b.toml", f"sqlite:{cut_files[tool]}")
                   for tool in self.cutovers()}
        dbm_url = f"sqlite:{dbm_file}"
        floor_cmd = [sys.executable, "-I", "-S", "-c", SQLITE_FLOOR, floor_file, self.all_sql]

        total = (self.warmup + self.runs) if self.time_apply else 1
        for r in range(total):
            timed = self.time_apply and r >= self.warmup
            label = f"run {r - self.warmup + 1}/{self.runs}" if timed else (f"warm-up {r + 1}/{self.warmup}" if self.time_apply else "untimed")
            for tool in self.cutovers(r):
                SQLiteFiles.fresh(cut_files[tool])
                t, p = run(self.cutover_cmd(configs[tool], "migrate", tool=tool), cwd=self.cut_dir, env=self.cutover_envs[tool],
                           what=f"{tool} migrate (sqlite)")
                self.check(SQLiteFiles.scalar(cut_files[tool], "SELECT count(*) FROM cutover_history WHERE phase = 'applied'") == n, f"{tool} history count")
                self.check(SQLiteFiles.count_tables(cut_files[tool]) == tables, f"{tool} table count")
                self.record("sqlite", "apply", tool, t, timed, p.cpu)
                self.record("sqlite", EQUAL_DURABILITY, tool, t, timed, p.cpu)
                self.log(f"  sqlite apply  {label}: {tool:9} {t:.3f}s")

            SQLiteFiles.fresh(dbm_file)
            t, p = run(self.dbmate_cmd(dbm_url, "up"), cwd=self.dbm_dir, env=self.tool_env, what="dbmate up (sqlite)")
            self.check(SQLiteFiles.scalar(dbm_file, "SELECT count(*) FROM schema_migrations") == n, "dbmate schema_migrations count")
            self.check(SQLiteFiles.count_tables(dbm_file) == tables, "dbmate table count")
            self.record("sqlite", "apply", "dbmate", t, timed, p.cpu)
            self.log(f"  sqlite apply  {label}: dbmate    {t:.3f}s")
            if not self.time_apply:
                continue

            # The same with the durability cutover and the floor keep (SQLite's default
            # synchronous=FULL): mattn/go-sqlite3, dbmate's driver, sets NORMAL unless told.
            SQLiteFiles.fresh(dbm_file)
            t, p = run(self.dbmate_cmd(dbm_url + "?_sync=FULL", "up"), cwd=self.dbm_dir, env=self.tool_env, what="dbmate up (sqlite, _sync=FULL)")
            self.check(SQLiteFiles.scalar(dbm_file, "SELECT count(*) FROM schema_migrations") == n, "dbmate (FULL) schema_migrations count")
            self.record("sqlite", EQUAL_DURABILITY, "dbmate", t, timed, p.cpu)
            self.log(f"  sqlite apply  {label}: dbmate at synchronous=FULL {t:.3f}s")

            SQLiteFiles.fresh(floor_file)
            t, p = run(floor_cmd, what="python3 sqlite3 executescript(all.sql) (floor)")
            self.check(SQLiteFiles.count_tables(floor_file) == tables, "floor table count")
            self.record("sqlite", "apply", "floor", t, timed, p.cpu)
            self.log(f"  sqlite apply  {label}: floor     {t:.3f}s")

        self.run_steady("sqlite", configs, dbm_url)
        for tool in self.cutovers():
            self.check(SQLiteFiles.scalar(cut_files[tool], "SELECT count(*) FROM cutover_history") == n, f"no-op {tool} changed nothing")
        self.check(SQLiteFiles.scalar(dbm_file, "SELECT count(*) FROM schema_migrations") == n, "no-op dbmate changed nothing")
        self.log("  sqlite no-op migrate and status: done")

    # ---------------------------------------------------------------- report

    def machine(self):
        def out(cmd):
            try:
                return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
            except OSError as e:
                return f"unavailable ({e})"
        cpu = "unknown"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem = "unknown"
        try:
            with open("/proc/meminfo") as f:
                kb = int(f.readline().split()[1])
                mem = f"{kb / 1024 / 1024:.1f} GiB"
        except (OSError, ValueError, IndexError):
            pass
        fs = out(["stat", "-f", "-c", "%T", self.work])
        lines = [
            f"date:        {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
            f"machine:     {os.cpu_count()} CPUs (nproc {out(['nproc'])}), {cpu}, {mem} RAM, {platform.system()} {platform.release()}",
            f"work dir:    {self.work} (file system: {fs})",
            f"load avg:    {self.load_before} before, {self.loadavg()} after (1/5/15 min; includes a build that just ran, and this benchmark itself)",
            f"other work:  {self.other_work()}",
            f"cutover:     {out([self.cutover, '--version'])} ({self.cutover}), built from {self.source()}",
            *([f"cutover B:   {out([self.cutover_b, '--version'])} ({self.cutover_b})"] if self.cutover_b else []),
            f"dbmate:      {out([self.dbmate, '--version'])} ({self.dbmate})",
            f"python:      {platform.python_version()}, sqlite3 module on SQLite {sqlite3.sqlite_version} (SQLite floor)",
        ]
        if "postgresql" in self.only:
            pg = self.pg
            lines.append(f"postgresql:  {pg.sql('postgres', 'SELECT version()')}")
            settings = pg.sql(
                "postgres",
                "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings "
                "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'wal_level', 'max_wal_size')",
            )
            lines.append(f"pg settings: {settings} (defaults; loopback TCP, trust auth)")
        return lines

    def source(self):
        repo = os.environ.get("BENCH_REPO")
        if not repo or os.environ.get("CUTOVER_BIN"):
            return "a binary given with CUTOVER_BIN"
        try:
            head = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True).stdout.strip() or "unknown commit"
            dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        except OSError:
            return "unknown source"
        return f"commit {head}" + (" plus uncommitted changes" if dirty else "")

    def other_work(self):
        """CPU used during the run by processes that are not part of the benchmark."""
        after = self.cpu_seconds()
        if not self.cpu_before or not after:
            return "unknown"
        wall = time.monotonic() - self.wall_before
        other = (after[0] - self.cpu_before[0]) - (after[1] - self.cpu_before[1])
        other = max(other, 0.0)
        return (f"{other:.1f} CPU-s used by other processes and the kernel during the {wall:.0f} s run "
                f"({other / wall * 100:.0f}% of one core; near 0 = a quiet machine)")

    def report(self):
        def fmt(x):
            return "-" if x is None else (f"{x * 1000:.0f} ms" if x < 10 else f"{x:.2f} s")

        def ratio(a, b):
            return "-" if a is None or b is None else f"{a / b:.2f}x"

        rows = []
        verdict_dbmate = []
        verdict_floor = []
        for db in ("postgresql", "sqlite"):
            if db not in self.only:
                continue
            for op in OPERATIONS[db]:
                if (db, op, "cutover") not in self.samples:
                    continue  # not timed (BENCH_APPLY=0)
                med = {tool: (median(self.samples[(db, op, tool)]) if (db, op, tool) in self.samples else None)
                       for tool in ("cutover", "cutover B", "dbmate", "floor")}
                label = {"apply": f"migrate {self.count} from empty", "no-op migrate": f"no-op migrate ({self.count} applied)",
                         "status": f"status --no-drift ({self.count} applied)",
                         "status + drift": f"status with drift verdict ({self.count})",
                         EQUAL_DURABILITY: f"migrate {self.count}, dbmate at synchronous=FULL"}[op]
                ab = [fmt(med["cutover B"]), ratio(med["cutover B"], med["cutover"])] if self.cutover_b else []
                rows.append([db, label, fmt(med["cutover"])] + ab + [fmt(med["dbmate"]), fmt(med["floor"]),
                             ratio(med["cutover"], med["dbmate"]), ratio(med["cutover"], med["floor"])])
                if med["cutover"] is not None and med["dbmate"] is not None:
                    verdict_dbmate.append((db, label, med["cutover"] < med["dbmate"]))
                if med["floor"] is not None:
                    verdict_floor.append((db, label, med["cutover"] / med["floor"]))
        header = (["database", "operation", "cutover"] + (["cutover B", "B/A"] if self.cutover_b else [])
                  + ["dbmate", "floor", "cutover/dbmate", "cutover/floor"])
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]

        def line(cells):
            return "| " + " | ".join(str(c).ljust(widths[i]) if i < 2 else str(c).rjust(widths[i]) for i, c in enumerate(cells)) + " |"

        out = []
        if not self.time_apply:
            out.append("BENCH_APPLY=0: the migrations were applied once, untimed; only the steady-state rows are timed.")
        out.append(f"Medians of {self.runs} run{'s' if self.runs != 1 else ''} ({self.warmup} warm-up run{'s' if self.warmup != 1 else ''} discarded), "
                   f"{self.count} migrations ({self.statements} statements), wall-clock of one process each:")
        out.append("")
        out.append(line(header))
        out.append("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
        for r in rows:
            out.append(line(r))
        if self.cutover_b:
            out.append("")
            out.append(f"cutover:   A = {self.cutover}")
            out.append(f"cutover B: B = {self.cutover_b}" + (f" with {os.environ.get('CUTOVER_B_ENV')}" if os.environ.get("CUTOVER_B_ENV") else ""))
            out.append("           (timed in turn with A in every run, the order swapped each run;")
            out.append("           the targets below are judged on A)")
        out.append("")
        missed = [f"{db} {label}" for db, label, ok in verdict_dbmate if not ok]
        out.append("Target 1 - cutover faster than dbmate on every row: "
                   + ("MET" if not missed else "NOT MET (" + "; ".join(missed) + ")"))
        floor_missed = [f"{db} {label} {x:.2f}x" for db, label, x in verdict_floor if x > 1.5]
        out.append("Target 2 - apply within 1.5x of the floor:          "
                   + ("MET" if not floor_missed else "NOT MET (" + "; ".join(floor_missed) + ")"))
        if "sqlite" in self.only:
            out.append("")
            out.append("dbmate's SQLite driver (mattn/go-sqlite3) sets synchronous=NORMAL: one fsync fewer per commit than")
            out.append("SQLite's default FULL, which cutover and the floor keep (a commit survives a power cut). The")
            out.append("'dbmate at synchronous=FULL' row runs dbmate with ?_sync=FULL: the same durability as cutover.")
        out.append("")
        out.append("CPU time of the command itself (user + system, medians; the database server's work is not")
        out.append("included). Less sensitive than wall time to other work on the machine:")
        out.append("")
        cpu_rows = []
        for db in ("postgresql", "sqlite"):
            if db not in self.only:
                continue
            for op in OPERATIONS[db]:
                if (db, op, "cutover") not in self.cpu:
                    continue
                cells = {tool: median(self.cpu[(db, op, tool)]) if (db, op, tool) in self.cpu else None
                         for tool in ("cutover", "cutover B", "dbmate", "floor")}
                ab = [fmt(cells["cutover B"]), ratio(cells["cutover B"], cells["cutover"])] if self.cutover_b else []
                cpu_rows.append([db, op, fmt(cells["cutover"])] + ab + [fmt(cells["dbmate"]), fmt(cells["floor"]),
                                                                       ratio(cells["cutover"], cells["dbmate"])])
        cpu_header = (["database", "operation", "cutover"] + (["cutover B", "B/A"] if self.cutover_b else [])
                      + ["dbmate", "floor", "cutover/dbmate"])
        cpu_widths = [max(len(str(r[i])) for r in cpu_rows + [cpu_header]) for i in range(len(cpu_header))]

        def cpu_line(cells):
            return "| " + " | ".join(str(c).ljust(cpu_widths[i]) if i < 2 else str(c).rjust(cpu_widths[i]) for i, c in enumerate(cells)) + " |"

        out.append(cpu_line(cpu_header))
        out.append("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(cpu_widths)) + "|")
        for r in cpu_rows:
            out.append(cpu_line(r))
        out.append("")
        out.append("All samples (seconds):")
        for (db, op, tool), xs in sorted(self.samples.items()):
            out.append(f"  {db:10} {op:18} {tool:8} wall " + " ".join(f"{x:.3f}" for x in xs)
                       + "   cpu " + " ".join(f"{x:.3f}" for x in self.cpu.get((db, op, tool), [])))
        return out

    def cpu_seconds(self):
        """(busy CPU-seconds of the whole machine, CPU-seconds of this benchmark: this
        process, the commands it ran and the PostgreSQL server)."""
        tick = os.sysconf("SC_CLK_TCK")
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal ...
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick
        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            ours += usage.ru_utime + usage.ru_stime
        pgdata = os.environ.get("BENCH_PGDATA")
        if pgdata:
            try:
                with open(os.path.join(pgdata, "postmaster.pid")) as f:
                    postmaster = int(f.readline())
                pids = [postmaster]
                for entry in os.listdir("/proc"):
                    if entry.isdigit():
                        try:
                            with open(f"/proc/{entry}/stat") as f:
                                stat = f.read().rsplit(")", 1)[1].split()
                            if int(stat[1]) == postmaster:
                                pids.append(int(entry))
                        except (OSError, ValueError, IndexError):
                            pass
                for pid in pids:
                    with open(f"/proc/{pid}/stat") as f:
                        stat = f.read().rsplit(")", 1)[1].split()
                    # utime stime cutime cstime (fields 14-17, here 11-14 after the name)
                    ours += sum(int(x) for x in stat[11:15]) / tick
            except (OSError, ValueError, IndexError):
                pass
        return busy, ours

    @staticmethod
    def loadavg():
        try:
            with open("/proc/loadavg") as f:
                return " ".join(f.read().split()[:3])
        except OSError:
            return "unknown"

    def main(self):
        self.load_before = self.loadavg()
        self.cpu_before = self.cpu_seconds()
        self.wall_before = time.monotonic()
        if float(self.load_before.split()[0]) > 0.5 if self.load_before != "unknown" else False:
            self.log(f"warning: load average is {self.load_before}; other work on this machine will skew the figures")
        self.statements = generate(self.work, self.count)
        self.log(f"generated {self.count} migrations ({self.statements} statements) in {self.work}")
        if "postgresql" in self.only:
            self.bench_postgres()
        if "sqlite" in self.only:
            self.bench_sqlite()
        text = ["", "== Cutover migration benchmark =="] + self.machine() + [
            "cutover.toml: [safety] lock_timeout = \"2s\" (so every migration runs under lock_timeout, set once per session); other settings default",
            "dbmate:       --no-dump-schema, default flags otherwise (one transaction per migration, no --migration-lock)",
            "floor:        postgresql: psql -X -q -v ON_ERROR_STOP=1 -f all.sql; sqlite: python3 sqlite3 executescript(all.sql);",
            "              all.sql = the same statements, one BEGIN ... COMMIT per migration, no bookkeeping, one session",
            "",
        ] + self.report()
        print("\n".join(text))
        results = os.environ.get("RESULTS_JSON")
        if results:
            with open(results, "w") as f:
                json.dump({f"{db}|{op}|{tool}": {"wall": xs, "cpu": self.cpu.get((db, op, tool), [])}
                           for (db, op, tool), xs in self.samples.items()}, f, indent=1)


if __name__ == "__main__":
    try:
        Bench().main()
    except BenchFailure as failure:
        print(f"\nbenchmark aborted: {failure}", file=sys.stderr)
        sys.exit(1)
