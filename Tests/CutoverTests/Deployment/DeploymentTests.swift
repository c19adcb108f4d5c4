import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// One deploy through the library API, as an app running its migrations at start-up would
/// call it, with lint, backups before and after, and a rehearsal configured: the same
/// pipeline `cutover migrate` runs.
@Suite("Deployment: the deploy pipeline through the library")
struct DeploymentTests {
    /// Collects a deployment's events in order.
    final class EventLog: Sendable {
        private let events = Mutex<[DeploymentEvent]>([])
        var handler: DeploymentEventHandler { { event in self.events.withLock { $0.append(event) } } }
        var all: [DeploymentEvent] { events.withLock { $0 } }

        /// One word per event, migration events by their kind; for order assertions.
        var kinds: [String] {
            all.map { event in
                switch event {
                case .planned: "planned"
                case .lintFinding(_, let disposition): "lint-\(disposition)"
                case .backupStarted(let phase): "backup-started-\(phase == .beforeMigrate ? "before" : "after")"
                case .backup: "backup-progress"
                case .backupFinished(let phase, _): "backup-finished-\(phase == .beforeMigrate ? "before" : "after")"
                case .backupAfterFailed: "backup-after-failed"
                case .cloning: "cloning"
                case .cloneReady: "clone-ready"
                case .rehearsalFinished: "rehearsal-finished"
                case .targetDrifted: "target-drifted"
                case .swapStarted: "swap-started"
                case .maintenanceSwitched(let on): "maintenance-\(on ? "on" : "off")"
                case .replayingMigrations: "replaying"
                case .migration(.migrationFinished): "migration-finished"
                case .migration: "migration-progress"
                case .expandContract: "expand-contract"
                case .schemaDumped: "schema-dumped"
                case .schemaDumpFailed: "schema-dump-failed"
                }
            }
        }
    }

