/// `DROP INDEX` without `CONCURRENTLY`.
///
/// A plain DROP INDEX takes ACCESS EXCLUSIVE on the index's table; "with CONCURRENTLY, the
/// command instead waits until conflicting transactions have completed" and does not block
/// reads and writes (https://www.postgresql.org/docs/current/sql-dropindex.html). An index
/// created on a new table earlier in the same migration is fine.
struct RequireConcurrentIndexDeletion: LintRule {
    static let id = "require-concurrent-index-deletion"
    static let severity = LintFinding.Severity.error
    static let summary = "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .dropIndex(let drop) = statement.shape, !drop.isConcurrent else { return [] }
        let onExistingTables = drop.names.filter { name in statement.state.indexTables[name].map { !statement.state.isNew($0) } ?? true }
        guard !onExistingTables.isEmpty else { return [] }
        let names = onExistingTables.map(\.description).joined(separator: ", ")
        return [
            LintRuleHit(
                message: "DROP INDEX \(names) without CONCURRENTLY",
                lock: statement.locks.filter { $0.mode == .accessExclusive }.map(\.description).joined(separator: ", ") + " (blocks reads and writes)",
                why: "The drop itself is quick, but its ACCESS EXCLUSIVE request waits for every running query on the table to finish, and all later queries on the table queue behind it.",
                safeRewrite: onExistingTables.map { "DROP INDEX CONCURRENTLY IF EXISTS \($0);" }.joined(separator: " ")
                    + " \(LintRewriteText.noTransactionHint); CONCURRENTLY drops one index per statement and cannot CASCADE.")
        ]
    }
}
