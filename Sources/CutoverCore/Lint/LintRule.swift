/// One lint rule: a stable id, a severity, where it applies, and the check itself.
///
/// Rules are stateless; what they need to know about earlier statements (new tables, the
/// lock timeout in force, locks already held in the transaction) is in
/// ``LintedStatement/state``. One rule per file in `Lint/Rules/`, registered in
/// ``Linter/allRules``.
protocol LintRule: Sendable {
    /// The kebab-case id users write in `-- cutover:allow`.
    static var id: String { get }
    static var severity: LintFinding.Severity { get }
    /// One line for the rule list.
    static var summary: String { get }
    /// Whether the rule also runs for SQLite (and other non-PostgreSQL dialects). Rules
    /// about PostgreSQL's lock modes do not: SQLite takes one lock on the whole database file
    /// for any write, so lock strength and ordering do not apply there.
    static var appliesBeyondPostgres: Bool { get }
    /// When a finding cannot hurt anyone on the target: on a table created in the same run,
    /// or one under `small_table` (``LintTarget``). Default: never.
    static var harmless: LintHarmlessness { get }

    /// The findings for one statement (usually none or one).
    func check(_ statement: LintedStatement) -> [LintRuleHit]
}

extension LintRule {
    static var harmless: LintHarmlessness { .never }
}

/// What a rule reports; the linter adds the rule id, severity, file, line and statement.
struct LintRuleHit: Sendable {
    var message: String
    var lock: String
    var why: String
    var safeRewrite: String
}

/// A rule as users see it in the documentation and in `cutover lint --list-rules`.
///
/// ```swift
/// for rule in Linter.rules { print(rule.id, rule.severity) }
/// ```
public struct LintRuleDescription: Sendable, Hashable {
    /// The stable id, as findings and `-- cutover:allow` name it.
    public let id: String
    /// The severity of its findings.
    public let severity: LintFinding.Severity
    /// What it reports, in one line.
    public let summary: String
    /// Whether it runs for SQLite too; otherwise PostgreSQL only.
    public let appliesToSQLite: Bool
}
