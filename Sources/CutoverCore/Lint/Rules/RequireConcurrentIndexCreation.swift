/// `CREATE INDEX` without `CONCURRENTLY` on a table that already exists.
///
/// "Normally PostgreSQL locks the table to be indexed against writes and performs the
/// entire index build with a single scan of the table"; CONCURRENTLY builds it without
/// blocking writes
/// (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
/// An index on a table created earlier in the same migration is fine, and so is
/// `ON ONLY parent`, which only records an invalid index on a partitioned table's parent.
struct RequireConcurrentIndexCreation: LintRule {
    static let id = "require-concurrent-index-creation"
    static let severity = LintFinding.Severity.error
    static let summary = "CREATE INDEX without CONCURRENTLY on an existing table blocks writes for the whole build."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .createIndex(let index) = statement.shape, !index.isConcurrent, !index.isOnlyParent,
            !statement.state.isNew(index.table)
        else { return [] }
        let unique = index.isUnique ? "UNIQUE " : ""
        let rewritten = LintRewriteText.inserting("CONCURRENTLY", after: "INDEX", in: statement.statement.sql)
            ?? "CREATE \(unique)INDEX CONCURRENTLY … ON \(index.table) (…)"
        return [
            LintRuleHit(
                message: "CREATE \(unique)INDEX\(index.name.map { " \($0)" } ?? "") without CONCURRENTLY on existing table \(index.table)",
                lock: statement.lock(on: index.table) + ", for the whole build",
                why: "PostgreSQL reads every row of \(index.table) to build the index while holding SHARE: every INSERT, UPDATE and DELETE waits until the build ends, which takes minutes on a large table.",
                safeRewrite: "\(rewritten); \(LintRewriteText.noTransactionHint), since CONCURRENTLY cannot run in a transaction. It takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. If it fails it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and run the migration again.")
        ]
    }
}
