/// An SQLite result code: a primary code (its low 8 bits) and, for an extended code, the
/// detail above them (`SQLITE_CONSTRAINT_UNIQUE` is `SQLITE_CONSTRAINT | (8 << 8)`).
///
/// An open set, as GRDB's `ResultCode`: compare with the named constants. The driver reports
/// extended codes (it opens connections with `SQLITE_OPEN_EXRESCODE`); test
/// ``primaryResultCode`` to match a whole family.
///
/// ```swift
/// catch let error as CutoverError {
///     if error.databaseCode?.sqliteResultCode?.primaryResultCode == .busy { /* another writer */ }
///     if error.databaseCode == .sqlite(.constraintUnique) { /* duplicate key */ }
/// }
/// ```
///
/// Related SQLite documentation: <https://www.sqlite.org/rescode.html>
///
/// ## Topics
/// - ``rawValue``
/// - ``primaryResultCode``
/// - ``name``
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code, as `sqlite3_extended_errcode` returns it.
    public let rawValue: Int32

    /// Wraps a code SQLite returned.
    /// - Parameter rawValue: the numeric (primary or extended) result code.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The primary code, the least significant 8 bits: ``busy`` for ``busyTimeout``.
    public var primaryResultCode: SQLiteResultCode {
        SQLiteResultCode(rawValue: rawValue & 0xFF)
    }

    /// Whether this is a primary code (it has no extended detail).
    public var isPrimary: Bool { self == primaryResultCode }

    /// The name the SQLite documentation gives the code, e.g. `SQLITE_CONSTRAINT_PRIMARYKEY`;
    /// for a code this version has no name for, the primary code's name and the number,
    /// e.g. `SQLITE_IOERR (6922)`.
    public var name: String {
        if let name = Self.names[rawValue] { return name }
        let primary = Self.names[rawValue & 0xFF] ?? "SQLITE"
        return "\(primary) (\(rawValue))"
    }

    /// The ``name``.
    public var description: String { name }
}

// The codes Cutover reads or that users test for; ``name`` knows every code of
// https://www.sqlite.org/rescode.html.
extension SQLiteResultCode {
    // MARK: - Primary codes

    /// `SQLITE_ERROR`: a generic error, e.g. a syntax error or a missing table.
    public static let error = SQLiteResultCode(rawValue: 1)
    /// `SQLITE_INTERNAL`.
    public static let `internal` = SQLiteResultCode(rawValue: 2)
    /// `SQLITE_PERM`: the access mode for a newly created database could not be provided.
    public static let permission = SQLiteResultCode(rawValue: 3)
    /// `SQLITE_ABORT`: an operation was aborted, e.g. by a rollback.
    public static let abort = SQLiteResultCode(rawValue: 4)
    /// `SQLITE_BUSY`: another connection holds a conflicting lock (the busy timeout ran out).
    public static let busy = SQLiteResultCode(rawValue: 5)
    /// `SQLITE_LOCKED`: a conflict inside the same connection or shared cache.
    public static let locked = SQLiteResultCode(rawValue: 6)
    /// `SQLITE_NOMEM`.
    public static let noMemory = SQLiteResultCode(rawValue: 7)
    /// `SQLITE_READONLY`: a write to a database opened or made read-only.
    public static let readOnly = SQLiteResultCode(rawValue: 8)
    /// `SQLITE_INTERRUPT`: `sqlite3_interrupt` stopped the statement (task cancellation).
    public static let interrupt = SQLiteResultCode(rawValue: 9)
    /// `SQLITE_IOERR`: the operating system reported an I/O error.
    public static let ioError = SQLiteResultCode(rawValue: 10)
    /// `SQLITE_CORRUPT`: the database file is malformed.
    public static let corrupt = SQLiteResultCode(rawValue: 11)
    /// `SQLITE_FULL`: the disk is full.
    public static let full = SQLiteResultCode(rawValue: 13)
    /// `SQLITE_CANTOPEN`: the file could not be opened.
    public static let cannotOpen = SQLiteResultCode(rawValue: 14)
    /// `SQLITE_SCHEMA`: the schema changed while a statement was prepared.
    public static let schema = SQLiteResultCode(rawValue: 17)
    /// `SQLITE_TOOBIG`: a string or blob is larger than the limit.
    public static let tooBig = SQLiteResultCode(rawValue: 18)
    /// `SQLITE_CONSTRAINT`: a constraint was violated.
    public static let constraint = SQLiteResultCode(rawValue: 19)
    /// `SQLITE_MISMATCH`: a datatype mismatch.
    public static let mismatch = SQLiteResultCode(rawValue: 20)
    /// `SQLITE_MISUSE`: the API was used in a way it does not support (e.g. a closed connection).
    public static let misuse = SQLiteResultCode(rawValue: 21)
    /// `SQLITE_AUTH`: the authorizer callback denied the statement.
    public static let authorization = SQLiteResultCode(rawValue: 23)
    /// `SQLITE_RANGE`: a bind parameter index is out of range.
    public static let range = SQLiteResultCode(rawValue: 25)
    /// `SQLITE_NOTADB`: the file is not a database.
    public static let notADatabase = SQLiteResultCode(rawValue: 26)

    // MARK: - Extended codes

    /// `SQLITE_BUSY_RECOVERY`.
    public static let busyRecovery = SQLiteResultCode(rawValue: 5 | (1 << 8))
    /// `SQLITE_BUSY_SNAPSHOT`: a WAL read transaction cannot be upgraded to a write.
    public static let busySnapshot = SQLiteResultCode(rawValue: 5 | (2 << 8))
    /// `SQLITE_BUSY_TIMEOUT`.
    public static let busyTimeout = SQLiteResultCode(rawValue: 5 | (3 << 8))
    /// `SQLITE_LOCKED_SHAREDCACHE`.
    public static let lockedSharedCache = SQLiteResultCode(rawValue: 6 | (1 << 8))
    /// `SQLITE_READONLY_DBMOVED`: the file was moved or deleted while open.
    public static let readOnlyDatabaseMoved = SQLiteResultCode(rawValue: 8 | (4 << 8))
    /// `SQLITE_CONSTRAINT_CHECK`.
    public static let constraintCheck = SQLiteResultCode(rawValue: 19 | (1 << 8))
    /// `SQLITE_CONSTRAINT_FOREIGNKEY`.
    public static let constraintForeignKey = SQLiteResultCode(rawValue: 19 | (3 << 8))
    /// `SQLITE_CONSTRAINT_NOTNULL`.
    public static let constraintNotNull = SQLiteResultCode(rawValue: 19 | (5 << 8))
    /// `SQLITE_CONSTRAINT_PRIMARYKEY`.
    public static let constraintPrimaryKey = SQLiteResultCode(rawValue: 19 | (6 << 8))
    /// `SQLITE_CONSTRAINT_UNIQUE`.
    public static let constraintUnique = SQLiteResultCode(rawValue: 19 | (8 << 8))
}
