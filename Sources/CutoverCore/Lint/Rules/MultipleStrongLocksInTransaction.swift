/// ACCESS EXCLUSIVE locks on two or more existing tables in one transaction.
///
/// Locks are held until the transaction ends
/// (https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES): the first
/// table stays blocked while the later statements wait and run, and a transaction that
/// locks the same tables in the other order deadlocks with this one. Reported once per
/// migration, on the statement that locks the second table; a warning, because several
/// quick catalog changes in one transaction are often acceptable with a lock_timeout.
struct MultipleStrongLocksInTransaction: LintRule {
    static let id = "multiple-strong-locks-in-transaction"
    static let severity = LintFinding.Severity.warning
    static let summary = "ACCESS EXCLUSIVE on several existing tables in one transaction: locks pile up until commit, deadlock risk."
    static let appliesBeyondPostgres = false

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        let earlier = statement.state.exclusivelyLockedTables
        guard statement.state.isTransactional, earlier.count == 1,
            let second = statement.locks.first(where: { $0.mode == .accessExclusive && $0.table != nil && $0.table != earlier[0] })?.table
        else { return [] }
        let first = earlier[0]
        return [
            LintRuleHit(
                message: "ACCESS EXCLUSIVE on \(first) and then on \(second) in one transaction",
                lock: "ACCESS EXCLUSIVE on \(first) (taken earlier, held until commit) and on \(second) (blocks reads and writes)",
                why: "\(first) stays locked while this statement waits for and holds its lock on \(second); a transaction that locks \(second) and then \(first) deadlocks with this one, and a lock timeout retries the whole migration.",
                safeRewrite: "Change one table per migration (each migration is one transaction), or mark the migration `-- cutover:no-transaction` so each statement commits on its own.")
        ]
    }
}
