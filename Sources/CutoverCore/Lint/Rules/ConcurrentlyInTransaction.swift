/// A statement the database refuses inside a transaction block, in a migration that runs
/// in one (no `-- cutover:no-transaction`).
///
/// PostgreSQL: "a regular CREATE INDEX command can be performed within a transaction block,
/// but CREATE INDEX CONCURRENTLY cannot"; the same holds for DROP INDEX CONCURRENTLY,
/// REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and VACUUM, which fail with SQLSTATE
/// 25001 (https://www.postgresql.org/docs/current/sql-createindex.html). SQLite refuses
/// VACUUM in a transaction (https://www.sqlite.org/lang_vacuum.html). The dialect's
/// ``Dialect/cannotRunInTransaction(_:)`` decides, as it does for the engine.
struct ConcurrentlyInTransaction: LintRule {
    static let id = "concurrently-in-transaction"
    static let severity = LintFinding.Severity.error
    static let summary = "CONCURRENTLY (or VACUUM) in a migration that runs in a transaction fails."
    static let appliesBeyondPostgres = true

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard statement.state.isTransactional, statement.dialect.cannotRunInTransaction(statement.statement.sql) else { return [] }
        let words = statement.dialect.leadingWords(of: statement.statement.sql, count: 3).joined(separator: " ")
        let database = statement.isPostgres ? "PostgreSQL" : "SQLite"
        return [
            LintRuleHit(
                message: "\(words) … cannot run inside a transaction, and this migration runs in one",
                lock: "none: \(database) refuses the statement",
                why: "\(database) rejects the statement inside a transaction block\(statement.isPostgres ? " (SQLSTATE 25001)" : ""), so the migration fails and is rolled back.",
                safeRewrite: "Move the statement \(LintRewriteText.noTransactionHint); Cutover then runs it alone and records progress right after it.")
        ]
    }
}
