/// The one error type Cutover throws across its layers.
///
/// Every error carries a one-line ``message`` a user can act on, a ``hint`` that says what
/// to do next, and the object it concerns (file, migration, statement, line). Database
/// errors keep the engine's typed code in ``databaseCode`` and the driver's own error in
/// ``underlying`` (a postgres-nio `PSQLError`, the SQLite driver's error), as postgres-nio's
/// `PSQLError` keeps its cause. When rolling back after the error failed too, the rollback's
/// error is kept beside it in ``rollbackError`` (postgres-nio's `PostgresTransactionError`).
///
/// ```swift
/// do { try await migrator.migrate() }
/// catch let error as CutoverError {
///     print("error: \(error)")
///     if let hint = error.hint { print("hint: \(hint)") }
///     if error.sqlState == .lockNotAvailable { /* a lock_timeout ran out */ }
///     print(String(reflecting: error))  // + SQLSTATE, statement, underlying and rollback errors
/// }
/// ```
///
/// Renderings never contain passwords: URLs are redacted with ``DatabaseURL/redacted``
/// before they reach a message, and ``description``, ``debugDescription``,
/// ``underlyingDescription`` and ``rollbackErrorDescription`` pass their text through
/// ``DatabaseURL/redact(_:)``, since the driver's error may quote a URL.
///
/// Not `Equatable`: two errors are the same failure when their ``code``, ``message`` and
/// ``databaseCode`` are; the underlying errors need not be comparable.
///
/// ## Topics
/// - ``code``
/// - ``message``
/// - ``hint``
/// - ``databaseCode``
/// - ``sqlState``
/// - ``underlying``
/// - ``rollbackError``
/// - ``debugDescription``
public struct CutoverError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; decides the process exit code.
    public var code: Code
    /// One user-facing sentence.
    public var message: String
    /// What the user should do about it.
    public var hint: String?
    /// The file the error concerns, if any.
    public var file: String?
    /// The 1-based line in ``file`` (or in the migration) the error concerns.
    public var line: Int?
    /// The migration the error concerns.
    public var migrationID: MigrationID?
    /// The SQL statement that failed.
    public var statement: String?
    /// The code the database gave the error: an SQLSTATE (PostgreSQL) or a result code
    /// (SQLite); nil when the database raised none.
    public var databaseCode: DatabaseErrorCode?
    /// The error that caused this one, as the driver or system threw it: a `PSQLError`, the
    /// SQLite driver's error, an I/O error, or the ``CutoverError`` of the failed statement
    /// (for a failed migration). For `--verbose` output and for programs that need the
    /// driver's detail; render it with ``underlyingDescription``, which hides passwords.
    public var underlying: (any Error)?
    /// The error of the `ROLLBACK` that followed this error, when that failed too (the
    /// session was lost, say). nil when there was no rollback or it succeeded.
    public var rollbackError: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: one user-facing sentence, with passwords already redacted.
    ///   - hint: what to do about it.
    ///   - file: the file the error concerns.
    ///   - line: the 1-based line in `file`.
    ///   - migrationID: the migration the error concerns.
    ///   - statement: the SQL that failed.
    ///   - databaseCode: the code the database gave the error.
    ///   - underlying: the error that caused this one.
    ///   - rollbackError: the error of a rollback that failed after this error.
    public init(
        _ code: Code, _ message: String, hint: String? = nil, file: String? = nil, line: Int? = nil,
        migrationID: MigrationID? = nil, statement: String? = nil, databaseCode: DatabaseErrorCode? = nil,
        underlying: (any Error)? = nil, rollbackError: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.migrationID = migrationID
        self.statement = statement
        self.databaseCode = databaseCode
        self.underlying = underlying
        self.rollbackError = rollbackError
    }

    /// The SQLSTATE, when PostgreSQL raised the error (``databaseCode``'s
    /// ``DatabaseErrorCode/sqlState``).
    public var sqlState: SQLState? { databaseCode?.sqlState }

    /// The message, prefixed by `file:line:` when known.
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line { location += ":\(line)" }
            location += ": "
        }
        return DatabaseURL.redact(location + message)
    }

    /// The ``underlying`` error as its debug description, passwords redacted; nil without one.
    public var underlyingDescription: String? {
        underlying.map { DatabaseURL.redact(String(reflecting: $0)) }
    }

    /// The ``rollbackError`` as its debug description, passwords redacted; nil without one.
    public var rollbackErrorDescription: String? {
        rollbackError.map { DatabaseURL.redact(String(reflecting: $0)) }
    }

    /// The description plus the database's code, the statement, the underlying error and
    /// the rollback's error, one per line, passwords redacted.
    public var debugDescription: String {
        var parts = [description]
        if let databaseCode {
            if let state = databaseCode.sqlState {
                parts.append("SQLSTATE \(state)")
            } else if let result = databaseCode.sqliteResultCode {
                parts.append("SQLite result code \(result.name) (\(result.rawValue))")
            }
        }
        if let statement { parts.append("statement: \(DatabaseURL.redact(statement))") }
        if let underlyingDescription { parts.append("underlying: \(underlyingDescription)") }
        if let rollbackErrorDescription { parts.append("rollback failed too: \(rollbackErrorDescription)") }
        return parts.joined(separator: "\n")
    }

    /// The process exit code the command-line contract gives this error.
    public var exitCode: Int32 { code.exitCode }
}

