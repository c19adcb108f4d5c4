/// `ADD COLUMN` on an existing table that fills every row: a volatile DEFAULT (any default
/// before PostgreSQL 11), a serial type (its default is `nextval()`), an identity column, or
/// a stored generated column.
///
/// "Adding a column with a volatile DEFAULT or changing the type of an existing column will
/// require the entire table and its indexes to be rewritten"; since PostgreSQL 11 a
/// non-volatile default is stored in the catalog instead
/// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
/// Identity and stored generated columns are computed for every row the same way.
struct AddingFieldWithVolatileDefault: LintRule {
    static let id = "adding-field-with-volatile-default"
    static let severity = LintFinding.Severity.error
    static let summary = "ADD COLUMN with a volatile default (any default before PG 11), serial, identity or stored generated column rewrites the table."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        return alter.actions.compactMap { action in
            guard case .addColumn(let column) = action, let reason = reason(column, version: statement.postgresVersion) else { return nil }
            let type = column.type?.written ?? "type"
            return LintRuleHit(
                message: "ADD COLUMN \(SQLText.identifier(column.name)) on existing table \(table) rewrites the table: \(reason)",
                lock: statement.lock(on: table) + ", for the whole rewrite",
                why: "PostgreSQL writes a new copy of \(table) with a value in every row, and rebuilds its indexes, while holding ACCESS EXCLUSIVE: reads and writes wait for the rewrite, and the table's disk space doubles meanwhile.",
                safeRewrite: rewrite(column, table: table, type: type))
        }
    }

    private func reason(_ column: LintStatement.ColumnDefinition, version: Int) -> String? {
        if column.type?.isSerial == true { return "\(column.type!.written) fills every row from a sequence (its default, nextval(), is volatile)" }
        if column.isIdentity { return "an identity column is filled from its sequence for every row" }
        if column.isStoredGenerated { return "a stored generated column is computed for every row" }
        guard let expression = column.defaultExpression, !LintDefaultExpression.isNull(expression) else { return nil }
        if version < 11_00_00 { return "before PostgreSQL 11 every non-NULL default is written into every row" }
        switch LintDefaultExpression.volatility(of: expression) {
        case .nonVolatile: return nil
        case .volatile(let function): return "its default calls \(function)(), which is volatile"
        case .unknown(let function):
            return "its default calls \(function)(), which Cutover does not know to be STABLE or IMMUTABLE (functions are VOLATILE unless declared otherwise)"
        }
    }

    private func rewrite(_ column: LintStatement.ColumnDefinition, table: LintTableName, type: String) -> String {
        let name = SQLText.identifier(column.name)
        let backfill = "then backfill existing rows in batches (UPDATE … WHERE id BETWEEN …, one short transaction per batch)"
        if column.type?.isSerial == true || column.isIdentity {
            return "ADD COLUMN \(name) bigint (no default: a catalog change), CREATE SEQUENCE and ALTER COLUMN \(name) SET DEFAULT nextval('…') for new rows, \(backfill); or build a new table and copy the rows."
        }
        if column.isStoredGenerated {
            return "ADD COLUMN \(name) \(type) as a plain column, fill new rows with a trigger or the application, \(backfill)."
        }
        return "ALTER TABLE \(table) ADD COLUMN \(name) \(type); (no default: a catalog change), then ALTER TABLE \(table) ALTER COLUMN \(name) SET DEFAULT …; (applies to new rows only), \(backfill)."
    }
}
