/// `ALTER COLUMN … SET NOT NULL` on an existing table.
///
/// SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, "unless … a valid CHECK
/// constraint exists … proving that the column contains no nulls" (PostgreSQL 12+;
/// https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL).
/// No finding when an earlier statement or migration validated `CHECK (col IS NOT NULL)`
/// and the target is PostgreSQL 12 or later.
struct AddingNotNullableField: LintRule {
    static let id = "adding-not-nullable-field"
    static let severity = LintFinding.Severity.error
    static let summary = "SET NOT NULL on an existing column scans the table under ACCESS EXCLUSIVE (use a validated CHECK first, PG 12+)."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        let modern = statement.postgresVersion >= 12_00_00
        return alter.actions.compactMap { action in
            guard case .setNotNull(let column) = action,
                !(modern && statement.state.knowledge.hasValidatedNotNullCheck(table, column))
            else { return nil }
            let check = SQLText.identifier("\(table.name)_\(column)_not_null")
            let quotedColumn = SQLText.identifier(column)
            let rewrite =
                modern
                ? "ALTER TABLE \(table) ADD CONSTRAINT \(check) CHECK (\(quotedColumn) IS NOT NULL) NOT VALID; then in a later migration ALTER TABLE \(table) VALIDATE CONSTRAINT \(check); (no blocking scan), then ALTER TABLE \(table) ALTER COLUMN \(quotedColumn) SET NOT NULL; (PostgreSQL 12+ uses the validated check and skips the scan) and ALTER TABLE \(table) DROP CONSTRAINT \(check);"
                : "Before PostgreSQL 12, SET NOT NULL always scans the table. Keep CHECK (\(quotedColumn) IS NOT NULL), added NOT VALID and then validated in a later migration, instead of NOT NULL; or upgrade and use the check to skip the scan."
            return LintRuleHit(
                message: "SET NOT NULL on column \(quotedColumn) of existing table \(table)",
                lock: statement.lock(on: table) + ", for a scan of every row",
                why: "PostgreSQL checks that no row of \(table) holds NULL while holding ACCESS EXCLUSIVE: reads and writes wait for the whole scan.",
                safeRewrite: rewrite)
        }
    }
}
