/// `ALTER COLUMN … TYPE` on an existing table, unless it is a change known to keep the
/// stored data.
///
/// "Changing the type of an existing column will require the entire table and its indexes
/// to be rewritten", except when the old type is binary coercible to the new one
/// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES); see
/// ``LintTypeName/changeKeepsData(to:timeZoneIsUTC:postgresVersion:)`` for the changes
/// recognised as safe. The old type comes from earlier statements and migrations; when it
/// is unknown the change is reported, saying so.
struct ChangingColumnType: LintRule {
    static let id = "changing-column-type"
    static let severity = LintFinding.Severity.error
    static let summary = "ALTER COLUMN TYPE rewrites the table under ACCESS EXCLUSIVE, except the known safe changes (e.g. varchar(n) to a larger limit or text)."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        return alter.actions.compactMap { action in
            guard case .alterColumnType(let column, let type, let hasUsing) = action else { return nil }
            let old = statement.state.knowledge.columnTypes[table]?[column]
            if let old, !hasUsing,
                old.changeKeepsData(to: type, timeZoneIsUTC: statement.state.timeZoneIsUTC, postgresVersion: statement.postgresVersion)
            {
                return nil
            }
            let from = old.map { " from \($0)" } ?? ""
            var why = "Unless the old type is binary coercible to the new one, PostgreSQL rewrites \(table) and rebuilds its indexes while holding ACCESS EXCLUSIVE: reads and writes wait for the rewrite. Application nodes still running the old code also read and write the old type."
            if old == nil {
                why += " Cutover found no earlier CREATE TABLE or ADD COLUMN for \(table).\(SQLText.identifier(column)), so it cannot tell whether this is one of the changes that skip the rewrite."
            } else if hasUsing {
                why += " A USING clause computes every row anew."
            }
            return LintRuleHit(
                message: "ALTER COLUMN \(SQLText.identifier(column)) TYPE \(type)\(from) on existing table \(table)",
                lock: statement.lock(on: table) + ", for the whole rewrite",
                why: why,
                safeRewrite: "Expand/contract: add a new column of type \(type), keep it in sync with a trigger, backfill it in batches, switch reads and writes to it, then drop the old column. Changes that need no rewrite: varchar(n) to a larger varchar or to text, text to unlimited varchar, numeric(p,s) to a larger precision with the same scale, cidr to inet, a larger timestamp/time/interval precision, and timestamp to timestamptz after SET timezone = 'UTC' (PostgreSQL 12+).")
        }
    }
}
