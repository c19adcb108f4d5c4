/// `ADD COLUMN … NOT NULL` without a DEFAULT on an existing table.
///
/// Existing rows would hold NULL, so PostgreSQL fails the statement on a non-empty table
/// (23502 not_null_violation), and SQLite refuses it on any table: "If a NOT NULL constraint
/// is specified, then the column must have a default value other than NULL"
/// (https://www.sqlite.org/lang_altertable.html#altertabaddcol). Application nodes still
/// running the old code cannot INSERT without naming the column. Identity, serial and
/// generated columns supply their own values and are not reported here. For SQLite the
/// statement is reported on new tables too, since SQLite refuses it whatever the rows.
struct AddingRequiredField: LintRule {
    static let id = "adding-required-field"
    static let severity = LintFinding.Severity.error
    static let summary = "ADD COLUMN NOT NULL without a DEFAULT on an existing table fails on existing rows and breaks old INSERTs."
    static let appliesBeyondPostgres = true
    /// Only a table created in the same run has no rows and no other sessions to wait for.
    static let harmless = LintHarmlessness.newTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        // SQLite refuses the statement on any table, new or not; PostgreSQL only on one with rows.
        guard case .alterTable(let alter) = statement.shape, !statement.isPostgres || !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        return alter.actions.compactMap { action in
            guard case .addColumn(let column) = action, column.isNotNull,
                column.defaultExpression.map(LintDefaultExpression.isNull) ?? true,
                !column.isIdentity, !column.isStoredGenerated, !column.isVirtualGenerated, column.type?.isSerial != true
            else { return nil }
            let type = column.type?.written ?? ""
            let why =
                statement.isPostgres
                ? "Every existing row would hold NULL, so PostgreSQL fails the statement on a non-empty table (23502); and application nodes still running the old code cannot INSERT into \(table) without naming the new column."
                : "SQLite refuses to add a NOT NULL column without a non-NULL default; and application nodes still running the old code cannot INSERT into \(table) without naming the new column."
            let rewrite =
                statement.isPostgres
                ? "ALTER TABLE \(table) ADD COLUMN \(SQLText.identifier(column.name)) \(type) NOT NULL DEFAULT <constant>; (a non-volatile default is a catalog change since PostgreSQL 11); or add it nullable, backfill in batches, then make it NOT NULL as adding-not-nullable-field describes."
                : "ALTER TABLE \(table) ADD COLUMN \(SQLText.identifier(column.name)) \(type) NOT NULL DEFAULT <constant>; or add it nullable and backfill."
            return LintRuleHit(
                message: "ADD COLUMN \(SQLText.identifier(column.name)) NOT NULL without a DEFAULT on \(statement.state.isNew(table) ? "" : "existing ")table \(table)",
                lock: statement.lock(on: table), why: why, safeRewrite: rewrite)
        }
    }
}
