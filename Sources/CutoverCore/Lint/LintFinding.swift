/// One problem the ``Linter`` found in a migration: which rule, where, the lock the
/// statement takes, why that hurts a live database, and the safe way to write it.
///
/// Findings are plain values with stable field names, so they render as text
/// (``renderedText()``), as GitHub workflow annotations (``githubAnnotation``), or as JSON
/// (`Codable`, snake_case keys):
///
/// ```swift
/// for finding in Linter().lint(migration, dialect: PostgresDialect()) {
///     print(finding.renderedText())
/// }
/// ```
///
/// ## Topics
/// ### Where
/// - ``file``
/// - ``line``
/// - ``migrationID``
/// - ``statement``
/// ### What
/// - ``rule``
/// - ``severity``
/// - ``message``
/// - ``lock``
/// - ``why``
/// - ``safeRewrite``
/// - ``note``
/// - ``isBlocking``
/// ### Rendering
/// - ``renderedText()``
/// - ``githubAnnotation``
/// - ``summary(of:)``
public struct LintFinding: Sendable, Hashable, Codable {
    /// How serious a finding is.
    ///
    /// ```swift
    /// let blocking = findings.contains { $0.severity == .error }
    /// ```
    public enum Severity: String, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
        /// Information, never blocking: e.g. a migration with no statements, which is
        /// recorded as applied without running anything (``MigrationFileChecks``).
        case note
        /// Worth knowing, not blocking: the statement is safe for the database but may break
        /// application nodes that still run the old code (renames, drops).
        case warning
        /// The statement blocks reads or writes for longer than a moment, rewrites the table,
        /// or fails: `cutover lint` exits 3.
        case error

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .note: 0
            case .warning: 1
            case .error: 2
            }
        }

        public var description: String { rawValue }
    }

    /// The rule's stable id (`require-concurrent-index-creation`), as `-- cutover:allow` takes it.
    public var rule: String
    /// Error, warning or note.
    public var severity: Severity
    /// The migration file, as the migration names it (``Migration/fileName``); callers may
    /// replace it by a path.
    public var file: String
    /// The 1-based line of the statement's first token in ``file``.
    public var line: Int
    /// The migration the statement belongs to.
    public var migrationID: MigrationID
    /// The statement's SQL.
    public var statement: String
    /// One line: what the statement does wrong (`CREATE INDEX without CONCURRENTLY on orders`).
    public var message: String
    /// The lock the statement takes (`SHARE on orders (blocks writes)`).
    public var lock: String
    /// Why that hurts a live database or the application.
    public var why: String
    /// How to write the change safely.
    public var safeRewrite: String
    /// Why an error cannot hurt anyone on the target, when the lint gate of a run knows it
    /// (``LintTarget``): `table orders is created in this run`,
    /// `table users is 8 kB in the target (under small_table 10 MB)`. Nil otherwise.
    public var harmlessBecause: String?

    /// An error with no ``harmlessBecause``: the lint gate stops the run on it.
    public var isBlocking: Bool { severity == .error && harmlessBecause == nil }

    /// Creates a finding.
    public init(
        rule: String, severity: Severity, file: String, line: Int, migrationID: MigrationID, statement: String,
        message: String, lock: String, why: String, safeRewrite: String, harmlessBecause: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.line = line
        self.migrationID = migrationID
        self.statement = statement
        self.message = message
        self.lock = lock
        self.why = why
        self.safeRewrite = safeRewrite
        self.harmlessBecause = harmlessBecause
    }

    private enum CodingKeys: String, CodingKey {
        case rule, severity, file, line, migrationID = "migration", statement, message, lock, why, safeRewrite = "safe_rewrite", harmlessBecause = "harmless_because"
    }
}
