/// `ALTER TABLE … RENAME COLUMN` on an existing table.
///
/// The rename itself is a quick catalog change (ACCESS EXCLUSIVE for a moment on
/// PostgreSQL; https://www.postgresql.org/docs/current/sql-altertable.html), but during a
/// rolling deploy application nodes still running the old code use the old name and fail
/// from the moment it commits. A warning: the change is safe for the database, and renaming
/// is sometimes the intended last step of an expand/contract sequence.
struct RenamingColumn: LintRule {
    static let id = "renaming-column"
    static let severity = LintFinding.Severity.warning
    static let summary = "RENAME COLUMN breaks application nodes still running the old code."
    static let appliesBeyondPostgres = true

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        return alter.actions.compactMap { action in
            guard case .renameColumn(let oldName, let newName) = action else { return nil }
            let (from, to) = (SQLText.identifier(oldName), SQLText.identifier(newName))
            return LintRuleHit(
                message: "RENAME COLUMN \(from) TO \(to) on existing table \(alter.table)",
                lock: statement.lock(on: alter.table) + ", briefly",
                why: "Application nodes still running the old code read and write \(alter.table).\(from), and fail as soon as the rename commits; during a rolling deploy old and new code run side by side.",
                safeRewrite: "Expand/contract: add \(to), write both columns (a trigger or the application), backfill \(to) in batches, switch reads to \(to), and drop \(from) once no node uses it; or keep the column's name and rename it only in the application's mapping.")
        }
    }
}
