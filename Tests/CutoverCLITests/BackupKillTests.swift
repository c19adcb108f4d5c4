import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `cutover backup` killed with SIGKILL: its `pg_dump` must die with it, and the
/// unfinished `*.partial` file must be removed (and named) by the next run.
@Suite("kill -9 during backup: pg_dump dies with cutover, the next run removes the partial file", .serialized)
struct BackupKillTests {
    private func partialFiles(_ cli: CLIFixture) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cli.folder + "/backups")) ?? []).filter { $0.hasSuffix(".partial") }.sorted()
    }

    /// The bytes written so far to the unfinished backup files.
    private func partialBytes(_ cli: CLIFixture) -> Int {
        partialFiles(cli).reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: cli.folder + "/backups/" + name)[.size] as? Int) ?? 0
            return total + size
        }
    }

    private func backupSessions(_ database: String, _ condition: String = "true") async throws -> Int {
        try await PostgresCluster.shared.queryAsSuperuser("""
            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '\(database)' AND application_name = 'cutover-backup' AND \(condition)
            """).first?.int("n") ?? 0
    }

    @Test("pg_dump dies with a killed cutover; `backups` names and removes the partial file; the next backup removes its own and succeeds")
    func killDuringBackup() async throws {
        let cli = try await CLIFixture.make(.postgres)
        let database = try #require(cli.fixture.url.database)
        try cli.fixture.write("1_tables.sql", """
            CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL);
            CREATE TABLE small (id integer PRIMARY KEY);
            """)
        #expect(try await cli.run("migrate").status == 0)
        _ = try await cli.fixture.query("INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 1500000) g")

        // 1. pg_dump waits for a lock this test holds, so it can only end by dying with cutover.
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        let blocked = try KillableCutover.start(["backup"], in: cli.folder)
        defer { blocked.cleanUp() }
        let waiting = try await pollUntil { try await backupSessions(database, "wait_event_type = 'Lock'") > 0 }
        #expect(waiting, "pg_dump never waited for the lock")
        let dumps = blocked.descendants().filter { $0.name == "pg_dump" }
        #expect(dumps.count == 1, "\(blocked.descendants())")
        blocked.killProcess()
        _ = await blocked.wait()
        let survivors = await RunningProcess.waitUntilEnded(dumps)
        #expect(survivors.isEmpty, "pg_dump kept running after cutover was killed: \(survivors)")
        try await holder.execute("ROLLBACK")
        await holder.close()
        #expect(try await pollUntil { try await backupSessions(database) == 0 }, "pg_dump's session stayed open")
        let leftover = partialFiles(cli)
        #expect(leftover.count == 1, "\(leftover)")

        // 2. `backups` removes it and says so.
        let listed = try await cli.run("backups")
        #expect(listed.status == 0, "\(listed.stderr)")
        for name in leftover { #expect(listed.stdout.contains("removed \(name)"), "\(listed.stdout)") }
        #expect(listed.stdout.contains("killed"))
        #expect(partialFiles(cli).isEmpty)

        // 3. Killed while pg_dump copies the big table: the next backup removes the file and succeeds.
        let copying = try KillableCutover.start(["backup"], in: cli.folder)
        defer { copying.cleanUp() }
        // Watched through the file, which is cheap to poll: the big table takes pg_dump
        // seconds to write, so a megabyte in, it is still writing.
        let inCopy = try await pollUntil { partialBytes(cli) > 1_000_000 }
        #expect(inCopy, "pg_dump never wrote the big table's data")
        #expect(copying.descendants().contains { $0.name == "pg_dump" }, "the backup ended before it could be killed")
        let children = copying.descendants()
        copying.killProcess()
        _ = await copying.wait()
        #expect(await RunningProcess.waitUntilEnded(children).isEmpty)
        #expect(try await pollUntil { try await backupSessions(database) == 0 })
        let second = partialFiles(cli)
        #expect(second.count == 1, "\(second)")
        let next = try await cli.run("backup")
        #expect(next.status == 0, "\(next.stderr)")
        for name in second { #expect(next.stderr.contains("removed \(name)"), "\(next.stderr)") }
        #expect(partialFiles(cli).isEmpty)
        let listing = try await cli.json("backups")
        #expect((listing["backups"] as? [[String: Any]])?.count == 1)
        #expect((listing["removed_partial_files"] as? [Any])?.isEmpty == true)
        await cli.cleanUp()
    }

    @Test("a partial file a running backup holds is left alone by another run's clean-up")
    func runningBackupKeepsItsFile() async throws {
        let cli = try await CLIFixture.make(.postgres)
        let database = try #require(cli.fixture.url.database)
        try cli.fixture.write("1_tables.sql", "CREATE TABLE small (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE")
        let running = try KillableCutover.start(["backup"], in: cli.folder)
        defer { running.cleanUp() }
        #expect(try await pollUntil { try await backupSessions(database, "wait_event_type = 'Lock'") > 0 })
        let before = partialFiles(cli)
        #expect(before.count == 1)
        let listed = try await cli.json("backups")
        #expect((listed["removed_partial_files"] as? [Any])?.isEmpty == true, "\(listed)")
        #expect(partialFiles(cli) == before)
        try await holder.execute("ROLLBACK")
        await holder.close()
        #expect(await running.wait() == 0, "\(running.output.stderr)")
        #expect(partialFiles(cli).isEmpty)
        await cli.cleanUp()
    }
}