// `dump(error)` and debuggers walk the mirror: show the underlying and rollback errors as
// their redacted text, so a URL a driver quoted cannot leak its password there either.
extension CutoverError: CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "code": code as Any, "message": DatabaseURL.redact(message), "hint": hint.map(DatabaseURL.redact) as Any,
                "file": file as Any, "line": line as Any, "migrationID": migrationID as Any,
                "statement": statement.map(DatabaseURL.redact) as Any, "databaseCode": databaseCode as Any,
                "underlying": underlyingDescription as Any, "rollbackError": rollbackErrorDescription as Any,
            ],
            displayStyle: .struct)
    }
}

extension CutoverError {
    /// An open set of error kinds. Each maps to an exit code of the command-line contract:
    /// 1 failed, 2 bad input, 3 findings, 4 connection or lock.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable identifier, used in JSON output.
        public let rawValue: String
        /// The exit code of the command-line contract.
        public let exitCode: Int32

        /// Creates a code.
        public init(_ rawValue: String, exitCode: Int32) {
            self.rawValue = rawValue
            self.exitCode = exitCode
        }

        public var description: String { rawValue }

        // MARK: - 1: a migration or operation failed

        /// A statement failed on the database.
        public static let statementFailed = Code("statement_failed", exitCode: 1)
        /// A migration failed (wraps the failing statement).
        public static let migrationFailed = Code("migration_failed", exitCode: 1)
        /// An internal or I/O failure outside the database.
        public static let ioFailed = Code("io_failed", exitCode: 1)
        /// The database does not serve what this version of the application needs
        /// (CutoverRuntime's `SchemaGuard`): migrations missing, or the database moved past it.
        public static let schemaIncompatible = Code("schema_incompatible", exitCode: 1)
        /// A run-time switch cannot be turned on: the migration it requires is not applied.
        public static let flagRequirementNotMet = Code("flag_requirement_not_met", exitCode: 1)

        // MARK: - 2: bad input

        /// The configuration file is missing or invalid.
        public static let invalidConfig = Code("invalid_config", exitCode: 2)
        /// A database URL could not be understood.
        public static let invalidURL = Code("invalid_url", exitCode: 2)
        /// A migration file is malformed.
        public static let invalidMigration = Code("invalid_migration", exitCode: 2)
        /// Command-line arguments are inconsistent with the state (e.g. unknown migration id).
        public static let invalidArgument = Code("invalid_argument", exitCode: 2)
        /// The migrations folder does not exist.
        public static let missingMigrations = Code("missing_migrations", exitCode: 2)
        /// `migrate` reached a migration file that is not written yet (`-- cutover:draft`);
        /// the migrations before it were applied.
        public static let draftMigration = Code("draft_migration", exitCode: 2)

        // MARK: - 3: findings

        /// Validation found problems (changed checksums, out-of-order files, failed rows).
        public static let validationFailed = Code("validation_failed", exitCode: 3)

        // MARK: - 4: connection or lock

        /// The database server could not be reached.
        public static let connectionFailed = Code("connection_failed", exitCode: 4)
        /// The server refused the credentials.
        public static let authenticationFailed = Code("authentication_failed", exitCode: 4)
        /// The database named in the URL does not exist.
        public static let unknownDatabase = Code("unknown_database", exitCode: 4)
        /// Another runner held the migration lock for longer than the wait limit.
        public static let lockNotAcquired = Code("lock_not_acquired", exitCode: 4)
    }
}