    /// Writes `cutover.toml` beside the fixture's migrations, with backups before and after,
    /// a rehearsal before every migrate, and a lock timeout, and loads it as an app would.
    static func configuration(_ fixture: MigrationFixture) throws -> CutoverCore.Configuration {
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "production"

            [safety]
            lock_timeout = "2s"

            [backup]
            mode = "before-and-after"
            dir = "backups"

            [env.production]
            url = "\(fixture.url.rawText)"
            rehearse = true
            """)
        return try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))
    }

    @Test("lint, backup, rehearsal, apply, backup after: events in that order", arguments: TestBackend.all)
    func fullPipeline(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_items.sql", "CREATE TABLE items (id integer PRIMARY KEY, name text);\nCREATE INDEX items_name ON items (name);")
        try fixture.write("2_rename.sql", "ALTER TABLE items RENAME COLUMN name TO title;")
        let config = try Self.configuration(fixture)
        let deployment = try Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:])
        let log = EventLog()

        let report = try await deployment.migrate(events: log.handler)

        #expect(report.applied.map(\.id.rawValue) == ["1", "2"])
        #expect(report.target.environment == "production")
        // The rename is a warning (old app nodes still read `name`): reported, not blocking.
        #expect(report.lintFindings.map(\.rule) == ["renaming-column"])
        let before = try #require(report.backupBefore)
        let after = try #require(report.backupAfter)
        #expect(before.reason == "before migrate" && after.reason == "after migrate")
        #expect(after.lastMigration == "2")
        let rehearsal = try #require(report.rehearsal)
        #expect(rehearsal.report.applied.map(\.rawValue) == ["1", "2"])
        #expect(rehearsal.dropped)

        // The order of the pipeline, with the progress events left out.
        let steps = log.kinds.filter { $0 != "backup-progress" && $0 != "migration-progress" }
        #expect(steps == [
            "planned", "lint-warning",
            "backup-started-before", "backup-finished-before",
            "cloning", "clone-ready", "migration-finished", "migration-finished", "rehearsal-finished",
            "migration-finished", "migration-finished",
            "backup-started-after", "backup-finished-after",
        ])
        #expect(try await fixture.tableExists("items"))
        #expect(before.file != after.file)
        for record in [before, after] {
            #expect(FileManager.default.fileExists(atPath: fixture.directory.path("backups/\(record.file)")), "backup file \(record.file)")
        }

        // A second deploy finds nothing pending: one session, no backup, no rehearsal.
        let again = EventLog()
        let second = try await deployment.migrate(events: again.handler)
        #expect(second.applied.isEmpty && second.backupBefore == nil && second.rehearsal == nil)
        #expect(again.kinds == ["planned"])
        await fixture.cleanUp()
    }

    @Test("a lint error stops the deploy before the backup, and the database is untouched", arguments: TestBackend.all)
    func lintErrorStopsBeforeAnything(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_items.sql", "CREATE TABLE items (id integer PRIMARY KEY);\nINSERT INTO items VALUES (1);")
        let config = try Self.configuration(fixture)
        let deployment = try Deployment(config: config, drivers: TestBackend.drivers, processEnvironment: [:])
        _ = try await deployment.migrate()
        try fixture.write("2_code.sql", "ALTER TABLE items ADD COLUMN code text NOT NULL;")
        let log = EventLog()

        let error = await #expect(throws: CutoverError.self) { try await deployment.migrate(events: log.handler) }

        #expect(error?.code == .validationFailed)
        #expect(error?.migrationID?.rawValue == "2")
        #expect(log.kinds == ["planned", "lint-blocking"])
        let columns = try await fixture.query(backend.name == "sqlite"
            ? "SELECT count(*) AS n FROM pragma_table_info('items') WHERE name = 'code'"
            : "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'code'")
        #expect(columns.first?.int("n") == 0)

        // With the gate off (`--no-lint`) the finding is reported as overridden and the
        // deploy goes on: here it then fails on the database itself, as the lint said.
        var options = Deployment.MigrateOptions()
        options.enforcesLint = false
        options.rehearse = false
        options.takesBackup = false
        let overridden = EventLog()
        await #expect(throws: CutoverError.self) { try await deployment.migrate(options: options, events: overridden.handler) }
        #expect(overridden.kinds.prefix(2) == ["planned", "lint-overridden"])
        await fixture.cleanUp()
    }

    @Test("promote applies to production what staging has, through the same pipeline, and ends identical", arguments: TestBackend.all)
    func promote(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let production = backend.name == "sqlite"
            ? try DatabaseURL("sqlite:" + fixture.directory.path("production.sqlite3"))
            : try await PostgresCluster.shared.makeDatabase(prefix: "promote")
        try fixture.write("1_items.sql", "CREATE TABLE items (id integer PRIMARY KEY, name text);")
        try fixture.write("2_price.sql", "ALTER TABLE items ADD COLUMN price integer;")
        try fixture.directory.write("cutover.toml", """
            [safety]
            lock_timeout = "2s"
            [env.staging]
            url = "\(fixture.url.rawText)"
            [env.production]
            url = "\(production.rawText)"
            """)
        let config = try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))
        let staging = try Deployment(config: config, environment: "staging", drivers: TestBackend.drivers, processEnvironment: [:])
        let target = try Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:])
        _ = try await staging.migrate()
        try fixture.write("3_later.sql", "CREATE TABLE later (id integer);")  // a file staging has not applied
        let log = EventLog()

        let report = try await target.promote(from: staging, events: log.handler)

        #expect(report.refusal == nil)
        #expect(report.plan.pending.map(\.rawValue) == ["1", "2"])
        #expect(report.migrate?.applied.map(\.id.rawValue) == ["1", "2"], "3 is not promoted: staging has not applied it")
        #expect(report.comparison?.isEmpty == true)
        #expect(log.kinds.filter { $0 == "migration-finished" }.count == 2)
        let again = try await target.promote(from: staging)
        #expect(again.plan.pending.isEmpty && again.migrate == nil && again.refusal == nil)
        if backend.name == "postgres" { await PostgresCluster.shared.dropDatabase(production) }
        await fixture.cleanUp()
    }

    @Test("an unknown environment and a URL no driver serves are refused before connecting")
    func badTargets() async throws {
        var config = CutoverCore.Configuration(file: "cutover.toml", baseDirectory: "/tmp")
        config.environments["dev"] = .init(name: "dev", url: "mysql://localhost/shop", line: 3)
        let unknown = #expect(throws: CutoverError.self) {
            try Deployment(config: config, environment: "prod", drivers: TestBackend.drivers, processEnvironment: [:])
        }
        #expect(unknown?.code == .invalidConfig)
        let noDriver = #expect(throws: CutoverError.self) {
            try Deployment(config: config, environment: "dev", drivers: TestBackend.drivers, processEnvironment: [:])
        }
        #expect(noDriver?.code == .invalidURL)
        #expect(noDriver?.message.contains("mysql") == true)
    }
}
