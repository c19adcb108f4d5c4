import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Testing

/// Record history's keys and refusals: composite keys given as JSON, and a row that cannot be
/// written back.
@Suite("RecordHistory keys, quoted names and refusals")
struct RecordHistoryRefusalTests {
    @Test("a composite key is recorded in key order and looked up as JSON; one value is refused", arguments: TestBackend.all)
    func compositeKey(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query("CREATE TABLE memberships (role text, id integer NOT NULL, tenant integer NOT NULL, PRIMARY KEY (tenant, id))")
        let memberships = RecordHistory(deployment: fx.deployment, table: "memberships")
        #expect(try await memberships.enable() == ["tenant", "id"])
        _ = try await fx.fixture.query("INSERT INTO memberships (role, id, tenant) VALUES ('admin', 7, 1)")
        _ = try await fx.fixture.query("INSERT INTO memberships (role, id, tenant) VALUES ('user', 7, 2)")
        _ = try await fx.fixture.query("UPDATE memberships SET role = 'owner' WHERE tenant = 1 AND id = 7")

        let versions = try await memberships.versions(of: #"{"id": 7, "tenant": 1}"#)
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.map { RecordHistoryTests.field($0.row, "role") } == ["admin", "owner"])
        let one = await #expect(throws: CutoverError.self) { _ = try await memberships.versions(of: 7) }
        #expect(one?.message.contains("has 2 columns") == true && one?.hint?.contains(#""tenant": …"#) == true, "\(String(describing: one))")

        try await memberships.revert(#"{"tenant": 1, "id": 7}"#, to: 1)
        let roles = try await fx.fixture.query("SELECT role FROM memberships ORDER BY tenant").compactMap { $0.string("role") }
        #expect(roles == ["admin", "user"])
    }

    @Test("an INSERT back is refused, naming the column, when a NOT NULL column without a default was added since (PostgreSQL)")
    func notNullColumnAddedSince() async throws {
        let fx = try await RuntimeFixture.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        let users = RecordHistory(deployment: fx.deployment, table: "users")
        try await users.enable()
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (7, 'Ada')")
        _ = try await fx.fixture.query("DELETE FROM users WHERE id = 7")
        // An empty table takes a NOT NULL column without a default.
        try fx.fixture.write("2_age.sql", "-- cutover:allow adding-required-field\nALTER TABLE users ADD COLUMN age integer NOT NULL;")
        _ = try await fx.deployment.migrate()

        let error = await #expect(throws: CutoverError.self) { try await users.revert(7, to: 1) }
        #expect(error?.message.contains("the column \"age\" was added since, is NOT NULL and has no default") == true, "\(String(describing: error))")
        #expect(error?.hint?.contains("default") == true)
        #expect(try await fx.fixture.query("SELECT id FROM users").isEmpty)
        #expect(try await users.versions(of: 7).count == 2, "nothing was recorded")
    }

    @Test("a .yaml migration's rename_column is followed when reverting", arguments: TestBackend.all)
    func yamlRenameIsFollowed(_ backend: TestBackend) async throws {
        let (fx, users) = try await RuntimeFixture.versionedUsers(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query("INSERT INTO users (id, name) VALUES (7, 'Ada')")
        _ = try await fx.fixture.query("UPDATE users SET name = 'Grace' WHERE id = 7")
        try fx.fixture.write("2_rename.yaml", "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n")
        _ = try await fx.deployment.migrate()

        let revert = try await users.revert(7, to: 1)
        #expect(revert.renamed == ["name": "full_name"], "\(revert)")
        #expect(revert.dropped.isEmpty)
        #expect(try await fx.fixture.query("SELECT full_name FROM users WHERE id = 7").first?.string("full_name") == "Ada")
        // The revert is recorded with the .yaml migration as its schema version.
        #expect(try await users.versions(of: 7).last?.schemaVersion == MigrationID("2"))
    }

    @Test("a table and columns whose names need quoting are recorded and reverted", arguments: TestBackend.all)
    func quotedNames(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.fixture.query(#"CREATE TABLE "Audit Log" ("Id" integer PRIMARY KEY, "Note's" text)"#)
        let log = RecordHistory(deployment: fx.deployment, table: "Audit Log")
        #expect(try await log.enable() == ["Id"])
        _ = try await fx.fixture.query(#"INSERT INTO "Audit Log" ("Id", "Note's") VALUES (1, 'first')"#)
        _ = try await fx.fixture.query(#"UPDATE "Audit Log" SET "Note's" = 'second'"#)
        #expect(try await log.versions(of: 1).map { RecordHistoryTests.field($0.row, "Note's") } == ["first", "second"])
        try await log.revert(1, to: 1)
        #expect(try await fx.fixture.query(#"SELECT "Note's" AS note FROM "Audit Log""#).first?.string("note") == "first")
    }
}

/// When the recording no longer matches the table.
@Suite("RecordHistory drift")
struct RecordHistoryDriftTests {
    @Test("log reports triggers that no longer match the table (SQLite: any column; PostgreSQL: the key) and a table no longer versioned", arguments: TestBackend.all)
    func drift(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        try await fx.deployment.enableVersioning("users")
        #expect(try await fx.deployment.recordHistory(of: "users", key: "7").drift == nil)

        try fx.fixture.write("2_rename.sql", "ALTER TABLE users RENAME COLUMN name TO full_name;")
        _ = try await fx.deployment.migrate()
        let renamed = try await fx.deployment.recordHistory(of: "users", key: "7").drift
        #expect((renamed != nil) == (backend.name == "sqlite"), "\(String(describing: renamed))")

        try fx.fixture.write("3_rename_key.sql", "ALTER TABLE users RENAME COLUMN id TO user_id;")
        _ = try await fx.deployment.migrate()
        let key = try await fx.deployment.recordHistory(of: "users", key: "7").drift
        #expect(key?.contains("run `cutover versioning enable users` again") == true, "\(String(describing: key))")

        try await fx.deployment.enableVersioning("users")
        #expect(try await fx.deployment.recordHistory(of: "users", key: "7").drift == nil)
        try await fx.deployment.disableVersioning("users")
        #expect(try await fx.deployment.recordHistory(of: "users", key: "7").drift?.contains("not versioned now") == true)
    }
}
