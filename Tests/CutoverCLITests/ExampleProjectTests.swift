import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `Examples/shop`, which the README's quickstart runs, works as shipped: on its SQLite dev
/// env and on a PostgreSQL staging env, with lint on, and both end up with the same tables.
@Suite("the example project")
struct ExampleProjectTests {
    @Test("Examples/shop migrates on SQLite and on PostgreSQL, lint clean, without drift")
    func shopMigratesEverywhere() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = repository.appendingPathComponent("Examples/shop")
        let staging = try await MigrationFixture.make(.postgres)
        let folder = try TemporaryDirectory(prefix: "cutover-example")
        let project = folder.url.appendingPathComponent("shop")
        try FileManager.default.copyItem(at: example, to: project)
        try? FileManager.default.removeItem(at: project.appendingPathComponent("shop.sqlite3"))
        let environment = ["STAGING_DATABASE_URL": CLIFixture.rawText(staging.url)]

        for env in ["dev", "staging"] {
            let migrate = try await CutoverProcess.run(["--env", env, "migrate"], in: project.path, environment: environment)
            #expect(migrate.status == 0, "\(env): \(migrate.stderr)")
            #expect(migrate.stdout.contains("applied 5 migrations"), "\(env): \(migrate.stdout)")
            let status = try await CutoverProcess.run(["--env", env, "status"], in: project.path, environment: environment)
            #expect(status.stdout.contains("5 applied, 0 pending"), "\(env): \(status.stdout)")
            #expect(status.stdout.contains("drift: none"), "\(env): \(status.stdout)")
        }
        let emails = try await staging.query("SELECT email FROM users ORDER BY id")
        #expect(emails.map { $0.string("email") } == ["ada@example.com", "grace@example.com"])
        #expect(try await staging.query("SELECT count(*) AS n FROM orders").first?.int("n") == 3)
        folder.remove()
        await staging.cleanUp()
    }
}
