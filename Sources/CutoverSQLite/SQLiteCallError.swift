import CutoverCore
import VaporCSQLite

/// What SQLite answered to a failed call: the extended result code and its message.
///
/// The SQLite driver's ``CutoverError/underlying`` error; its code is the error's
/// ``CutoverError/databaseCode`` too.
///
/// ```swift
/// catch let error as CutoverError {
///     if let sqlite = error.underlying as? SQLiteCallError { print(sqlite.resultCode.name, sqlite.message) }
/// }
/// ```
public struct SQLiteCallError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (`sqlite3_extended_errcode`).
    public var resultCode: SQLiteResultCode
    /// SQLite's message (`sqlite3_errmsg`).
    public var message: String
    /// The error of the `ROLLBACK` the driver ran after this error, when the failed string
    /// had opened a transaction and that rollback failed too.
    public var rollbackError: (any Error)?

    init(code: Int32, message: String) {
        self.resultCode = SQLiteResultCode(rawValue: code)
        self.message = message
    }

    /// The connection's most recent error.
    init(db: OpaquePointer) {
        self.init(
            code: sqlite_nio_sqlite3_extended_errcode(db),
            message: sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "unknown error")
    }

    /// The code's name and the message: `SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed: t.id`.
    public var description: String { "\(resultCode.name): \(message)" }
}
