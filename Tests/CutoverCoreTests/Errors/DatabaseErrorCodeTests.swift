import CutoverCore
import Testing

@Suite("typed database error codes: SQLSTATE and SQLite result codes")
struct DatabaseErrorCodeTests {
    @Test("an SQLSTATE knows its class and prints its five characters")
    func sqlState() {
        #expect(SQLState.uniqueViolation.rawValue == "23505")
        #expect(SQLState.uniqueViolation.errorClass == SQLState(rawValue: "23000"))
        #expect(SQLState.lockNotAvailable.description == "55P03")
        #expect(SQLState(rawValue: "42P01") == .undefinedTable)
    }

    @Test("an SQLite result code knows its primary code and its documented name")
    func sqliteResultCode() {
        #expect(SQLiteResultCode.constraintUnique.rawValue == 2067)
        #expect(SQLiteResultCode.constraintUnique.primaryResultCode == .constraint)
        #expect(SQLiteResultCode.busyTimeout.primaryResultCode == .busy)
        #expect(SQLiteResultCode.busy.isPrimary)
        #expect(!SQLiteResultCode.busyTimeout.isPrimary)
        #expect(SQLiteResultCode.constraintPrimaryKey.name == "SQLITE_CONSTRAINT_PRIMARYKEY")
        #expect(SQLiteResultCode.busy.name == "SQLITE_BUSY")
        #expect(SQLiteResultCode(rawValue: 10 | (3 << 8)).name == "SQLITE_IOERR_WRITE")
        // A code this version has no name for keeps its family's name and its number.
        #expect(SQLiteResultCode(rawValue: 10 | (200 << 8)).name == "SQLITE_IOERR (51210)")
    }

    @Test("a code's text is the SQLSTATE on PostgreSQL and the result code's name on SQLite")
    func text() {
        #expect(DatabaseErrorCode.postgres(.undefinedTable).text == "42P01")
        #expect(DatabaseErrorCode.sqlite(.constraintUnique).text == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(DatabaseErrorCode.postgres(.undefinedTable).sqlState == .undefinedTable)
        #expect(DatabaseErrorCode.postgres(.undefinedTable).sqliteResultCode == nil)
        #expect(DatabaseErrorCode.sqlite(.busy).sqliteResultCode == .busy)
        #expect(DatabaseErrorCode.sqlite(.busy).sqlState == nil)
    }

    @Test("a primary SQLite code matches its extended codes in a switch; other codes match only themselves")
    func patterns() {
        func kind(_ code: DatabaseErrorCode?) -> String {
            switch code {
            case DatabaseErrorCode.postgres(.lockNotAvailable), DatabaseErrorCode.sqlite(.busy): "lock"
            case DatabaseErrorCode.sqlite(.constraintUnique): "duplicate"
            case DatabaseErrorCode.sqlite(.constraint): "constraint"
            default: "other"
            }
        }
        #expect(kind(.postgres(.lockNotAvailable)) == "lock")
        #expect(kind(.sqlite(.busyTimeout)) == "lock")
        #expect(kind(.sqlite(.busy)) == "lock")
        #expect(kind(.sqlite(.constraintUnique)) == "duplicate")
        #expect(kind(.sqlite(.constraintNotNull)) == "constraint")
        #expect(kind(.postgres(.uniqueViolation)) == "other")
        #expect(kind(nil) == "other")
        // Equality stays exact.
        #expect(DatabaseErrorCode.sqlite(.busyTimeout) != .sqlite(.busy))
    }

    @Test("the dialects recognise lock timeouts by their typed codes")
    func lockTimeouts() {
        let postgres = PostgresDialect()
        let sqlite = SQLiteDialect()
        #expect(postgres.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .postgres(.lockNotAvailable))))
        #expect(!postgres.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .postgres(.queryCanceled))))
        #expect(sqlite.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .sqlite(.busy))))
        #expect(sqlite.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .sqlite(.busySnapshot))))
        #expect(sqlite.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .sqlite(.lockedSharedCache))))
        #expect(!sqlite.isLockTimeout(CutoverError(.statementFailed, "x", databaseCode: .sqlite(.constraint))))
        #expect(!sqlite.isLockTimeout(CutoverError(.statementFailed, "x")))
    }
}
