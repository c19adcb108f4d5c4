import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("backup, damage, restore: the same schema and rows come back")
struct BackupRestoreTests {
    static let usersQuery = "SELECT id, email, name FROM users ORDER BY id"
    static let ordersQuery = "SELECT id, user_id, total, note FROM orders ORDER BY id"

    @Test("restore into a new database gives back identical schema and rows", arguments: TestBackend.all)
    func restoreIntoNewDatabase(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let before = try await shop.summary()
        let users = try await shop.rows(Self.usersQuery)
        let orders = try await shop.rows(Self.ordersQuery)
        let manager = shop.manager()
        let backup = try await manager.backup().record

        // Damage: rows deleted and changed, a table dropped, a table added.
        try await shop.execute(
            "DELETE FROM orders WHERE id > 100", "UPDATE users SET email = 'x' || email WHERE id < 50",
            "DROP VIEW big_orders", "CREATE TABLE intruder (x integer)")
        #expect(try await shop.summary() != before)

        let report = try await manager.restore(backup.id)
        #expect(!report.replaced)
        #expect(report.safetyBackup == nil)
        #expect(report.target != shop.url)
        #expect(report.target.redacted.contains("restored_"))
        let restored = try await shop.summary(of: report.target)
        #expect(restored.schema == before.schema)
        #expect(restored.rowCounts == before.rowCounts)
        #expect(restored.rowCounts["users"] ?? restored.rowCounts["public.users"] == 200)
        #expect(try await shop.rows(Self.usersQuery, in: report.target) == users)
        #expect(try await shop.rows(Self.ordersQuery, in: report.target) == orders)

        // The default target now exists: a second restore there is refused.
        let again = await #expect(throws: CutoverError.self) { try await manager.restore(backup.id) }
        #expect(again?.code == .invalidArgument)
        #expect(again?.exitCode == 2)
        await shop.cleanUp(alsoDropping: [report.target])
    }

    @Test("restore over the live database needs --force, backs it up first, and brings everything back", arguments: TestBackend.all)
    func restoreOverLive(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let before = try await shop.summary()
        let users = try await shop.rows(Self.usersQuery)
        let manager = shop.manager()
        let backup = try await manager.backup().record

        try await shop.execute("DELETE FROM orders WHERE user_id > 20", "DROP TABLE events", "CREATE TABLE intruder (x integer)", "INSERT INTO intruder VALUES (1)")
        let damaged = try await shop.summary()

        let refused = await #expect(throws: CutoverError.self) { try await manager.restore(backup.id, to: .live) }
        #expect(refused?.code == .invalidArgument)
        #expect(refused?.message.contains("live database") == true)
        #expect(refused?.hint?.contains("--force") == true)
        let explicit = await #expect(throws: CutoverError.self) { try await manager.restore(backup.id, to: .database(shop.url)) }
        #expect(explicit?.code == .invalidArgument)
        #expect(try await shop.summary() == damaged, "a refused restore changes nothing")

        let report = try await manager.restore(backup.id, to: .live, force: true)
        #expect(report.replaced)
        let safety = try #require(report.safetyBackup)
        #expect(safety.reason == "before restore of \(backup.id)")
        #expect(safety.rowCounts == damaged.rowCounts, "the safety backup holds the live database as it was")
        let after = try await shop.summary()
        #expect(after.schema == before.schema)
        #expect(after.rowCounts == before.rowCounts)
        #expect(try await shop.rows(Self.usersQuery) == users)

        // Sequences continue where the backup left them.
        if backend.name == "postgres" {
            #expect(try await shop.rows("INSERT INTO events (kind) VALUES ('new') RETURNING id") == [[.integer(31)]])
            #expect(try await shop.rows("SELECT count(*) AS n FROM audit.log") == [[.integer(1)]])
        } else {
            try await shop.execute("INSERT INTO events (kind) VALUES ('new')")
            #expect(try await shop.rows("SELECT max(id) FROM events") == [[.integer(31)]])
            #expect(try await shop.rows("PRAGMA user_version") == [[.integer(7)]])
            #expect(try await shop.rows("SELECT count(*) FROM log") == [[.integer(1)]], "triggers are recreated after the rows are copied")
        }
        // The migration history came back with the data.
        let states = try await shop.fixture.withMigrator { try await $0.status() }
        #expect(states.allSatisfy { $0.kind == .applied })

        // The safety backup undoes the restore.
        let undo = try await manager.restore(safety.id, to: .live, force: true)
        #expect(try await shop.summary() == damaged)
        let catalog = try shop.catalog()
        #expect(catalog.backups.count == 3)
        #expect(undo.safetyBackup.map { catalog.backups.map(\.id).contains($0.id) } == true)
        await shop.cleanUp()
    }

