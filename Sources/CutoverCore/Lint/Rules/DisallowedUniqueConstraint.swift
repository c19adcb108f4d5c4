/// `ADD UNIQUE` / `ADD PRIMARY KEY` (as a table constraint or on a new column) on an
/// existing table without `USING INDEX`.
///
/// The constraint builds its unique index while ALTER TABLE holds ACCESS EXCLUSIVE. Building
/// the index first with CREATE UNIQUE INDEX CONCURRENTLY and attaching it with
/// `ADD CONSTRAINT … UNIQUE USING INDEX` is a catalog change
/// (https://www.postgresql.org/docs/current/sql-altertable.html, "ADD table_constraint_using_index").
struct DisallowedUniqueConstraint: LintRule {
    static let id = "disallowed-unique-constraint"
    static let severity = LintFinding.Severity.error
    static let summary = "ADD UNIQUE or PRIMARY KEY on an existing table without USING INDEX builds the index under ACCESS EXCLUSIVE."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        var hits: [LintRuleHit] = []
        for action in alter.actions {
            let kind: String
            let name: String
            switch action {
            case .addConstraint(let constraint):
                switch constraint.kind {
                case .unique(usingIndex: false): kind = "UNIQUE"
                case .primaryKey(usingIndex: false): kind = "PRIMARY KEY"
                default: continue
                }
                name = SQLText.identifier(constraint.name ?? "\(table.name)_\(kind == "UNIQUE" ? "key" : "pkey")")
            case .addColumn(let column) where column.isUnique || column.isPrimaryKey:
                kind = column.isPrimaryKey ? "PRIMARY KEY" : "UNIQUE"
                name = SQLText.identifier("\(table.name)_\(column.name)_\(column.isPrimaryKey ? "pkey" : "key")")
            default:
                continue
            }
            hits.append(
                LintRuleHit(
                    message: "ADD \(kind) on existing table \(table) builds its index under the ALTER's lock",
                    lock: statement.lock(on: table) + ", for the whole index build",
                    why: "PostgreSQL reads every row of \(table) to build the unique index while holding ACCESS EXCLUSIVE: reads and writes wait until it is done.",
                    safeRewrite: "CREATE UNIQUE INDEX CONCURRENTLY \(name) ON \(table) (…); \(LintRewriteText.noTransactionHint), then ALTER TABLE \(table) ADD CONSTRAINT \(name) \(kind) USING INDEX \(name);\(kind == "PRIMARY KEY" ? " (the key columns must be NOT NULL first, see adding-not-nullable-field)" : "")"))
        }
        return hits
    }
}
