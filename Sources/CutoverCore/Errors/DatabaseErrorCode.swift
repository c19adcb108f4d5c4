/// The code a database engine gave an error, typed per engine: an ``SQLState`` from
/// PostgreSQL, an ``SQLiteResultCode`` from SQLite.
///
/// A struct rather than an enum so that a driver for another engine (MySQL is planned) adds
/// a kind without breaking code that matches on this one.
///
/// ```swift
/// catch let error as CutoverError {
///     switch error.databaseCode {
///     case DatabaseErrorCode.postgres(.lockNotAvailable), DatabaseErrorCode.sqlite(.busy):
///         print("the lock was taken")  // `.sqlite(.busy)` matches SQLITE_BUSY_TIMEOUT too
///     default: throw error
///     }
/// }
/// ```
///
/// ## Topics
/// - ``postgres(_:)``
/// - ``sqlite(_:)``
/// - ``sqlState``
/// - ``sqliteResultCode``
/// - ``text``
public struct DatabaseErrorCode: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case postgres(SQLState)
        case sqlite(SQLiteResultCode)
    }

    private let storage: Storage

    /// A PostgreSQL SQLSTATE.
    /// - Parameter state: the code the server sent.
    /// - Returns: the code.
    public static func postgres(_ state: SQLState) -> DatabaseErrorCode {
        DatabaseErrorCode(storage: .postgres(state))
    }

    /// An SQLite (extended) result code.
    /// - Parameter code: the code SQLite returned.
    /// - Returns: the code.
    public static func sqlite(_ code: SQLiteResultCode) -> DatabaseErrorCode {
        DatabaseErrorCode(storage: .sqlite(code))
    }

    /// The SQLSTATE, when PostgreSQL raised the error.
    public var sqlState: SQLState? {
        if case .postgres(let state) = storage { return state }
        return nil
    }

    /// The result code, when SQLite raised the error.
    public var sqliteResultCode: SQLiteResultCode? {
        if case .sqlite(let code) = storage { return code }
        return nil
    }

    /// The code as text, as the `--json` output's `sqlstate` field and the history's
    /// `error_sqlstate` column hold it: the SQLSTATE on PostgreSQL (`42P01`), the result
    /// code's name on SQLite (`SQLITE_CONSTRAINT_PRIMARYKEY`).
    public var text: String {
        switch storage {
        case .postgres(let state): state.rawValue
        case .sqlite(let code): code.name
        }
    }

    /// The ``text``.
    public var description: String { text }

    /// Matches the code with a pattern: a primary SQLite code matches its extended codes too
    /// (`.sqlite(.busy)` matches `SQLITE_BUSY_TIMEOUT`), otherwise codes must be equal, as
    /// GRDB's `ResultCode` matches.
    public static func ~= (pattern: DatabaseErrorCode, code: DatabaseErrorCode) -> Bool {
        if let primary = pattern.sqliteResultCode, primary.isPrimary, let actual = code.sqliteResultCode {
            return actual.primaryResultCode == primary
        }
        return pattern == code
    }

    /// ``~=(_:_:)`` for an optional code (a `switch` over ``CutoverError/databaseCode``).
    public static func ~= (pattern: DatabaseErrorCode, code: DatabaseErrorCode?) -> Bool {
        code.map { pattern ~= $0 } ?? false
    }
}
