import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Logging
import Testing

/// Runs the samples of the CutoverRuntime article (RuntimeDocumentationSamples.swift) against
/// real databases, and checks the article still shows exactly that code.
@Suite("Documentation: the CutoverRuntime article's samples compile, run and match it", .timeLimit(.minutes(5)))
struct RuntimeDocumentationTests {
    /// `cutover.toml` on the fixture's database and a folder migration creating `users`.
    static func service(_ backend: TestBackend) async throws -> (MigrationFixture, String) {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("20261124110000_create_users.sql", """
            CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, row_version integer NOT NULL DEFAULT 1);
            INSERT INTO users (id, email) VALUES (1, 'ADA@EXAMPLE.COM'), (2, 'GRACE@EXAMPLE.COM');
            """)
        let path = try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            [env.production]
            url = "\(fixture.url.rawText)"
            """)
        return (fixture, path)
    }

    @Test("startService applies the folder's and the registered migration once across instances; userPage upgrades, repairs and rolls out", arguments: TestBackend.all)
    func service(_ backend: TestBackend) async throws {
        let (fixture, configPath) = try await Self.service(backend)
        defer { Task { await fixture.cleanUp() } }
        let logger = Logger(label: "docs")
        // Three instances at once.
        let services = try await withThrowingTaskGroup(of: ServiceDatabase.self) { group in
            for _ in 0..<3 { group.addTask { try await startService(configPath: configPath, logger: logger) } }
            return try await group.reduce(into: [ServiceDatabase]()) { $0.append($1) }
        }
        let service = try #require(services.first)
        #expect(try await fixture.query("SELECT count(*) AS n FROM \(backend.name == "sqlite" ? "cutover_history" : "cutover.history")").first?.int("n") == 2)

        let database = try await TestBackend.open(fixture.url)
        defer { Task { await database.close() } }
        _ = try await fixture.query("UPDATE users SET phone = '555-0100' WHERE id = 1")
        #expect(try await userPage(id: 1, service: service, database: database) == "Hello, ada@example.com (555-0100)")
        #expect(try await fixture.query("SELECT row_version FROM users WHERE id = 1").first?.int("row_version") == 2)
        _ = try await service.deployment.setFlag("new_greeting", enabled: true, percent: 100)
        _ = try await service.deployment.setMaintenance(true)
        service.flags.invalidate()
        #expect(try await userPage(id: 2, service: service, database: database) == "read-only for a few minutes")
        _ = try await service.deployment.setMaintenance(false)
        service.flags.invalidate()
        #expect(try await userPage(id: 2, service: service, database: database) == "Welcome back, grace@example.com (no phone)")
    }

    @Test("watchChanges reports a migration another process applies (PostgreSQL: pushed)")
    func watch() async throws {
        let (fixture, configPath) = try await Self.service(.postgres)
        defer { Task { await fixture.cleanUp() } }
        let service = try await startService(configPath: configPath, logger: Logger(label: "docs"))
        let (changes, continuation) = AsyncStream<String>.makeStream()
        let watching = Task { try await watchChanges(service: service, logger: Logger(label: "docs")) { continuation.yield($0.description) } }
        defer { watching.cancel() }
        // A migration applied again and again until one is seen: the watcher's LISTEN may
        // start after the first one commits (the sample has no onListening to wait for).
        let seen = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var id = 20261124130000
                while !Task.isCancelled {
                    try fixture.write("\(id)_step.sql", "SELECT 1;")
                    _ = try await service.deployment.migrate()
                    id += 1
                    try await Task.sleep(for: .seconds(1))  // pacing, not synchronisation
                }
                return nil
            }
            group.addTask {
                for await change in changes { return change }
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(seen?.hasSuffix(":applied") == true, "\(String(describing: seen))")
    }

    @Test("every sample in RuntimeDocumentationSamples.swift appears verbatim in the article")
    func articleContainsTheSamples() throws {
        let folder = (#filePath as NSString).deletingLastPathComponent
        let samples = try String(contentsOfFile: folder + "/RuntimeDocumentationSamples.swift", encoding: .utf8)
        let blocks = DocumentationSamples.marked(in: samples)
        #expect(blocks.map(\.name) == ["startService", "userPage", "watchChanges"])
        let root = (((folder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let article = try String(contentsOfFile: root + "/Sources/CutoverRuntime/CutoverRuntime.docc/TheApplicationSide.md", encoding: .utf8)
        for block in blocks {
            #expect(article.contains(block.text), "the article no longer shows the sample \(block.name) as RuntimeDocumentationSamples.swift has it")
        }
    }
}
