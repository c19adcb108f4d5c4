import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// A rollback never reports success while the up section's change stays, and takes the
/// configured backup first.
@Suite("rollback safety on every backend")
struct RollbackSafetyTests {
    @Test("an empty down section below a schema change is refused, naming the file; the column stays", arguments: TestBackend.all)
    func emptyDownRefused(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer);\n-- cutover:down\nDROP TABLE users;\n")
        try fixture.write("2_email.sql", "-- cutover:up\nALTER TABLE users ADD COLUMN email text;\n\n-- cutover:down\n\n")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        for dryRun in [true, false] {
            let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.rollback(dryRun: dryRun) } }
            #expect(error?.code == .invalidArgument)
            #expect(error?.file == "2_email.sql")
            #expect(error?.line == 4)
            #expect(error?.message.contains("the down section is empty") == true)
            #expect(error?.hint?.contains("-- cutover:down empty") == true)
        }
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.applied, .applied])
        let columns = backend.name == "sqlite"
            ? "SELECT name FROM pragma_table_info('users') WHERE name = 'email'"
            : "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'"
        #expect(try await fixture.query(columns).count == 1)
        await fixture.cleanUp()
    }

    @Test("`-- cutover:down empty` rolls back on purpose without running anything", arguments: TestBackend.all)
    func markedEmptyDown(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_seed.sql", "-- cutover:up\nCREATE TABLE t (id integer);\n-- cutover:down empty\n-- The table is kept on purpose.\n")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let report = try await fixture.withMigrator { try await $0.rollback() }
        #expect(report.rolledBack.map(\.statements) == [0])
        #expect(try await fixture.tableExists("t"))
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.pending])
        await fixture.cleanUp()
    }

    @Test("a dry run reports what would be rolled back and changes nothing", arguments: TestBackend.all)
    func dryRun(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\n-- cutover:down\nDROP TABLE a;\n")
        try fixture.write("2_b.sql", "-- cutover:up\nCREATE TABLE b (id integer);\n-- cutover:down\nDROP TABLE b;\nSELECT 1;\n")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let report = try await fixture.withMigrator { try await $0.rollback(steps: 2, dryRun: true) }
        #expect(report.isDryRun)
        #expect(report.rolledBack.map(\.id.rawValue) == ["2", "1"])
        #expect(report.rolledBack.map(\.statements) == [2, 1])
        #expect(report.rolledBack.allSatisfy { $0.durationMilliseconds == nil })
        #expect(try await fixture.tableExists("a"))
        #expect(try await fixture.tableExists("b"))
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.applied, .applied])
        await fixture.cleanUp()
    }

    @Test("Deployment.rollback takes the [backup] mode backup before running the down sections", arguments: TestBackend.all)
    func backupFirst(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\nINSERT INTO a VALUES (7);\n-- cutover:down\nDROP TABLE a;\n")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let deployment = try Deployment(config: try NoOpAndDraftTests.configuration(fixture), drivers: TestBackend.drivers, processEnvironment: [:])
        var dry = Deployment.RollbackOptions()
        dry.dryRun = true
        let plan = try await deployment.rollback(options: dry)
        #expect(plan.rolledBack.map(\.id.rawValue) == ["1"] && plan.backup == nil)
        #expect(try deployment.backupManager().list().isEmpty)

        let report = try await deployment.rollback()
        #expect(report.rolledBack.map(\.id.rawValue) == ["1"])
        let backup = try #require(report.backup)
        #expect(backup.reason == "before rollback")
        #expect(try deployment.backupManager().list().map(\.id) == [backup.id])
        #expect(try await !fixture.tableExists("a"))
        // The data the down section dropped is in the backup.
        _ = try await deployment.backupManager().restore(backup.id, to: .live, force: true)
        #expect(try await fixture.query("SELECT id FROM a").count == 1)
        await fixture.cleanUp()
    }

    @Test("a rollback confirmed for other migrations than those now applied runs nothing", arguments: TestBackend.all)
    func expecting(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\n-- cutover:down\nDROP TABLE a;\n")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let error = await #expect(throws: CutoverError.self) {
            try await fixture.withMigrator { try await $0.rollback(expecting: [MigrationID("2")!]) }
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await fixture.tableExists("a"))
        await fixture.cleanUp()
    }
}