    @Test("PostgreSQL: restoring over the live database removes what came after the backup (identity, serial, enums, functions, schemas)")
    func restoreRemovesLaterObjects() async throws {
        let shop = try await BackupFixture.make(.postgres)
        let manager = shop.manager()
        let before = try await shop.summary()
        let backup = try await manager.backup().record
        for n in 1...6 {
            try await shop.execute(
                "CREATE TABLE later_identity_\(n) (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text)",
                "CREATE TABLE later_serial_\(n) (id serial PRIMARY KEY, ref bigint REFERENCES later_identity_\(n) (id))",
                "INSERT INTO later_identity_\(n) (v) VALUES ('x')")
        }
        try await shop.execute(
            "CREATE TYPE later_kind AS ENUM ('a')", "CREATE DOMAIN later_positive AS integer CHECK (VALUE > 0)",
            "CREATE FUNCTION later_f(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1'",
            "CREATE VIEW later_view AS SELECT * FROM later_identity_1", "CREATE SCHEMA later_schema",
            "CREATE TABLE later_schema.t (id integer)", "DROP TABLE orders CASCADE")
        let report = try await manager.restore(backup.id, to: .live, force: true)
        #expect(report.replaced)
        #expect(try await shop.summary() == before)
        await shop.cleanUp()
    }

    @Test("restore --into a database that does not exist creates it; a non-empty one needs force", arguments: TestBackend.all)
    func restoreInto(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager()
        let backup = try await manager.backup().record
        let other: DatabaseURL
        if backend.name == "postgres" {
            other = try await PostgresCluster.shared.superuserURL(database: "into_" + PostgresCluster.randomHex(8))
        } else {
            other = try DatabaseURL("sqlite:" + shop.fixture.directory.path("elsewhere.sqlite3"))
        }
        let report = try await manager.restore(backup.id, to: .database(other))
        #expect(report.target == other)
        #expect(try await shop.summary(of: other) == shop.summary())
        try await shop.execute("DELETE FROM orders", in: other)
        let refused = await #expect(throws: CutoverError.self) { try await manager.restore(backup.id, to: .database(other)) }
        #expect(refused?.code == .invalidArgument)
        let forced = try await manager.restore(backup.id, to: .database(other), force: true)
        #expect(forced.replaced)
        #expect(forced.safetyBackup == nil, "only the live database is backed up before it is replaced")
        #expect(try await shop.rows("SELECT count(*) AS n FROM orders", in: other) == [[.integer(400)]])
        await shop.cleanUp(alsoDropping: [other])
    }

    @Test("a damaged backup file is never restored", arguments: TestBackend.all)
    func damagedFile(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager()
        let backup = try await manager.backup().record
        let path = shop.backupDirectory + "/" + backup.file
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(backup.sizeBytes / 2))
        try handle.write(contentsOf: Data([0xde, 0xad, 0xbe, 0xef]))
        try handle.close()
        try await shop.execute("DELETE FROM orders")
        let error = await #expect(throws: CutoverError.self) { try await manager.restore(backup.id, to: .live, force: true) }
        #expect(error?.code == .backupMismatch)
        #expect(error?.message.contains("damaged") == true)
        #expect(try await shop.rows("SELECT count(*) AS n FROM orders") == [[.integer(0)]])
        #expect(try shop.catalog().backups.count == 1, "no safety backup either: the check comes first")
        await shop.cleanUp()
    }

    @Test("an unknown id names what exists")
    func unknownID() async throws {
        let shop = try await BackupFixture.make(.sqlite)
        let manager = shop.manager()
        let error = await #expect(throws: CutoverError.self) { try await manager.restore("nope") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.hint?.contains("cutover backup") == true)
        let backup = try await manager.backup().record
        // A unique prefix is enough.
        let report = try await manager.restore(String(backup.id.prefix(10)))
        #expect(report.backup.id == backup.id)
        await shop.cleanUp()
    }
}
