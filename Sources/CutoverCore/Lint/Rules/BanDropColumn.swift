/// `ALTER TABLE … DROP COLUMN` on an existing table.
///
/// PostgreSQL only marks the column dropped in the catalog ("The DROP COLUMN form does not
/// physically remove the column", https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES),
/// so the database cost is a brief ACCESS EXCLUSIVE; but nodes still running the old code
/// select or insert the column and fail, and the data is gone. A warning: dropping is the
/// normal last step of expand/contract once no code uses the column.
struct BanDropColumn: LintRule {
    static let id = "ban-drop-column"
    static let severity = LintFinding.Severity.warning
    static let summary = "DROP COLUMN breaks application nodes that still use the column, and loses its data."
    static let appliesBeyondPostgres = true

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        return alter.actions.compactMap { action in
            guard case .dropColumn(let name) = action else { return nil }
            let column = SQLText.identifier(name)
            return LintRuleHit(
                message: "DROP COLUMN \(column) from existing table \(alter.table)",
                lock: statement.lock(on: alter.table) + ", briefly",
                why: "Application nodes still running the old code select or insert \(alter.table).\(column) and fail once the drop commits, and the column's data can only come back from a backup.",
                safeRewrite: "First deploy code that no longer reads or writes \(column) (tell the ORM to ignore it), take a backup, then drop it in a later migration; drop its indexes and foreign keys first so the drop itself is only a catalog change.")
        }
    }
}
