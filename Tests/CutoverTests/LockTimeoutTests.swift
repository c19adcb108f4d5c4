import Cutover
import CutoverCore
import CutoverTestSupport
import Synchronization
import Testing

@Suite("lock_timeout retries on PostgreSQL")
struct LockTimeoutTests {
    /// Holds an ACCESS SHARE lock on `t` in an open transaction, as a long report query would.
    private func blocker(_ fixture: MigrationFixture) async throws -> any Database {
        let blocker = try await TestBackend.open(fixture.url)
        try await blocker.execute("BEGIN")
        try await blocker.execute("SELECT count(*) FROM t")
        return blocker
    }

    @Test("gives up after lock_retries with SQLSTATE 55P03, the migration rolled back and recorded as failed")
    func givesUp() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_alter.sql", "ALTER TABLE t ADD COLUMN c integer;")
        let blocker = try await blocker(fixture)
        let error = await #expect(throws: CutoverError.self) {
            try await fixture.withMigrator({ $0.lockTimeout = .milliseconds(100) }) { try await $0.migrate() }
        }
        #expect(error?.sqlState == .lockNotAvailable)
        #expect(error?.hint?.contains("gave up after 3 attempts") == true)
        try await blocker.execute("ROLLBACK")
        await blocker.close()
        #expect(try await fixture.withMigrator { try await $0.status() }.last?.kind == .failed)
        await fixture.cleanUp()
    }

    @Test("retries with backoff and succeeds once the blocking transaction ends")
    func succeedsAfterRetry() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_alter.sql", "ALTER TABLE t ADD COLUMN c integer;")
        let blocker = try await blocker(fixture)
        // Release the blocker only once a retry has happened, however slow the machine is.
        let (retried, signal) = AsyncStream<Void>.makeStream()
        let releaser = Task {
            for await _ in retried { break }
            try await blocker.execute("COMMIT")
        }
        let retries = Atomic<Int>(0)
        let database = try await TestBackend.open(fixture.url)
        var configuration = Migrator.Configuration()
        configuration.lockTimeout = .milliseconds(100)
        configuration.retry = RetryPolicy(retries: 10, base: .milliseconds(100), cap: .milliseconds(400))
        let migrator = Migrator(
            database: database, migrations: try MigrationDirectory(path: fixture.migrationsPath).load(), configuration: configuration,
            events: { event in
                if case .retrying = event {
                    retries.add(1, ordering: .relaxed)
                    signal.yield()
                }
            })
        let report = try await migrator.migrate()
        signal.finish()
        await database.close()
        try await releaser.value
        await blocker.close()
        #expect(report.applied.map(\.id.rawValue) == ["2"])
        #expect(retries.load(ordering: .relaxed) >= 1)
        let columns = try await fixture.query("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY 1")
        #expect(columns.map { $0.string("column_name") } == ["c", "id"])
        await fixture.cleanUp()
    }

    @Test("a migration's own SET lock_timeout = 0 does not carry over to the migrations after it")
    func sessionSettingDoesNotLeak() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        // Migration 2 turns the timeout off for the session (committed with it); migration 3
        // must still give up on the blocked lock after the configured 100 ms, not wait forever.
        try fixture.write("2_no_timeout.sql", "SET lock_timeout = 0;\nCREATE TABLE u (id integer);")
        try fixture.write("3_alter.sql", "ALTER TABLE t ADD COLUMN c integer;")
        let blocker = try await blocker(fixture)
        // Were the timeout lost, migration 3 would wait for the blocker: end it after 120 s so
        // the test fails (migration 3 applied) instead of hanging.
        let safetyRelease = Task {
            try await Task.sleep(for: .seconds(120))
            try await blocker.execute("ROLLBACK")
        }
        let error = await #expect(throws: CutoverError.self) {
            try await fixture.withMigrator({ $0.lockTimeout = .milliseconds(100) }) { try await $0.migrate() }
        }
        safetyRelease.cancel()
        #expect(error?.sqlState == .lockNotAvailable)
        #expect(error?.migrationID?.rawValue == "3")
        try await blocker.execute("ROLLBACK")
        await blocker.close()
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.applied, .applied, .failed])
        await fixture.cleanUp()
    }
}
