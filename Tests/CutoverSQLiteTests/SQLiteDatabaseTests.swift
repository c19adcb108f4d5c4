import CutoverCore
import CutoverSQLite
import CutoverTestSupport
import Logging
import Testing

@Suite("SQLite driver against real files")
struct SQLiteDatabaseTests {
    private func open(_ path: String, busy: Duration = .seconds(5)) async throws -> any Database {
        var configuration = SQLiteDriver.Configuration()
        configuration.busyTimeout = busy
        return try await SQLiteDriver(configuration: configuration).open(try DatabaseURL("sqlite:\(path)"), logger: Logger(label: "test"))
    }

    @Test("values round-trip with numbered placeholders")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        let db = try await open(directory.path("a.sqlite3"))
        try await db.execute("CREATE TABLE v (i integer, d real, t text, b integer, n text)")
        try await db.execute("INSERT INTO v VALUES (?1, ?2, ?3, ?4, ?5)", [.integer(42), .double(1.5), .text("it's"), .bool(true), .null])
        let row = try #require(try await db.query("SELECT * FROM v").first)
        #expect(row["i"] == .integer(42))
        #expect(row["d"] == .double(1.5))
        #expect(row.string("t") == "it's")
        #expect(row["b"] == .integer(1))
        #expect(row["n"] == .null)
        await db.close()
        directory.remove()
    }

    @Test("executeCountingRows counts the rows a statement changed, and 0 for DDL after a write")
    func rowCounts() async throws {
        let directory = try TemporaryDirectory()
        let db = try await open(directory.path("a.sqlite3"))
        #expect(try await db.executeCountingRows("CREATE TABLE t (id integer PRIMARY KEY, x integer)", []) == 0)
        #expect(try await db.executeCountingRows("INSERT INTO t VALUES (1, 0), (2, 0), (3, 0)", []) == 3)
        #expect(try await db.executeCountingRows("UPDATE t SET x = ?1 WHERE id <= 2", [.integer(1)]) == 2)
        // sqlite3_changes() would still say 2 here.
        #expect(try await db.executeCountingRows("CREATE INDEX t_x ON t (x)", []) == 0)
        #expect(try await db.executeCountingRows("DELETE FROM t", []) == 3)
        await db.close()
        directory.remove()
    }

    @Test("an error keeps the statement and SQLite's result name")
    func errors() async throws {
        let directory = try TemporaryDirectory()
        let db = try await open(directory.path("a.sqlite3"))
        let error = await #expect(throws: CutoverError.self) { try await db.execute("SELECT * FROM missing") }
        #expect(error?.code == .statementFailed)
        #expect(error?.statement == "SELECT * FROM missing")
        #expect(error?.message.contains("missing") == true)
        await db.close()
        directory.remove()
    }

    @Test("a second writer waits out the busy timeout and reports a lock error")
    func busy() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("a.sqlite3")
        let first = try await open(path)
        let second = try await open(path, busy: .milliseconds(200))
        try await first.execute("BEGIN IMMEDIATE")
        let error = await #expect(throws: CutoverError.self) { try await second.execute("BEGIN IMMEDIATE") }
        #expect(error.map { SQLiteDialect().isLockTimeout($0) } == true)
        try await first.execute("COMMIT")
        try await second.execute("BEGIN IMMEDIATE")
        try await second.execute("COMMIT")
        await first.close()
        await second.close()
        directory.remove()
    }

    @Test("a file in a missing folder cannot be opened; the message says why")
    func missingFolder() async throws {
        let error = await #expect(throws: CutoverError.self) { _ = try await open("/nonexistent-folder-for-cutover/x.sqlite3") }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("does not exist") == true)
    }
}
