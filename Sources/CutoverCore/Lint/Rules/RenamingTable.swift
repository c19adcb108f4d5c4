/// `ALTER TABLE … RENAME TO` on an existing table.
///
/// A quick catalog change for the database, but application nodes still running the old
/// code use the old name and fail from the moment it commits. On PostgreSQL a simple view
/// is automatically updatable (https://www.postgresql.org/docs/current/sql-createview.html#SQL-CREATEVIEW-UPDATABLE-VIEWS),
/// so a view with the old name keeps old nodes working.
struct RenamingTable: LintRule {
    static let id = "renaming-table"
    static let severity = LintFinding.Severity.warning
    static let summary = "RENAME TO breaks application nodes still running the old code."
    static let appliesBeyondPostgres = true

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        return alter.actions.compactMap { action in
            guard case .renameTable(let new) = action else { return nil }
            let old = alter.table
            let rewrite =
                statement.isPostgres
                ? "In one migration: ALTER TABLE \(old) RENAME TO \(SQLText.identifier(new.name)); CREATE VIEW \(old) AS SELECT * FROM \(SQLText.identifier(new.name)); (a simple view is updatable, so old nodes keep reading and writing), deploy code that uses \(SQLText.identifier(new.name)), then DROP VIEW \(old) in a later migration."
                : "Keep the old name until every node runs code that uses the new one (SQLite views are read-only without INSTEAD OF triggers); or copy into a new table and switch in steps."
            return LintRuleHit(
                message: "RENAME TABLE \(old) TO \(SQLText.identifier(new.name))",
                lock: statement.lock(on: old) + ", briefly",
                why: "Application nodes still running the old code query \(old), and fail as soon as the rename commits; during a rolling deploy old and new code run side by side.",
                safeRewrite: rewrite)
        }
    }
}
