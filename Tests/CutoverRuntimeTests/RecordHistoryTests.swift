import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Testing

/// Record history on a real SQLite file and a real PostgreSQL: the triggers that keep every
/// version of a row, and reverting a row across the migrations applied since.
@Suite("RecordHistory and cutover.record_versions")
struct RecordHistoryTests {
    @Test("an insert, an update and a delete are recorded as versions 1, 2, 3 with the row, the operation and the schema version", arguments: TestBackend.all)
    func versionsAreRecorded(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        let users = RecordHistory(deployment: fx.deployment, table: "users")
        #expect(try await users.enable() == ["id"])
        #expect(try await users.enable() == ["id"], "enable runs again safely")

        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (7, 'Ada')")
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (8, 'Alan')")
        _ = try await fx.fixture.query("UPDATE users SET name = 'Ada L' WHERE id = 7")
        _ = try await fx.fixture.query("DELETE FROM users WHERE id = 7")

        let versions = try await users.versions(of: 7)
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(versions.map(\.operation) == [.insert, .update, .delete])
        #expect(versions.map { Self.field($0.row, "name") } == ["Ada", "Ada L", "Ada L"])
        #expect(versions.allSatisfy { $0.schemaVersion == MigrationID("1") && $0.table == "users" })
        #expect(versions.allSatisfy { ($0.transaction != nil) == (backend.name == "postgres") })
        #expect(versions.first.map { Self.field($0.key, "id") } == "7")
        #expect(try await users.versions(of: 8).map(\.version) == [1])
        // A key that does not fit the table.
        await #expect(throws: CutoverError.self) { _ = try await users.versions(of: #"{"tenant": 1}"#) }

        // Disabled: changes are no longer recorded, the versions stay.
        try await fx.deployment.disableVersioning("users")
        _ = try await fx.fixture.query("UPDATE users SET name = 'Alan T' WHERE id = 8")
        #expect(try await users.versions(of: 8).map(\.version) == [1])
    }

    @Test("revert writes an old version back across a renamed column and an added column, and is recorded; a deleted row is inserted again", arguments: TestBackend.all)
    func revertAcrossRenameAndAdd(_ backend: TestBackend) async throws {
        let (fx, users) = try await RuntimeFixture.versionedUsers(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (7, 'Ada')")
        _ = try await fx.fixture.query("UPDATE users SET name = 'Grace' WHERE id = 7")

        try fx.fixture.write("2_rename.sql", """
            ALTER TABLE users RENAME COLUMN name TO full_name;
            ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT 'none';
            """)
        _ = try await fx.deployment.migrate()
        _ = try await fx.fixture.query("UPDATE users SET email = 'g@example.com' WHERE id = 7")

        let dry = try await users.revert(7, to: 1, dryRun: true)
        #expect(dry.isDryRun && dry.newVersion == nil && dry.operation == .update)
        #expect(try await Self.row(fx, 7) == ["Grace", "g@example.com"], "a dry run writes nothing")

        let revert = try await users.revert(7, to: 1)
        #expect(revert.renamed == ["name": "full_name"])
        #expect(revert.added == ["email"])
        #expect(revert.dropped.isEmpty)
        #expect(Self.field(revert.row, "full_name") == "Ada")
        #expect(try await Self.row(fx, 7) == ["Ada", "g@example.com"], "the added column keeps its value")
        let versions = try await users.versions(of: 7)
        #expect(revert.newVersion == versions.last?.version && versions.count == 4)
        #expect(versions.last?.schemaVersion == MigrationID("2"))

        // Deleted, then written back: an INSERT; the added column gets its default.
        _ = try await fx.fixture.query("DELETE FROM users WHERE id = 7")
        let insert = try await users.revert(7, to: 2)
        #expect(insert.operation == .insert)
        #expect(try await Self.row(fx, 7) == ["Grace", "none"])
        await #expect(throws: CutoverError.self) { try await users.revert(7, to: 99) }
    }

    @Test("a column dropped since the version is reported and not written", arguments: TestBackend.all)
    func droppedColumnIsReported(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("2_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;")
        _ = try await fx.deployment.migrate()
        let users = RecordHistory(deployment: fx.deployment, table: "users")
        try await users.enable()
        _ = try await fx.fixture.query("INSERT INTO users (id, name, nickname) VALUES (7, 'Ada', 'countess')")
        _ = try await fx.fixture.query("UPDATE users SET name = 'Grace' WHERE id = 7")

        // SQLite refuses to drop a column its triggers name: stop recording around the migration.
        try await fx.deployment.disableVersioning("users")
        try fx.fixture.write("3_drop_nickname.sql", "ALTER TABLE users DROP COLUMN nickname;")
        _ = try await fx.deployment.migrate()
        try await users.enable()

        let revert = try await users.revert(7, to: 1)
        #expect(revert.dropped == ["nickname"])
        #expect(revert.added.isEmpty && revert.renamed.isEmpty)
        #expect(try await fx.fixture.query("SELECT name FROM users WHERE id = 7").first?.string("name") == "Ada")
    }

    @Test("a table without a primary key is refused, with a hint", arguments: TestBackend.all)
    func tableWithoutKeyIsRefused(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query("CREATE TABLE events (line text)")
        let error = await #expect(throws: CutoverError.self) { try await RecordHistory(deployment: fx.deployment, table: "events").enable() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("\"events\" has no primary key") == true, "\(String(describing: error))")
        #expect(error?.hint?.contains("ADD PRIMARY KEY") == true)
        let missing = await #expect(throws: CutoverError.self) { try await RecordHistory(deployment: fx.deployment, table: "nope").enable() }
        #expect(missing?.message.contains("no table \"nope\"") == true)
    }

    @Test("prune keeps the newest versions of each row, and only deletes old ones with --older-than", arguments: TestBackend.all)
    func prune(_ backend: TestBackend) async throws {
        let (fx, users) = try await RuntimeFixture.versionedUsers(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (7, 'a')")
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (8, 'b')")
        for name in ["c", "d", "e", "f"] { _ = try await fx.fixture.query("UPDATE users SET name = '\(name)' WHERE id = 7") }

        #expect(try await fx.deployment.pruneRecordVersions("users", keep: 2, olderThan: .seconds(86_400)) == 0, "nothing is a day old")
        #expect(try await fx.deployment.pruneRecordVersions("users", keep: 2) == 3)
        #expect(try await users.versions(of: 7).map(\.version) == [4, 5])
        #expect(try await users.versions(of: 8).map(\.version) == [1])
        await #expect(throws: CutoverError.self) { _ = try await fx.deployment.pruneRecordVersions("users") }
    }

    /// A member of a JSON object's text, as text.
    static func field(_ json: String, _ name: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any], let value = object[name] else { return nil }
        return "\(value)"
    }

    /// `full_name` and `email` of a user.
    static func row(_ fx: RuntimeFixture, _ id: Int) async throws -> [String?] {
        let row = try await fx.fixture.query("SELECT full_name, email FROM users WHERE id = \(id)").first
        return [row?.string("full_name"), row?.string("email")]
    }
}
