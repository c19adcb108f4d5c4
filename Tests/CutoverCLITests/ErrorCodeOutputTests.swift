import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("the database's error code and causes in the CLI's output")
struct ErrorCodeOutputTests {
    @Test("--json keeps sqlstate: the SQLSTATE on PostgreSQL, the result code's name on SQLite", arguments: TestBackend.all)
    func jsonSQLState(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_bad.sql", "INSERT INTO no_such_table VALUES (1);")
        let output = try await cli.json("migrate", "--no-backup", "--no-lint")
        let error = try #require(output["error"] as? [String: Any])
        #expect(error["code"] as? String == "migration_failed")
        #expect(error["sqlstate"] as? String == (backend.name == "postgres" ? "42P01" : "SQLITE_ERROR"))
        #expect(output["exit_code"] as? Int == 1)
        await cli.cleanUp()
    }

    @Test("--verbose shows the driver's error and a ROLLBACK that failed after the session was terminated")
    func verboseRollbackError() async throws {
        // statement_timeout: the migration runs in a transaction the engine rolls back itself.
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"5s\"\nstatement_timeout = \"1h\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);\nSELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());")
        let result = try await cli.run("migrate", "--no-backup", "--no-lint", "--verbose")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("error: "))
        #expect(result.stderr.contains("detail: PSQLError"), "\(result.stderr)")
        #expect(result.stderr.contains("rollback failed too: "), "\(result.stderr)")
        let quiet = try await cli.run("migrate", "--no-backup", "--no-lint")
        #expect(!quiet.stderr.contains("rollback failed too: "))
        await cli.cleanUp()
    }
}
