import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) or SIGTERM in the middle of a dump-strategy rehearsal or a backup: the
/// command is cancelled, its children stop, what it made is removed, and it exits with
/// 128 + the signal and one `interrupted:` line.
///
/// Each run is stopped at a known point without sleeps: `pg_dump` waits for a lock this test
/// holds, so the clone (or the `.partial` file) exists and `pg_dump` is running when the
/// signal comes.
@Suite("SIGINT and SIGTERM: the interrupted command cleans up and exits 130 / 143", .serialized)
struct InterruptTests {
    /// Sessions of `application` on `database`, those matching `condition`.
    private func sessions(_ database: String, application: String, _ condition: String = "true") async throws -> Int {
        try await PostgresCluster.shared.queryAsSuperuser("""
            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '\(database)' AND application_name = '\(application)' AND \(condition)
            """).first?.int("n") ?? 0
    }

    /// Rehearsal clones of `database` on the server.
    private func clones(of database: String) async throws -> [String] {
        try await PostgresCluster.shared.queryAsSuperuser("""
            SELECT datname FROM pg_database WHERE starts_with(datname, left('\(database)', 40)) AND position('rehearsal_' in datname) > 0
            """).compactMap { $0.string("datname") }
    }

    private func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// A project with one applied migration (table `small`) and one pending.
    private func project() async throws -> (cli: CLIFixture, database: String, temporary: String) {
        let cli = try await CLIFixture.make(.postgres)
        let database = try #require(cli.fixture.url.database)
        try cli.fixture.write("1_tables.sql", "CREATE TABLE small (id integer PRIMARY KEY);\nINSERT INTO small VALUES (1), (2);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_more.sql", "ALTER TABLE small ADD COLUMN note text;")
        let temporary = cli.folder + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        return (cli, database, temporary + "/")
    }

    /// Sends `signal` and waits for the run to end: at most a minute, then it is killed (a
    /// run that ignores the signal fails the test instead of hanging it).
    private func interrupt(_ run: KillableCutover, with signal: Int32) async -> Int32 {
        kill(run.pid, signal)
        let ended = await pollUntil { RunningProcess.hasEnded(run.pid) }
        #expect(ended, "cutover did not end after signal \(signal)")
        if !ended { run.killGroup() }
        return await run.wait()
    }

    /// The one line the interrupted run printed, and no error message.
    private func expectOneInterruptedLine(_ run: KillableCutover, containing text: String) {
        let stderr = run.output.stderr
        let lines = stderr.split(separator: "\n").filter { $0.hasPrefix("interrupted") }
        #expect(lines.count == 1, "\(stderr)")
        #expect(lines.first?.contains(text) == true, "\(stderr)")
        #expect(!stderr.contains("error:"), "\(stderr)")
    }

    @Test("a signal during a dump-strategy rehearsal stops pg_dump and pg_restore, drops the clone, removes the logs", arguments: [SIGINT, SIGTERM])
    func interruptedRehearsal(signal: Int32) async throws {
        let (cli, database, temporary) = try await project()
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        let run = try KillableCutover.start(["rehearse", "--strategy", "dump"], in: cli.folder, environment: ["TMPDIR": temporary])
        defer { run.cleanUp() }
        let waiting = try await pollUntil { try await sessions(database, application: "cutover-clone", "wait_event_type = 'Lock'") > 0 }
        #expect(waiting, "pg_dump never waited for the lock: \(run.output.stderr)")
        #expect(try await clones(of: database).count == 1, "the clone should exist while pg_dump runs")
        let children = run.descendants()
        #expect(Set(children.map(\.name)) == ["pg_dump", "pg_restore"], "\(children)")
        // A dump clone is not silent while it works (once a second).
        let reported = await pollUntil { run.output.stderr.contains("  clone: working, ") }
        #expect(reported, "no progress while cloning: \(run.output.stderr)")

        let status = await interrupt(run, with: signal)
        try await holder.execute("ROLLBACK")
        await holder.close()

        #expect(status == 128 + signal, "\(run.output.stderr)")
        // The line says what happened: the clone pg_restore was filling, named, was dropped.
        expectOneInterruptedLine(run, containing: "the target was not changed; removed the half-made clone \(String(database.prefix(20)))")
        expectOneInterruptedLine(run, containing: "_rehearsal_")
        // Reaped before cutover exited: no child outlives it, not even for a moment.
        #expect(children.filter { !RunningProcess.hasEnded($0.pid) }.isEmpty, "children still running: \(children)")
        #expect(try await clones(of: database).isEmpty, "the clone was left behind")
        #expect(files(in: temporary).isEmpty, "temporary files left behind: \(files(in: temporary))")
        #expect(try await pollUntil { try await sessions(database, application: "cutover-clone") == 0 }, "pg_dump's session stayed open")
        // The target is as before: the pending migration is still pending.
        let pending = try await cli.json("status", "--no-drift")
        #expect((pending["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["applied", "pending"], "\(pending)")
        await cli.cleanUp()
    }

