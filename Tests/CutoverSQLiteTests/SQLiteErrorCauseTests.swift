import CutoverCore
import CutoverSQLite
import CutoverTestSupport
import Logging
import Testing

@Suite("SQLite errors keep the driver's error and a typed result code")
struct SQLiteErrorCauseTests {
    private func open(_ path: String, busy: Duration = .seconds(5)) async throws -> any Database {
        var configuration = SQLiteDriver.Configuration()
        configuration.busyTimeout = busy
        return try await SQLiteDriver(configuration: configuration).open(try DatabaseURL("sqlite:\(path)"), logger: Logger(label: "test"))
    }

    @Test("a constraint violation carries SQLITE_CONSTRAINT_UNIQUE, typed, and SQLite's own error")
    func constraint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try await open(directory.path("a.sqlite3"))
        try await db.execute("CREATE TABLE t (id integer UNIQUE)")
        try await db.execute("INSERT INTO t VALUES (1)")
        let error = try await #require(throws: CutoverError.self) { try await db.execute("INSERT INTO t VALUES (1)") }
        await db.close()
        #expect(error.databaseCode == .sqlite(.constraintUnique))
        #expect(error.databaseCode?.sqliteResultCode?.primaryResultCode == .constraint)
        #expect(error.databaseCode?.text == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(error.sqlState == nil)
        let sqlite = try #require(error.underlying as? SQLiteCallError)
        #expect(sqlite.resultCode == .constraintUnique)
        #expect(sqlite.message == error.message)
        #expect(String(reflecting: error).contains("SQLite result code SQLITE_CONSTRAINT_UNIQUE (2067)"))
    }

    @Test("a missing table is SQLITE_ERROR")
    func missingTable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try await open(directory.path("a.sqlite3"))
        let error = try await #require(throws: CutoverError.self) { try await db.query("SELECT * FROM missing") }
        await db.close()
        #expect(error.databaseCode == .sqlite(.error))
    }

    @Test("a writer that waits out the busy timeout gets SQLITE_BUSY, which the dialect retries")
    func busy() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("a.sqlite3")
        let first = try await open(path)
        let second = try await open(path, busy: .milliseconds(100))
        try await first.execute("BEGIN IMMEDIATE")
        let error = try await #require(throws: CutoverError.self) { try await second.execute("BEGIN IMMEDIATE") }
        try await first.execute("COMMIT")
        await first.close()
        await second.close()
        #expect(error.databaseCode?.sqliteResultCode?.primaryResultCode == .busy)
        #expect(DatabaseErrorCode.sqlite(.busy) ~= error.databaseCode)
        #expect((error.underlying as? SQLiteCallError)?.resultCode.primaryResultCode == .busy)
        #expect(SQLiteDialect().isLockTimeout(error))
    }
}
