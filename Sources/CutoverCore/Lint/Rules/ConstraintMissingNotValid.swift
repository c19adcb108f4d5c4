/// A foreign key or CHECK constraint added to an existing table without `NOT VALID`, or
/// validated in the same transaction that added it.
///
/// Adding a validated constraint scans the whole table under the ALTER's lock: ACCESS
/// EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key. With NOT
/// VALID "the potentially-lengthy initial check … is skipped", and a later VALIDATE
/// CONSTRAINT scans under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes
/// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
/// VALIDATE in the same transaction as the ADD gains nothing, since the ADD's lock is held
/// until commit.
struct ConstraintMissingNotValid: LintRule {
    static let id = "constraint-missing-not-valid"
    static let severity = LintFinding.Severity.error
    static let summary = "FOREIGN KEY or CHECK added to an existing table without NOT VALID (or validated in the same transaction)."
    static let appliesBeyondPostgres = false
    /// A short lock on a small table, or any lock on a table created in the same run, hurts nobody.
    static let harmless = LintHarmlessness.smallTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        guard case .alterTable(let alter) = statement.shape, !statement.state.isNew(alter.table) else { return [] }
        let table = alter.table
        var hits: [LintRuleHit] = []
        for action in alter.actions {
            switch action {
            case .addConstraint(let constraint) where !constraint.isNotValid:
                let name = SQLText.identifier(constraint.name ?? "\(table.name)_check")
                switch constraint.kind {
                case .check:
                    hits.append(
                        LintRuleHit(
                            message: "ADD CONSTRAINT \(name) CHECK on existing table \(table) without NOT VALID",
                            lock: statement.lock(on: table) + ", for a scan of every row",
                            why: "PostgreSQL checks every existing row while holding ACCESS EXCLUSIVE: reads and writes of \(table) wait for the whole scan.",
                            safeRewrite: "ALTER TABLE \(table) ADD CONSTRAINT \(name) CHECK (…) NOT VALID; (new rows are checked from now on), then in a later migration ALTER TABLE \(table) VALIDATE CONSTRAINT \(name); which scans under SHARE UPDATE EXCLUSIVE and lets reads and writes go on."))
                case .foreignKey(let referenced):
                    let target = referenced.map(\.description) ?? "the referenced table"
                    let fkName = SQLText.identifier(constraint.name ?? "\(table.name)_fkey")
                    hits.append(
                        LintRuleHit(
                            message: "ADD FOREIGN KEY on existing table \(table) without NOT VALID",
                            lock: "SHARE ROW EXCLUSIVE on \(table) and on \(target) (blocks writes), for a scan of every row",
                            why: "PostgreSQL checks that every row of \(table) has a match in \(target) while holding SHARE ROW EXCLUSIVE on both: writes to both tables wait for the whole scan.",
                            safeRewrite: "ALTER TABLE \(table) ADD CONSTRAINT \(fkName) FOREIGN KEY (…) REFERENCES \(target) (…) NOT VALID; then in a later migration (a separate transaction) ALTER TABLE \(table) VALIDATE CONSTRAINT \(fkName);"))
                default:
                    break
                }
            case .addColumn(let column) where column.references != nil || column.hasCheck:
                let what = column.references.map { "REFERENCES \($0)" } ?? "a CHECK constraint"
                hits.append(
                    LintRuleHit(
                        message: "ADD COLUMN \(SQLText.identifier(column.name)) with \(what) on existing table \(table): the constraint is validated at once",
                        lock: statement.lock(on: table) + ", for a scan of every row",
                        why: "A constraint declared with the column is checked against every existing row while the ALTER holds its lock; a column constraint cannot be NOT VALID.",
                        safeRewrite: "ADD COLUMN \(SQLText.identifier(column.name)) without the constraint, then ALTER TABLE \(table) ADD CONSTRAINT … \(column.references != nil ? "FOREIGN KEY (\(SQLText.identifier(column.name))) \(what)" : "CHECK (…)") NOT VALID; and VALIDATE CONSTRAINT in a later migration."))
            case .validateConstraint(let constraintName)
            where statement.state.notValidConstraints.contains(.init(table: table, name: constraintName)):
                let name = SQLText.identifier(constraintName)
                hits.append(
                    LintRuleHit(
                        message: "VALIDATE CONSTRAINT \(name) in the transaction that added it NOT VALID",
                        lock: "the lock ADD CONSTRAINT took on \(table) (ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE for FOREIGN KEY), held until commit",
                        why: "Locks last until the transaction commits, so the validation scan runs under the ADD's strong lock and NOT VALID gains nothing.",
                        safeRewrite: "Move ALTER TABLE \(table) VALIDATE CONSTRAINT \(name); to a later migration, or mark this one `-- cutover:no-transaction` so the ADD commits first."))
            default:
                break
            }
        }
        return hits
    }
}
