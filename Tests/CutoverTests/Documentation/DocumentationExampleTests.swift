import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Runs the code samples of the DocC articles (`Sources/Cutover/Documentation.docc`), which
/// live in DocumentationSamples.swift, against real databases, and checks that the articles
/// still show exactly that code.
@Suite("Documentation: the articles' samples compile, run and match the articles")
struct DocumentationExampleTests {
    // MARK: - GettingStarted.md

    /// The `cutover.toml` of GettingStarted.md.
    static let gettingStartedConfig = """
        migrations = "migrations"
        default_env = "dev"

        [env.dev]
        url = "sqlite:dev.sqlite3"
        """

    /// The migration file of GettingStarted.md.
    static let gettingStartedMigration = """
        -- cutover:up
        CREATE TABLE users (
            id integer PRIMARY KEY,
            email text NOT NULL UNIQUE
        );

        -- cutover:down
        DROP TABLE users;
        """

    @Test("GettingStarted: migrateDevDatabase applies the migration once and logs each step")
    func gettingStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configPath = try directory.write("cutover.toml", Self.gettingStartedConfig)
        try directory.write("migrations/20261124120000_create_users.sql", Self.gettingStartedMigration)
        let log = LogCapture()

        let report = try await migrateDevDatabase(configPath: configPath, logger: log.logger)

        #expect(report.applied.map(\.id.rawValue) == ["20261124120000"])
        #expect(report.applied.first?.name == "create_users")
        #expect(report.target.environment == "dev")
        #expect(log.messages.contains("1 migration(s) pending"))
        #expect(log.messages.contains { $0.hasPrefix("applied 20261124120000_create_users in ") })
        #expect(log.messages.contains { $0.hasPrefix("20261124120000: 1 statement(s) in ") })
        // The relative `sqlite:dev.sqlite3` is beside cutover.toml, wherever the app runs.
        let database = try DatabaseURL("sqlite:" + directory.path("dev.sqlite3"))
        #expect(try await Self.tableCount(named: "users", in: database) == 1)

