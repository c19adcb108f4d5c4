import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("migrate on every backend")
struct MigrateTests {
    @Test("applies by numeric id: 9 before 10, each exactly once", arguments: TestBackend.all)
    func numericOrder(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_log.sql", "-- cutover:up\nCREATE TABLE log (id integer, step text);\n-- cutover:down\nDROP TABLE log;")
        try fixture.write("10_ten.sql", "-- cutover:up\nINSERT INTO log VALUES (3, 'ten');")
        try fixture.write("9_nine.sql", "-- cutover:up\nINSERT INTO log VALUES (2, 'nine');")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["1", "9", "10"])
        let again = try await fixture.withMigrator { try await $0.migrate() }
        #expect(again.applied.isEmpty)
        let rows = try await fixture.query("SELECT step FROM log ORDER BY id")
        #expect(rows.map { $0.string("step") } == ["nine", "ten"])
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .applied, .applied])
        #expect(states.allSatisfy { $0.record?.appliedBy?.contains("@") == true })
        await fixture.cleanUp()
    }

    @Test("refuses a pending migration older than the newest applied one unless allowed", arguments: TestBackend.all)
    func outOfOrder(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try fixture.write("3_c.sql", "CREATE TABLE c (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.first { $0.id == MigrationID("2")! }?.kind == .outOfOrder)
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.code == .validationFailed)
        #expect(error?.exitCode == 3)
        #expect(error?.message.contains("2_b.sql") == true)
        #expect(try await !fixture.tableExists("b"))
        let report = try await fixture.withMigrator({ $0.allowOutOfOrder = true }) { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["2"])
        #expect(try await fixture.tableExists("b"))
        await fixture.cleanUp()
    }

    @Test("a changed applied file blocks migrate and validate until repaired, per migration", arguments: TestBackend.all)
    func checksumChange(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);\nSELECT 1;\n")
        try fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        // Line endings alone (a Windows checkout) do not count as a change.
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);\r\nSELECT 1;\r\n")
        #expect(try await fixture.withMigrator { try await $0.validate() }.isEmpty)
        try fixture.write("1_a.sql", "CREATE TABLE a (id bigint);")
        try fixture.write("2_b.sql", "CREATE TABLE b (id bigint);")
        try fixture.write("3_c.sql", "CREATE TABLE c (id integer);")
        let findings = try await fixture.withMigrator { try await $0.validate() }
        #expect(findings.map(\.kind) == [.changed, .changed])
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.code == .validationFailed)
        #expect(error?.hint?.contains("cutover repair 1 2") == true)
        #expect(try await !fixture.tableExists("c"))
        let actions = try await fixture.withMigrator { try await $0.repair([MigrationID("1")!]) }
        #expect(actions.map(\.action) == ["checksum_updated"])
        #expect(try await fixture.withMigrator { try await $0.validate() }.map(\.id.rawValue) == ["2"])
        await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.repair([MigrationID("3")!]) } }
        _ = try await fixture.withMigrator { try await $0.repair([MigrationID("2")!]) }
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["3"])
        await fixture.cleanUp()
    }

    @Test("repairing a failed migration whose file is gone says so, instead of calling it pending", arguments: TestBackend.all)
    func repairFailedWithoutFile(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        defer { Task { await fixture.cleanUp() } }
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try fixture.write("2_bad.sql", "INSERT INTO no_such_table VALUES (1);")
        await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        try fixture.remove("2_bad.sql")
        let actions = try await fixture.withMigrator { try await $0.repair([MigrationID("2")!]) }
        #expect(actions.map(\.action) == ["failed_removed"])
        #expect(actions.first?.detail.contains("its file is gone, so nothing is pending for it") == true, "\(actions)")
        #expect(actions.first?.detail.contains("pending") == true && actions.first?.detail.contains("the migration is pending") == false)
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.id.rawValue) == ["1"])
    }

    @Test("the third statement fails: nothing of the migration remains, the run stops, later ones are not applied", arguments: TestBackend.all)
    func failureAtomicity(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_ok.sql", "CREATE TABLE ok (id integer);")
        try fixture.write("2_bad.sql", """
            -- cutover:up
            CREATE TABLE half (id integer);
            INSERT INTO half VALUES (1);

            INSERT INTO no_such_table VALUES (1);
            -- cutover:down
            DROP TABLE half;
            """)
        try fixture.write("3_later.sql", "CREATE TABLE later (id integer);")
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.code == .migrationFailed)
        #expect(error?.exitCode == 1)
        #expect(error?.file == "2_bad.sql")
        #expect(error?.line == 5)
        #expect(error?.message.contains("statement 3 of 3") == true)
        if backend.name == "postgres" { #expect(error?.sqlState == .undefinedTable) }
        #expect(try await fixture.tableExists("ok"))
        #expect(try await !fixture.tableExists("half"))
        #expect(try await !fixture.tableExists("later"))
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .failed, .pending])
        let failed = try #require(states[1].record)
        #expect(failed.failedLine == 5)
        #expect(failed.failedStatement == "INSERT INTO no_such_table VALUES (1)")
        #expect(failed.errorMessage?.contains("no_such_table") == true)
        // Fixing the file and running again applies it and the later one.
        try fixture.write("2_bad.sql", "CREATE TABLE half (id integer);\nINSERT INTO half VALUES (1);")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["2", "3"])
        await fixture.cleanUp()
    }

    @Test("--to stops at the given id; a dry run changes nothing", arguments: TestBackend.all)
    func targetAndDryRun(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        for n in 1...3 { try fixture.write("\(n)_t\(n).sql", "CREATE TABLE t\(n) (id integer);") }
        let dry = try await fixture.withMigrator { try await $0.migrate(dryRun: true) }
        #expect(dry.isDryRun && dry.applied.count == 3)
        #expect(try await !fixture.tableExists("t1"))
        let report = try await fixture.withMigrator { try await $0.migrate(to: MigrationID("2")!) }
        #expect(report.applied.map(\.id.rawValue) == ["1", "2"])
        #expect(try await !fixture.tableExists("t3"))
        await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate(to: MigrationID("99")!) } }
        await fixture.cleanUp()
    }
}
