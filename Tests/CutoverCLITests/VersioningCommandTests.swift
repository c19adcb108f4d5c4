import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover versioning")
struct VersioningCommandTests {
    @Test("enable, log and revert --json across a renamed column; prune; a table without a primary key refused (exit 2)", arguments: TestBackend.all)
    func enableLogRevert(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL); CREATE TABLE events (line text);")
        #expect(try await cli.run("migrate").status == 0)

        let enabled = try await cli.json("versioning", "enable", "users")
        #expect(enabled["key"] as? [String] == ["id"], "\(enabled)")
        #expect(try await cli.run("versioning", "enable", "users").status == 0, "enable runs again safely")
        _ = try await cli.fixture.query("INSERT INTO users (id, name) VALUES (7, 'Ada')")
        _ = try await cli.fixture.query("UPDATE users SET name = 'Grace' WHERE id = 7")

        let log = try await cli.json("versioning", "log", "users", "7")
        let versions = log["versions"] as? [[String: Any]] ?? []
        #expect(versions.map { $0["version"] as? Int } == [1, 2], "\(log)")
        #expect(versions.map { $0["operation"] as? String } == ["insert", "update"])
        #expect((versions.first?["row"] as? [String: Any])?["name"] as? String == "Ada")
        #expect(versions.first?["schema_version"] as? String == "1")
        #expect(log["drift"] is NSNull, "\(log)")
        let text = try await cli.run("versioning", "log", "users", "7")
        #expect(text.status == 0 && text.stdout.contains("2 update"), "\(text.stdout)")

        try cli.fixture.write("2_rename.sql", "ALTER TABLE users RENAME COLUMN name TO full_name;")
        #expect(try await cli.run("migrate").status == 0)
        // SQLite's triggers name the columns of their time: log says to enable again.
        let drifted = try await cli.run("versioning", "log", "users", "7")
        #expect(drifted.stderr.contains("run `cutover versioning enable users` again") == (backend.name == "sqlite"), "\(drifted.stderr)")
        let dry = try await cli.json("versioning", "revert", "users", "7", "--to", "1", "--dry-run")
        #expect(dry["dry_run"] as? Bool == true && (dry["row"] as? [String: Any])?["full_name"] as? String == "Ada", "\(dry)")
        #expect(dry["renamed"] as? [String: String] == ["name": "full_name"])
        let revert = try await cli.json("versioning", "revert", "users", "7", "--to", "1")
        #expect(revert["operation"] as? String == "update" && revert["new_version"] as? Int == 3, "\(revert)")
        #expect(try await cli.fixture.query("SELECT full_name FROM users WHERE id = 7").first?.string("full_name") == "Ada")

        let pruned = try await cli.json("versioning", "prune", "users", "--keep", "1")
        #expect(pruned["deleted"] as? Int == 2, "\(pruned)")
        let badAge = try await cli.run("versioning", "prune", "users", "--older-than", "soon")
        #expect(badAge.status == 2 && badAge.stderr.contains("--older-than takes an age"), "\(badAge.stderr)")

        let refused = try await cli.run("versioning", "enable", "events")
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("has no primary key") && refused.stderr.contains("hint:"), "\(refused.stderr)")
    }
}
