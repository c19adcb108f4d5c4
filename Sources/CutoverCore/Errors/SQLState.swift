/// A PostgreSQL error code: the five-character SQLSTATE the server sends with every error.
///
/// An open set, as the server may send codes Cutover has no name for: compare with the
/// named constants, never with string literals.
///
/// ```swift
/// catch let error as CutoverError where error.sqlState == .lockNotAvailable {
///     // lock_timeout ran out: retry later
/// }
/// ```
///
/// The first two characters are the error's class (``errorClass``): `23` integrity
/// constraint violation, `42` syntax error or access rule violation, and so on.
///
/// Related PostgreSQL documentation: <https://www.postgresql.org/docs/current/errcodes-appendix.html>
///
/// ## Topics
/// - ``rawValue``
/// - ``errorClass``
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five characters, e.g. `55P03`.
    public let rawValue: String

    /// Wraps a code the server sent.
    /// - Parameter rawValue: the SQLSTATE text, e.g. `42P01`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The class of the code: its first two characters followed by `000`, e.g. `23000`
    /// (integrity constraint violation) for ``uniqueViolation``.
    public var errorClass: SQLState {
        SQLState(rawValue: String(rawValue.prefix(2)) + "000")
    }

    /// The SQLSTATE text.
    public var description: String { rawValue }
}

// The constants Cutover reads or that users test for; the full list is PostgreSQL's
// errcodes appendix. Names follow the appendix's condition names in camel case.
extension SQLState {
    // MARK: - Class 08: connection exception

    /// `08000` connection_exception.
    public static let connectionException = SQLState(rawValue: "08000")
    /// `08006` connection_failure.
    public static let connectionFailure = SQLState(rawValue: "08006")

    // MARK: - Class 0A: feature not supported

    /// `0A000` feature_not_supported.
    public static let featureNotSupported = SQLState(rawValue: "0A000")

    // MARK: - Class 22: data exception

    /// `22012` division_by_zero.
    public static let divisionByZero = SQLState(rawValue: "22012")
    /// `22P02` invalid_text_representation.
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")

    // MARK: - Class 23: integrity constraint violation

    /// `23502` not_null_violation.
    public static let notNullViolation = SQLState(rawValue: "23502")
    /// `23503` foreign_key_violation.
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    /// `23505` unique_violation.
    public static let uniqueViolation = SQLState(rawValue: "23505")
    /// `23514` check_violation.
    public static let checkViolation = SQLState(rawValue: "23514")

    // MARK: - Class 25: invalid transaction state

    /// `25001` active_sql_transaction: the statement cannot run inside a transaction block.
    public static let activeSQLTransaction = SQLState(rawValue: "25001")
    /// `25006` read_only_sql_transaction: a write in a read-only transaction or database.
    public static let readOnlySQLTransaction = SQLState(rawValue: "25006")
    /// `25P01` no_active_sql_transaction.
    public static let noActiveSQLTransaction = SQLState(rawValue: "25P01")
    /// `25P02` in_failed_sql_transaction: an earlier statement of the transaction failed.
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")

    // MARK: - Class 28: invalid authorization specification

    /// `28000` invalid_authorization_specification: unknown role, or no pg_hba.conf entry.
    public static let invalidAuthorizationSpecification = SQLState(rawValue: "28000")
    /// `28P01` invalid_password.
    public static let invalidPassword = SQLState(rawValue: "28P01")

    // MARK: - Class 3D: invalid catalog name

    /// `3D000` invalid_catalog_name: the database does not exist.
    public static let invalidCatalogName = SQLState(rawValue: "3D000")

    // MARK: - Class 40: transaction rollback

    /// `40001` serialization_failure.
    public static let serializationFailure = SQLState(rawValue: "40001")
    /// `40P01` deadlock_detected.
    public static let deadlockDetected = SQLState(rawValue: "40P01")

    // MARK: - Class 42: syntax error or access rule violation

    /// `42501` insufficient_privilege.
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    /// `42601` syntax_error.
    public static let syntaxError = SQLState(rawValue: "42601")
    /// `42701` duplicate_column.
    public static let duplicateColumn = SQLState(rawValue: "42701")
    /// `42703` undefined_column.
    public static let undefinedColumn = SQLState(rawValue: "42703")
    /// `42710` duplicate_object.
    public static let duplicateObject = SQLState(rawValue: "42710")
    /// `42723` duplicate_function.
    public static let duplicateFunction = SQLState(rawValue: "42723")
    /// `42883` undefined_function.
    public static let undefinedFunction = SQLState(rawValue: "42883")
    /// `42P01` undefined_table.
    public static let undefinedTable = SQLState(rawValue: "42P01")
    /// `42P04` duplicate_database.
    public static let duplicateDatabase = SQLState(rawValue: "42P04")
    /// `42P06` duplicate_schema.
    public static let duplicateSchema = SQLState(rawValue: "42P06")
    /// `42P07` duplicate_table (also a duplicate index, sequence or view name).
    public static let duplicateTable = SQLState(rawValue: "42P07")

    // MARK: - Class 53: insufficient resources

    /// `53300` too_many_connections.
    public static let tooManyConnections = SQLState(rawValue: "53300")

    // MARK: - Class 55: object not in prerequisite state

    /// `55006` object_in_use: e.g. `CREATE DATABASE … TEMPLATE` while the template has sessions.
    public static let objectInUse = SQLState(rawValue: "55006")
    /// `55P03` lock_not_available: `lock_timeout` ran out or `NOWAIT` found the lock taken.
    public static let lockNotAvailable = SQLState(rawValue: "55P03")

    // MARK: - Class 57: operator intervention

    /// `57014` query_canceled: `statement_timeout`, or `pg_cancel_backend`.
    public static let queryCanceled = SQLState(rawValue: "57014")
    /// `57P01` admin_shutdown: `pg_terminate_backend`, or a fast shutdown.
    public static let adminShutdown = SQLState(rawValue: "57P01")
    /// `57P02` crash_shutdown.
    public static let crashShutdown = SQLState(rawValue: "57P02")
    /// `57P03` cannot_connect_now: the server is starting up, shutting down or in recovery.
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
}
