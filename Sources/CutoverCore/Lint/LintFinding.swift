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
        /// Worth knowing, not blocking: the statement is safe for the database but may break
        /// application nodes that still run the old code (renames, drops).
        case warning
        /// The statement blocks reads or writes for longer than a moment, rewrites the table,
        /// or fails: `cutover lint` exits 3.
        case error

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .warning && rhs == .error }

        public var description: String { rawValue }
    }

    /// The rule's stable id (`require-concurrent-index-creation`), as `-- cutover:allow` takes it.
    public var rule: String
    /// Error or warning.
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
    public var note: String?

    /// An error with no ``note``: the lint gate stops the run on it.
    public var isBlocking: Bool { severity == .error && note == nil }

    /// Creates a finding.
    public init(
        rule: String, severity: Severity, file: String, line: Int, migrationID: MigrationID, statement: String,
        message: String, lock: String, why: String, safeRewrite: String, note: String? = nil
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
        self.note = note
    }

    private enum CodingKeys: String, CodingKey {
        case rule, severity, file, line, migrationID = "migration", statement, message, lock, why, safeRewrite = "safe_rewrite", note
    }
}
