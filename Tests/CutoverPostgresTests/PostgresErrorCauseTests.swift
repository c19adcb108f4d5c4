import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import PostgresNIO
import Testing

@Suite("PostgreSQL errors keep postgres-nio's error, a typed SQLSTATE and a failed rollback")
struct PostgresErrorCauseTests {
    @Test("a failed statement keeps the PSQLError the server's answer came in, and its SQLSTATE typed")
    func keepsPSQLError() async throws {
        try await withSession { db, _ in
            let error = try await #require(throws: CutoverError.self) { try await db.execute("SELECT * FROM no_such_table") }
            #expect(error.databaseCode == .postgres(.undefinedTable))
            #expect(error.sqlState == .undefinedTable)
            let psql = try #require(error.underlying as? PSQLError)
            #expect(psql.code == .server)
            #expect(psql.serverInfo?[.sqlState] == SQLState.undefinedTable.rawValue)
            #expect(psql.serverInfo?[.message]?.contains("no_such_table") == true)
            let debug = String(reflecting: error)
            #expect(debug.contains("SQLSTATE 42P01"))
            #expect(debug.contains("statement: SELECT * FROM no_such_table"))
            #expect(debug.contains("underlying: PSQLError"))
        }
    }

    @Test("a session ended by pg_terminate_backend inside a transaction reports the statement's error and the failed ROLLBACK")
    func rollbackFailsOnATerminatedSession() async throws {
        try await withSession { db, _ in
            try await db.execute("BEGIN")
            // The backend ends itself: the same FATAL 57P01 a second session's
            // pg_terminate_backend sends, without a race to find the backend.
            let failure = try await #require(throws: CutoverError.self) { try await db.execute("SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())") }
            #expect(failure.code == .connectionFailed)
            #expect(failure.sqlState == .adminShutdown)
            #expect(failure.underlying is PSQLError)
            #expect(failure.rollbackError == nil)

            let error = try #require(await db.rollBack(after: failure) as? CutoverError)
            #expect(error.sqlState == .adminShutdown)
            let rollback = try #require(error.rollbackError as? CutoverError)
            #expect(rollback.code == .connectionFailed)
            #expect(rollback.statement == "ROLLBACK")
            #expect(String(reflecting: error).contains("rollback failed too: "))
        }
    }

    @Test("a successful rollback leaves the error as it was")
    func rollbackSucceeds() async throws {
        try await withSession { db, _ in
            try await db.execute("BEGIN")
            try await db.execute("CREATE TABLE t (id integer)")
            let failure = try await #require(throws: CutoverError.self) { try await db.execute("SELECT 1 / 0") }
            let error = try #require(await db.rollBack(after: failure) as? CutoverError)
            #expect(error.rollbackError == nil)
            #expect(error.sqlState == .divisionByZero)
            // The rollback ran: the table is gone and the session is usable.
            #expect(try await scalar(db, "SELECT pg_catalog.to_regclass('t') IS NULL") == .bool(true))
        }
    }
}
