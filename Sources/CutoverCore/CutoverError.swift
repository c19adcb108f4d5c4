/// The one error type Cutover throws across its layers.
///
/// Every error carries a one-line ``message`` a user can act on, a ``hint`` that says what
/// to do next, and the object it concerns (file, migration, statement, line). Database
/// errors keep their SQLSTATE in ``sqlState``.
///
/// ```swift
/// do { try await migrator.migrate() }
/// catch let error as CutoverError {
///     print("error: \(error.message)")
///     if let hint = error.hint { print("hint: \(hint)") }
/// }
/// ```
///
/// Messages never contain passwords: URLs are redacted with ``DatabaseURL/redacted``
/// before they reach an error.
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
    /// The database's SQLSTATE (PostgreSQL) or result code (SQLite), when the database raised it.
    public var sqlState: String?
    /// A description of the underlying error, for `--verbose` output.
    public var underlying: String?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, hint: String? = nil, file: String? = nil, line: Int? = nil,
        migrationID: MigrationID? = nil, statement: String? = nil, sqlState: String? = nil,
        underlying: String? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.migrationID = migrationID
        self.statement = statement
        self.sqlState = sqlState
        self.underlying = underlying
    }

    /// The message, prefixed by `file:line:` when known.
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line { location += ":\(line)" }
            location += ": "
        }
        return location + message
    }

    /// The description plus the statement, SQLSTATE and underlying error.
    public var debugDescription: String {
        var parts = [description]
        if let sqlState { parts.append("SQLSTATE \(sqlState)") }
        if let statement { parts.append("statement: \(statement)") }
        if let underlying { parts.append("underlying: \(underlying)") }
        return parts.joined(separator: "\n")
    }

    /// The process exit code the command-line contract gives this error.
    public var exitCode: Int32 { code.exitCode }
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
