import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Migrations that run nothing on purpose, and files that are not written yet.
@Suite("no-op migrations and drafts on every backend")
struct NoOpAndDraftTests {
    @Test("an up section with only comments is applied as a no-op and recorded with its checksum", arguments: TestBackend.all)
    func noOp(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "-- cutover:up\nCREATE TABLE a (id integer);\n-- cutover:down\nDROP TABLE a;\n")
        try fixture.write("2_done_in_code.sql", "-- cutover:up\n-- The backfill runs in the application; nothing to do here.\n-- cutover:down\n")
        try fixture.write("3_noop_no_tx.sql", "-- cutover:no-transaction\n-- cutover:up\n-- Not needed on this database.\n")
        try fixture.write("4_b.sql", "CREATE TABLE b (id integer);")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["1", "2", "3", "4"])
        #expect(report.applied.map(\.statements) == [1, 0, 0, 1])
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .applied, .applied, .applied])
        for state in states {
            #expect(state.record?.phase == .applied)
            #expect(state.record?.checksum == state.migration?.checksum)
        }
        #expect(try await fixture.tableExists("b"))
        await fixture.cleanUp()
    }

    @Test("migrate applies what comes before a draft and stops there; status lists it as draft", arguments: TestBackend.all)
    func draftStopsMigrate(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try fixture.write("2_unwritten.sql", "-- cutover:draft\n-- Delete the line above once written.\n-- cutover:up\n\n\n-- cutover:down\n\n")
        try fixture.write("3_c.sql", "CREATE TABLE c (id integer);")
        let dry = try await fixture.withMigrator { try await $0.migrate(dryRun: true) }
        #expect(dry.applied.map(\.id.rawValue) == ["1"])
        #expect(dry.stoppedAtDraft?.fileName == "2_unwritten.sql")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["1"])
        #expect(report.stoppedAtDraft?.id.rawValue == "2")
        #expect(try await !fixture.tableExists("c"))
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.map(\.kind) == [.applied, .draft, .pending])
        // Once written (the marker deleted), it applies like any other.
        try fixture.write("2_unwritten.sql", "-- cutover:up\nCREATE TABLE b (id integer);\n-- cutover:down\nDROP TABLE b;\n")
        let again = try await fixture.withMigrator { try await $0.migrate() }
        #expect(again.applied.map(\.id.rawValue) == ["2", "3"])
        #expect(again.stoppedAtDraft == nil)
        await fixture.cleanUp()
    }

    @Test("a blank up section (as older `cutover new` wrote) is a draft, never a no-op", arguments: TestBackend.all)
    func blankUpIsDraft(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_old_template.sql", "-- cutover:up\n\n\n-- cutover:down\n\n")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.isEmpty)
        #expect(report.stoppedAtDraft?.draft == Migration.Draft(line: 1, isMarked: false))
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.draft])
        await fixture.cleanUp()
    }

    @Test("Deployment.migrate throws draft_migration naming the file after applying what comes before", arguments: TestBackend.all)
    func deploymentDraft(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try fixture.write("2_unwritten.sql", "-- cutover:draft\n-- cutover:up\n\n-- cutover:down\n")
        let deployment = try Deployment(config: try Self.configuration(fixture), drivers: TestBackend.drivers, processEnvironment: [:])
        var dry = Deployment.MigrateOptions()
        dry.dryRun = true
        let plan = try await deployment.migrate(options: dry)
        #expect(plan.stoppedAtDraft?.fileName == "2_unwritten.sql")
        let error = await #expect(throws: CutoverError.self) { try await deployment.migrate() }
        #expect(error?.code == .draftMigration)
        #expect(error?.file == "2_unwritten.sql")
        #expect(error?.line == 1)
        #expect(error?.message.contains("the 1 migration before it was applied") == true)
        #expect(error?.hint?.contains("-- cutover:draft") == true)
        #expect(try await fixture.tableExists("a"))
        // Baseline will not record a draft as applied either.
        let baseline = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.baseline(to: MigrationID("2")!) } }
        #expect(baseline?.code == .draftMigration)
        await fixture.cleanUp()
    }

    static func configuration(_ fixture: MigrationFixture) throws -> CutoverCore.Configuration {
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"

            [backup]
            mode = "before"
            dir = "backups"

            [env.test]
            url = "\(fixture.url.rawText)"
            """)
        return try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))
    }
}
