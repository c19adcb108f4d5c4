import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("rollback and baseline on every backend")
struct RollbackBaselineTests {
    @Test("rollback runs down sections newest first, by steps or down to an id", arguments: TestBackend.all)
    func rollback(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        for n in 1...4 {
            try fixture.write("\(n)_t\(n).sql", "-- cutover:up\nCREATE TABLE t\(n) (id integer);\n-- cutover:down\nDROP TABLE t\(n);")
        }
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let one = try await fixture.withMigrator { try await $0.rollback() }
        #expect(one.rolledBack.map(\.id.rawValue) == ["4"])
        #expect(try await !fixture.tableExists("t4"))
        let toOne = try await fixture.withMigrator { try await $0.rollback(to: MigrationID("1")!) }
        #expect(toOne.rolledBack.map(\.id.rawValue) == ["3", "2"])
        #expect(try await fixture.tableExists("t1"))
        #expect(try await !fixture.tableExists("t2"))
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .pending, .pending, .pending])
        // Rolled-back migrations apply again.
        let again = try await fixture.withMigrator { try await $0.migrate() }
        #expect(again.applied.map(\.id.rawValue) == ["2", "3", "4"])
        await fixture.cleanUp()
    }

    @Test("a migration without a down section is refused before anything runs", arguments: TestBackend.all)
    func irreversible(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\n-- cutover:down\nDROP TABLE a;")
        try fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.rollback(steps: 2) } }
        #expect(error?.code == .invalidArgument)
        #expect(error?.file == "2_b.sql")
        #expect(try await fixture.tableExists("a"))
        #expect(try await fixture.tableExists("b"))
        await fixture.cleanUp()
    }

    @Test("a failing down statement leaves the migration applied and the schema unchanged", arguments: TestBackend.all)
    func failingDown(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\n-- cutover:down\nDROP TABLE a;\nDROP TABLE nope;")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.rollback() } }
        #expect(error?.code == .migrationFailed)
        #expect(error?.line == 5)
        #expect(try await fixture.tableExists("a"))
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.applied])
        await fixture.cleanUp()
    }

    @Test("baseline adopts an existing database without running anything", arguments: TestBackend.all)
    func baseline(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        try fixture.write("3_c.sql", "CREATE TABLE c (id integer);")
        // The database already has a and b, made by hand.
        let database = try await TestBackend.open(fixture.url)
        try await database.execute("CREATE TABLE a (id integer)")
        try await database.execute("CREATE TABLE b (id integer)")
        await database.close()
        let adopted = try await fixture.withMigrator { try await $0.baseline(to: MigrationID("2")!) }
        #expect(adopted.map(\.rawValue) == ["1", "2"])
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .applied, .pending])
        #expect(states[0].record?.kind == "baseline")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["3"])
        await fixture.cleanUp()
    }
}
