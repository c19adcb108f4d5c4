/// A statement that takes a lock blocking writes on an existing table, with no lock_timeout
/// in force: neither `[safety] lock_timeout` in cutover.toml nor `SET lock_timeout` earlier
/// in the migration.
///
/// A lock request waits behind any conflicting lock, and "any later lock requests … queue
/// behind it"; lock_timeout aborts a statement that waits longer than set
/// (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT).
/// Reported once per migration, on the first such statement.
struct RequireLockTimeout: LintRule {
    static let id = "require-lock-timeout"
    static let severity = LintFinding.Severity.error
    static let summary = "A lock that blocks writes with no lock_timeout: a long query ahead of it stalls every query on the table."
    static let appliesBeyondPostgres = false
    /// Only a table created in the same run has no rows and no other sessions to wait for.
    static let harmless = LintHarmlessness.newTable

    func check(_ statement: LintedStatement) -> [LintRuleHit] {
        let strong = statement.locks.filter { $0.mode.blocksWrites }
        guard !strong.isEmpty, !statement.state.isLockTimeoutActive, !statement.state.unprotectedStrongLockSeen else { return [] }
        let set = statement.state.isTransactional ? "SET LOCAL lock_timeout = '2s';" : "SET lock_timeout = '2s'; (not SET LOCAL, which ends with its own statement here)"
        return [
            LintRuleHit(
                message: "\(strong.map(\.description).joined(separator: ", ")) with no lock_timeout",
                lock: strong.map { "\($0.description) (\($0.mode.effect))" }.joined(separator: ", "),
                why: "If a long query or an open transaction holds a conflicting lock, this statement waits for it, and every later query on the table queues behind the waiting request: the application stalls until the lock is granted.",
                safeRewrite: "Set lock_timeout = \"2s\" under [safety] in cutover.toml (Cutover then sets it in every migration and retries after a timeout, with backoff), or begin the migration with \(set)")
        ]
    }
}
