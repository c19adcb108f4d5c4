/// One row of Cutover's history table: what happened to one migration.
public struct HistoryRecord: Sendable, Equatable {
    /// The migration id (normalised digits).
    public var id: MigrationID
    public var name: String
    /// `sql` for a migration file, `baseline` for one adopted by `cutover baseline`.
    public var kind: String
    /// SHA-256 of the file when it was applied.
    public var checksum: String
    public var phase: Phase
    /// ISO-8601 UTC.
    public var startedAt: String?
    /// ISO-8601 UTC.
    public var finishedAt: String?
    public var durationMilliseconds: Int?
    /// `user@host` of the runner.
    public var appliedBy: String?
    public var toolVersion: String?
    /// For `-- cutover:no-transaction` migrations: statements already done, so a rerun resumes.
    public var statementsDone: Int
    public var statementsTotal: Int?
    /// For a failure: the statement, its line in the file, the message and SQLSTATE.
    public var failedStatement: String?
    public var failedLine: Int?
    public var errorMessage: String?
    /// The database's code as text (``DatabaseErrorCode/text``): the SQLSTATE on PostgreSQL,
    /// the result code's name on SQLite (`SQLITE_BUSY`; rows written by earlier versions hold the
    /// older `busy`-style names).
    public var errorSQLState: String?

    public init(
        id: MigrationID, name: String, kind: String = "sql", checksum: String, phase: Phase, startedAt: String? = nil,
        finishedAt: String? = nil, durationMilliseconds: Int? = nil, appliedBy: String? = nil, toolVersion: String? = nil,
        statementsDone: Int = 0, statementsTotal: Int? = nil, failedStatement: String? = nil, failedLine: Int? = nil,
        errorMessage: String? = nil, errorSQLState: String? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.checksum = checksum
        self.phase = phase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = durationMilliseconds
        self.appliedBy = appliedBy
        self.toolVersion = toolVersion
        self.statementsDone = statementsDone
        self.statementsTotal = statementsTotal
        self.failedStatement = failedStatement
        self.failedLine = failedLine
        self.errorMessage = errorMessage
        self.errorSQLState = errorSQLState
    }
}

extension HistoryRecord {
    /// Where a migration stands. An open set, stored as text.
    public struct Phase: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Fully applied.
        public static let applied = Phase("applied")
        /// A no-transaction migration in progress (or interrupted): `statementsDone` tells how far.
        public static let running = Phase("running")
        /// Failed; the database holds nothing of it unless `statementsDone` > 0 (no-transaction).
        public static let failed = Phase("failed")
        /// Applied once, then rolled back by its down section.
        public static let rolledBack = Phase("rolled_back")
    }
}

/// The version of this tool, written into the history.
public enum CutoverVersion {
    public static let current = "0.1.0"
}