    @Test("a signal during a backup stops pg_dump and removes the partial file and the logs; no backup is recorded", arguments: [SIGINT, SIGTERM])
    func interruptedBackup(signal: Int32) async throws {
        let (cli, database, temporary) = try await project()
        let backups = cli.folder + "/backups"
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        let run = try KillableCutover.start(["backup"], in: cli.folder, environment: ["TMPDIR": temporary])
        defer { run.cleanUp() }
        let waiting = try await pollUntil { try await sessions(database, application: "cutover-backup", "wait_event_type = 'Lock'") > 0 }
        #expect(waiting, "pg_dump never waited for the lock: \(run.output.stderr)")
        #expect(files(in: backups).contains { $0.hasSuffix(".partial") }, "\(files(in: backups))")
        let children = run.descendants()
        #expect(children.map(\.name) == ["pg_dump"], "\(children)")

        let status = await interrupt(run, with: signal)
        try await holder.execute("ROLLBACK")
        await holder.close()

        #expect(status == 128 + signal, "\(run.output.stderr)")
        expectOneInterruptedLine(run, containing: "no backup was recorded; removed the unfinished backup file \(backups)/")
        expectOneInterruptedLine(run, containing: ".dump.partial")
        #expect(children.filter { !RunningProcess.hasEnded($0.pid) }.isEmpty, "children still running: \(children)")
        #expect(!files(in: backups).contains { $0.hasSuffix(".partial") || $0.hasSuffix(".dump") || $0.hasSuffix(".schema.txt") }, "\(files(in: backups))")
        #expect(files(in: temporary).isEmpty, "temporary files left behind: \(files(in: temporary))")
        #expect(try await pollUntil { try await sessions(database, application: "cutover-backup") == 0 }, "pg_dump's session stayed open")
        let listing = try await cli.json("backups")
        #expect((listing["backups"] as? [Any])?.isEmpty ?? true, "\(listing)")
        #expect((listing["removed_partial_files"] as? [Any])?.isEmpty == true, "\(listing)")
        await cli.cleanUp()
    }

    @Test("SIGINT during migrate: the running migration rolls back and stays pending, earlier ones stay applied, a rerun applies it")
    func interruptedMigrate() async throws {
        let (cli, database, _) = try await project()
        try cli.fixture.write("3_fill.sql", "INSERT INTO small VALUES (3);")
        try cli.fixture.write("4_other.sql", "CREATE TABLE other (id integer);\nINSERT INTO small (id) SELECT 10 FROM locked;")
        _ = try await cli.fixture.query("CREATE TABLE locked (id integer)")
        // 4 waits for a lock this test holds on `locked`; 2 and 3 are applied by then.
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
        let run = try KillableCutover.start(["migrate"], in: cli.folder)
        defer { run.cleanUp() }
        let waiting = try await pollUntil {
            try await PostgresCluster.shared.queryAsSuperuser("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '\(database)' AND wait_event_type = 'Lock' AND query LIKE '%FROM locked%'
                """).first?.int("n") ?? 0 > 0
        }
        #expect(waiting, "the migration never waited for the lock: \(run.output.stderr)")
        let status = await interrupt(run, with: SIGINT)
        try await holder.execute("ROLLBACK")
        await holder.close()

        #expect(status == 130, "\(run.output.stderr)")
        // What happened, not what usually happens: no backup was taken, so none is mentioned.
        expectOneInterruptedLine(
            run, containing: "interrupted: 2_more, 3_fill were applied before the signal and stay so; 4_other was running and was cancelled: its transaction was rolled back")
        #expect(!run.output.stderr.contains("backup"), "\(run.output.stderr)")
        #expect(try await !cli.fixture.tableExists("other"), "the interrupted migration's transaction was rolled back")
        let states = try await cli.json("status", "--no-drift")["migrations"] as? [[String: Any]]
        #expect(states?.compactMap { $0["state"] as? String } == ["applied", "applied", "applied", "pending"], "\(states ?? [])")
        let rerun = try await cli.run("migrate")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try await cli.fixture.query("SELECT count(*) AS n FROM small WHERE id = 10").first?.int("n") == 0)
        #expect(try await cli.fixture.tableExists("other"))
        await cli.cleanUp()
    }

    @Test("after a kill -9 during a rehearsal, the next rehearsal names the clone left behind and how to drop it")
    func killedRehearsalCloneIsListed() async throws {
        let (cli, database, _) = try await project()
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        let run = try KillableCutover.start(["rehearse", "--strategy", "dump"], in: cli.folder)
        defer { run.cleanUp() }
        #expect(try await pollUntil { try await sessions(database, application: "cutover-clone", "wait_event_type = 'Lock'") > 0 })
        run.killProcess()
        _ = await run.wait()
        try await holder.execute("ROLLBACK")
        await holder.close()
        let left = try await clones(of: database)
        #expect(left.count == 1, "kill -9 cannot clean up: the clone stays")
        // The killed run's pg_restore session ends with it.
        #expect(try await pollUntil { try await sessions(left.first ?? "", application: "cutover-clone") == 0 })

        let next = try await cli.run("rehearse", "--strategy", "dump")
        #expect(next.status == 0, "\(next.stderr)")
        for name in left {
            #expect(next.stderr.contains(name) && next.stderr.contains("DROP DATABASE \"\(name)\""), "\(next.stderr)")
        }
        // The named statement removes it.
        for name in left { _ = try await PostgresCluster.shared.queryAsSuperuser("DROP DATABASE \"\(name)\"") }
        #expect(try await clones(of: database).isEmpty)
        await cli.cleanUp()
    }
}
