import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// Migrations registered in Swift (`Deployment.registerMigration`), applied with the folder's
/// files through `Deployment.migrate`, on a real SQLite file and a real PostgreSQL.
@Suite("Migrations registered in Swift")
struct RegisteredMigrationTests {
    /// How often a registered body ran, across tasks.
    final class Runs: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// The fixture's deployment with `2_add_phone` registered: a column and a row in a log
    /// table, counted in `runs`.
    static func registering(_ fx: RuntimeFixture, runs: Runs? = nil) throws -> Deployment {
        var deployment = fx.deployment
        try deployment.registerMigration("2_add_phone") { db in
            runs?.add()
            try await db.execute("ALTER TABLE users ADD COLUMN phone text")
            try await db.execute("CREATE TABLE start_log (id integer)")
            try await db.execute("INSERT INTO start_log VALUES (2)")
        }
        return deployment
    }

    @Test("applied with the files in id order, once; the command-line tool sees it as app_applied, not missing", arguments: TestBackend.all)
    func appliedInOrder(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("3_more.sql", "-- cutover:up\nINSERT INTO start_log VALUES (3);\n-- cutover:down\nDELETE FROM start_log WHERE id = 3;\n")
        let runs = Runs()
        let deployment = try Self.registering(fx, runs: runs)

        let report = try await deployment.migrate()
        #expect(report.migrate.applied.map { $0.id.rawValue } == ["1", "2", "3"])
        #expect(try await fx.fixture.query("SELECT id FROM start_log ORDER BY id").map { $0.int("id") } == [2, 3])
        _ = try await fx.fixture.query("SELECT phone FROM users")
        let checksum = try await fx.fixture.query("SELECT checksum FROM \(backend.name == "sqlite" ? "cutover_history" : "cutover.history") WHERE id = '2'").first?.string("checksum")
        #expect(checksum?.hasPrefix("swift:") == true)

        // Again: nothing to do, the code does not run a second time.
        #expect(try await deployment.migrate().migrate.applied.isEmpty)
        #expect(runs.value == 1)

        // A deployment without the registration (as `cutover status` is): no problem reported.
        let states = try await fx.deployment.withMigrator(readHistory: true, events: { _ in }) { migrator, _ in try await migrator.status() }
        #expect(states.map(\.kind) == [.applied, .appliedByApp, .applied])
        let findings = try await fx.deployment.withMigrator(events: { _ in }) { migrator, _ in try await migrator.validate() }
        #expect(findings.isEmpty)

        // It has no down: rolling it back is refused by name, with or without its code at hand.
        for rollingBack in [deployment, fx.deployment] {
            let refused = await #expect(throws: CutoverError.self) { try await rollingBack.rollback(to: MigrationID("1")!) }
            #expect(refused?.message.contains("migration 2 (add_phone) was registered in Swift") == true, "\(String(describing: refused?.message))")
        }
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log").first?.int("n") == 2, "nothing was rolled back")
    }

    @Test("eight processes registering the same migration start at once: its code runs exactly once, every one goes on", arguments: TestBackend.all)
    func severalAtOnce(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let runs = Runs()
        let deployment = try Self.registering(fx, runs: runs)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Eight (SchemaGuardTests starts twenty; the whole suite shares 2 cores).
            for _ in 0..<8 {
                group.addTask {
                    var options = Deployment.MigrateOptions()
                    options.lockWait = .seconds(120)
                    _ = try await deployment.migrate(options: options)
                }
            }
            try await group.waitForAll()
        }
        #expect(runs.value == 1)
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log").first?.int("n") == 1)
    }

    @Test("a failing body leaves nothing behind, names the migration, and the next run applies the fixed code", arguments: TestBackend.all)
    func failureRollsBack(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        struct Broken: Error, CustomStringConvertible { var description: String { "the phone numbers could not be parsed" } }
        var failing = fx.deployment
        try failing.registerMigration("2_add_phone") { db in
            try await db.execute("CREATE TABLE start_log (id integer)")
            throw Broken()
        }
        let error = await #expect(throws: CutoverError.self) { try await failing.migrate() }
        #expect(error?.code == .migrationFailed)
        #expect(error?.migrationID == MigrationID("2"))
        #expect(error?.message.contains("the phone numbers could not be parsed") == true, "\(String(describing: error?.message))")
        // The table the body created before failing was rolled back with it; 1 stays applied.
        let tables = try await fx.fixture.query(
            backend.name == "sqlite" ? "SELECT count(*) AS n FROM sqlite_master WHERE name = 'start_log'" : "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'start_log'")
        #expect(tables.first?.int("n") == 0)

        let fixed = try Self.registering(fx)
        #expect(try await fixed.migrate().migrate.applied.map { $0.id.rawValue } == ["2"])
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log").first?.int("n") == 1)
    }

    @Test("mistakes are named: a bad identifier, an id registered twice, an id a file has")
    func mistakes() async throws {
        let fx = try await RuntimeFixture.make(.sqlite)
        defer { Task { await fx.fixture.cleanUp() } }
        var deployment = fx.deployment
        let bad = #expect(throws: CutoverError.self) { try deployment.registerMigration("add_phone") { _ in } }
        #expect(bad?.code == .invalidMigration)
        #expect(bad?.hint?.contains("20261124120000_add_phone") == true)

        try deployment.registerMigration("2_add_phone") { _ in }
        let twice = #expect(throws: CutoverError.self) { try deployment.registerMigration("2_add_email") { _ in } }
        #expect(twice?.message.contains("'2_add_email' has the id of '2_add_phone'") == true, "\(String(describing: twice?.message))")

        try deployment.registerMigration("1_users_again") { _ in }
        let clash = await #expect(throws: CutoverError.self) { try await deployment.migrate() }
        #expect(clash?.code == .invalidMigration)
        #expect(clash?.message.contains("'1_users.sql' and the migration registered in Swift as '1_users_again' have the same id 1") == true, "\(String(describing: clash?.message))")
    }

    @Test("an app whose migrations are all registered in Swift needs no migrations folder")
    func noFolder() async throws {
        let fx = try await RuntimeFixture.make(.sqlite)
        defer { Task { await fx.fixture.cleanUp() } }
        var config = fx.deployment.config
        config.migrations = "no-such-folder"
        var deployment = try Deployment(config: config, environment: "test", drivers: TestBackend.drivers, processEnvironment: [:])
        try deployment.registerMigration("1_users") { db in try await db.execute("CREATE TABLE users (id integer PRIMARY KEY)") }
        #expect(try await deployment.migrate().migrate.applied.map { $0.id.rawValue } == ["1"])
        // Without a registration the missing folder is still an error.
        let plain = try Deployment(config: config, environment: "test", drivers: TestBackend.drivers, processEnvironment: [:])
        await #expect(throws: CutoverError.self) { try await plain.migrate() }
    }
}