        // The next start finds nothing to do.
        let again = LogCapture()
        let second = try await migrateDevDatabase(configPath: configPath, logger: again.logger)
        #expect(second.applied.isEmpty)
        #expect(again.messages == ["0 migration(s) pending"])
    }

    // MARK: - EmbeddingInAnApp.md

    @Test("EmbeddingInAnApp: migrateAtStartUp applies, logs events, and a later instance finds nothing to do", arguments: TestBackend.all)
    func startUp(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let configPath = try Self.writeServiceConfig(fixture)
        try fixture.write("20261124120000_create_items.sql", "CREATE TABLE items (id integer PRIMARY KEY, name text);")
        try fixture.write("20261124130000_create_prices.sql", "CREATE TABLE prices (id integer PRIMARY KEY, item integer);")
        let log = LogCapture()

        let report = try await migrateAtStartUp(configPath: configPath, environment: "production", logger: log.logger)

        #expect(report.applied.map(\.id.rawValue) == ["20261124120000", "20261124130000"])
        #expect(log.entries.contains { $0.message == "migrations pending" && $0.metadata["ids"] == "20261124120000,20261124130000" })
        #expect(log.messages.filter { $0.hasPrefix("applied ") } == ["applied 20261124120000_create_items", "applied 20261124130000_create_prices"])
        let ready = try #require(log.entries.first { $0.message == "database ready" })
        #expect(ready.metadata["applied"] == "2" && ready.metadata["skipped"] == "0")
        #expect(try await fixture.tableExists("items"))

        // A second instance started after the first finished: nothing pending, nothing logged
        // but the verdict.
        let second = LogCapture()
        let again = try await migrateAtStartUp(configPath: configPath, environment: "production", logger: second.logger)
        #expect(again.applied.isEmpty)
        #expect(second.messages == ["database ready"])
        await fixture.cleanUp()
    }

    @Test("EmbeddingInAnApp: a failing migration is logged with its message and hint, and rethrown", arguments: TestBackend.all)
    func startUpFailure(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let configPath = try Self.writeServiceConfig(fixture)
        try fixture.write("20261124120000_create_items.sql", "CREATE TABLE items (id integer PRIMARY KEY);")
        try fixture.write("20261124130000_broken.sql", "CREATE TABLE prices (id integer PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);")
        let log = LogCapture()

        let error = await #expect(throws: CutoverError.self) {
            try await migrateAtStartUp(configPath: configPath, environment: "production", logger: log.logger)
        }

        #expect(error?.code == .migrationFailed)
        #expect(error?.migrationID?.rawValue == "20261124130000")
        let critical = try #require(log.entries.first { $0.level == .critical })
        #expect(critical.message.hasPrefix("migrations failed: "))
        #expect(critical.message.contains("no_such_table"))
        #expect(critical.metadata["code"] == "migration_failed")
        #expect(critical.metadata["migration"] == "20261124130000")
        #expect(critical.metadata["hint"].map { !$0.isEmpty } == true)
        // The first migration stands; the failed one left nothing behind.
        #expect(try await fixture.tableExists("items"))
        #expect(try await !fixture.tableExists("prices"))
        await fixture.cleanUp()
    }

    @Test("EmbeddingInAnApp: a lint error stops start-up before the database is touched", arguments: [TestBackend.sqlite])
    func startUpLintError(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let configPath = try Self.writeServiceConfig(fixture)
        try fixture.write("20261124120000_create_items.sql", "CREATE TABLE items (id integer PRIMARY KEY);")
        _ = try await migrateAtStartUp(configPath: configPath, environment: "production", logger: LogCapture().logger)
        try fixture.write("20261124130000_code.sql", "ALTER TABLE items ADD COLUMN code text NOT NULL;")
        let log = LogCapture()

        let error = await #expect(throws: CutoverError.self) {
            try await migrateAtStartUp(configPath: configPath, environment: "production", logger: log.logger)
        }

        #expect(error?.code == .validationFailed)
        #expect(log.entries.contains { $0.level == .error && $0.message.contains("20261124130000_code.sql") })
        let critical = try #require(log.entries.first { $0.level == .critical })
        #expect(critical.metadata["code"] == "validation_failed")
        #expect(critical.metadata["hint"]?.contains("cutover:allow") == true)
        await fixture.cleanUp()
    }

    @Test("EmbeddingInAnApp: pendingMigrations lists what a deploy would apply and changes nothing", arguments: TestBackend.all)
    func dryRun(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let configPath = try Self.writeServiceConfig(fixture)
        try fixture.write("20261124120000_create_items.sql", "CREATE TABLE items (id integer PRIMARY KEY);")
        try fixture.write("20261124130000_create_prices.sql", "CREATE TABLE prices (id integer PRIMARY KEY);")
        let deployment = try Deployment(
            config: try ConfigurationLoader().load(explicitPath: configPath), environment: "production",
            drivers: TestBackend.drivers, processEnvironment: [:])

        let pending = try await pendingMigrations(of: deployment)

        #expect(pending.map(\.rawValue) == ["20261124120000", "20261124130000"])
        #expect(try await !fixture.tableExists("items"))
        #expect(try await deployment.migrate().applied.count == 2)
        #expect(try await pendingMigrations(of: deployment).isEmpty)
        await fixture.cleanUp()
    }

    @Test("EmbeddingInAnApp: deployWithRehearsal backs up, rehearses on a clone, applies, and logs the locks", arguments: TestBackend.all)
    func rehearsedDeploy(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let configPath = try Self.writeServiceConfig(fixture, backup: true)
        try fixture.write("20261124120000_create_items.sql", "CREATE TABLE items (id integer PRIMARY KEY, name text);")
        let deployment = try Deployment(
            config: try ConfigurationLoader().load(explicitPath: configPath), environment: "production",
            drivers: TestBackend.drivers, processEnvironment: [:])
        _ = try await deployment.migrate()
        try fixture.write("20261124130000_add_price.sql", "ALTER TABLE items ADD COLUMN price integer;")
        let log = LogCapture()

        let report = try await deployWithRehearsal(deployment, logger: log.logger)

        #expect(report.applied.map(\.id.rawValue) == ["20261124130000"])
        #expect(report.backupBefore?.reason == "before migrate")
        let rehearsal = try #require(report.rehearsal)
        #expect(rehearsal.report.applied.map(\.rawValue) == ["20261124130000"] && rehearsal.dropped)
        let lines = log.messages
        let backup = try #require(lines.firstIndex(of: "backup before migrate taken"))
        let rehearsed = try #require(lines.firstIndex(of: "rehearsal on a clone succeeded"))
        let applied = try #require(lines.lastIndex(of: "applied 20261124130000_add_price"))
        #expect(backup < rehearsed && rehearsed < applied, "\(lines)")
        if backend.name == "postgres" {
            // ALTER TABLE takes ACCESS EXCLUSIVE on a table that existed before: reported.
            #expect(log.entries.contains { $0.level == .notice && $0.message.hasPrefix("20261124130000 line 1 blocks reads and writes for ") })
        }
        await fixture.cleanUp()
    }

    // MARK: - The articles show the samples

    @Test("every sample in DocumentationSamples.swift appears verbatim in its article")
    func articlesContainTheSamples() throws {
        let samples = try String(contentsOfFile: Self.testsFolder + "/DocumentationSamples.swift", encoding: .utf8)
        let blocks = DocumentationSamples.marked(in: samples)
        #expect(blocks.map(\.name) == ["migrateDevDatabase", "migrateAtStartUp", "logDeploymentEvent", "pendingMigrations", "deployWithRehearsal"])
        let gettingStarted = try Self.article("GettingStarted.md")
        let embedding = try Self.article("EmbeddingInAnApp.md")
        for block in blocks {
            let article = block.name == "migrateDevDatabase" ? gettingStarted : embedding
            #expect(article.contains(block.text), "the article no longer shows the sample \(block.name) as DocumentationSamples.swift has it")
        }
        #expect(gettingStarted.contains(Self.gettingStartedConfig))
        #expect(gettingStarted.contains(Self.gettingStartedMigration))
        #expect(gettingStarted.contains("DocumentationExampleTests.gettingStarted"))
        #expect(embedding.contains("DocumentationExampleTests"))
    }

    // MARK: - Helpers

    /// Writes `cutover.toml` for a service: one `production` environment on the fixture's
    /// database, optionally with `[backup] mode = "before"`.
    static func writeServiceConfig(_ fixture: MigrationFixture, backup: Bool = false) throws -> String {
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"

            [safety]
            lock_timeout = "2s"
            \(backup ? "\n[backup]\nmode = \"before\"\ndir = \"backups\"\n" : "")
            [env.production]
            url = "\(fixture.url.rawText)"
            """)
    }

    /// How many tables named `name` the SQLite database at `url` has.
    static func tableCount(named name: String, in url: DatabaseURL) async throws -> Int? {
        let database = try await TestBackend.open(url)
        let rows = try await database.query("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = '\(name)'")
        await database.close()
        return rows.first?.int("n")
    }

    /// This folder (Tests/CutoverTests/Documentation).
    static var testsFolder: String { (#filePath as NSString).deletingLastPathComponent }

    /// The text of an article of the catalogue.
    static func article(_ name: String) throws -> String {
        let root = ((testsFolder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let packageRoot = (root as NSString).deletingLastPathComponent
        return try String(contentsOfFile: packageRoot + "/Sources/Cutover/Documentation.docc/" + name, encoding: .utf8)
    }
}

/// A `Logger` whose entries a test can read.
final class LogCapture: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let stored = Mutex<[Entry]>([])

    /// The lines the samples logged; the lines the library logged through the same logger
    /// (its own info and debug lines) are left out.
    var entries: [Entry] { stored.withLock { $0 } }
    var messages: [String] { entries.map(\.message) }

    /// A logger at `.trace` writing here.
    var logger: Logger {
        var logger = Logger(label: "app") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ entry: Entry) { stored.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            // The samples are compiled into this module; the pipeline's lines come from Cutover.
            guard event.source == "CutoverTests" else { return }
            var fields: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
            capture.append(Entry(level: event.level, message: event.message.description, metadata: fields))
        }
    }
}
