import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("a failed migration keeps the statement's error, its typed code and a failed rollback")
struct MigrationErrorCauseTests {
    @Test("the migration's error wraps the statement's, which keeps the driver's; the history keeps the code's text", arguments: TestBackend.all)
    func wrapsTheStatementError(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_bad.sql", "CREATE TABLE a (id integer);\nINSERT INTO no_such_table VALUES (1);")
        let error = try await #require(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        let expected: DatabaseErrorCode = backend.name == "postgres" ? .postgres(.undefinedTable) : .sqlite(.error)
        #expect(error.code == .migrationFailed)
        #expect(error.databaseCode == expected)
        #expect(error.message.hasSuffix("[\(expected.text)]"))
        #expect(error.rollbackError == nil)
        let statement = try #require(error.underlying as? CutoverError)
        #expect(statement.code == .statementFailed)
        #expect(statement.databaseCode == expected)
        #expect(statement.statement?.contains("no_such_table") == true)
        #expect(statement.underlying != nil)
        let record = try #require(try await fixture.withMigrator { try await $0.historyRecords() }.values.first)
        #expect(record.errorSQLState == expected.text)
        await fixture.cleanUp()
    }

    @Test("a migration failing because what it creates already exists hints at baseline; other failures do not", arguments: TestBackend.all)
    func alreadyExistsHintsAtBaseline(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        defer { Task { await fixture.cleanUp() } }
        // The database was set up by hand (or another tool) before Cutover came.
        _ = try await fixture.query("CREATE TABLE users (id integer PRIMARY KEY)")
        try fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        let error = try await #require(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error.meansObjectAlreadyExists)
        #expect(error.hint?.contains("record the migrations it already has as applied with `cutover baseline 1`") == true, "\(error.hint ?? "")")

        try fixture.write("1_users.sql", "ALTER TABLE users ADD COLUMN id integer;")
        let column = try await #require(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(column.meansObjectAlreadyExists, "a duplicate column: \(column.message)")

        try fixture.write("1_users.sql", "INSERT INTO no_such_table VALUES (1);")
        let other = try await #require(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(!other.meansObjectAlreadyExists)
        #expect(other.hint?.contains("baseline") == false)
    }

    @Test("a session terminated during a migration reports the statement's error and the ROLLBACK that failed after it")
    func terminatedSession() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        // The backend ends itself (FATAL 57P01, as pg_terminate_backend from another session
        // sends) while the migration's transaction is open.
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer);\nSELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());")
        // A statement_timeout makes the migration run statement by statement in a
        // transaction the engine rolls back itself (not as one batch).
        let error = try await #require(throws: CutoverError.self) {
            try await fixture.withMigrator({ $0.statementTimeout = .seconds(3600) }) { try await $0.migrate() }
        }
        #expect(error.code == .connectionFailed)
        #expect(error.sqlState == .adminShutdown)
        let rollback = try #require(error.rollbackError as? CutoverError)
        #expect(rollback.code == .connectionFailed)
        #expect(rollback.statement == "ROLLBACK")
        let rendered = String(reflecting: error)
        #expect(rendered.contains("SQLSTATE 57P01"))
        #expect(rendered.contains("rollback failed too: "))
        // The server rolled the transaction back when it ended the session.
        #expect(try await !fixture.tableExists("t"))
        await fixture.cleanUp()
    }
}
