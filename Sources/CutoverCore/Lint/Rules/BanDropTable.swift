/// `DROP TABLE` of an existing table.
///
/// Application nodes still running the old code query the table and fail, and its rows are
/// gone (https://www.postgresql.org/docs/current/sql-droptable.html). A warning: dropping
/// is the normal last step once no code uses the table. A table created earlier in the same
/// migration is not reported.
struct BanDropTable: LintRule {
    static let id = "ban-drop-table"
    static let severity = LintFinding.Severity.warning
    static let summary = "DROP TABLE breaks application nodes that still use the table, and loses its rows."
    static let appliesBeyondPostgres = true

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .dropTable(let tables) = statement.shape else { return [] }
        return tables.filter { !statement.state.isNew($0) }.map { table in
            LintRuleHit(
                message: "DROP TABLE \(table)",
                lock: statement.lock(on: table),
                why: "Application nodes still running the old code query \(table) and fail once the drop commits, and its rows can only come back from a backup.",
                safeRewrite: "First deploy code that no longer uses \(table), take a backup (or rename it to \(SQLText.identifier(table.name + "_deprecated")) and drop it in a later release), then drop it in a later migration.")
        }
    }
}
