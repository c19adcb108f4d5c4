import Foundation

/// SQL for SQLite. Cutover's tables are prefixed `cutover_`.
public struct SQLiteDialect: Dialect {
    public init() {}

    public var name: String { "sqlite" }
    public func placeholder(_ index: Int) -> String { "?\(index)" }
    public var historyTable: String { "cutover_history" }
    /// `BEGIN IMMEDIATE` takes the write lock up front, so two runners serialise on it
    /// (waiting up to the busy timeout) instead of failing later with SQLITE_BUSY on upgrade
    /// (https://www.sqlite.org/lang_transaction.html).
    public var beginTransaction: String { "BEGIN IMMEDIATE" }
    public var hasTransactionalDDL: Bool { true }

    public var createHistoryTable: [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS cutover_history (
                id text PRIMARY KEY,
                name text NOT NULL,
                kind text NOT NULL DEFAULT 'sql',
                checksum text NOT NULL,
                phase text NOT NULL,
                started_at text,
                finished_at text,
                duration_ms integer,
                applied_by text,
                tool_version text,
                statements_done integer NOT NULL DEFAULT 0,
                statements_total integer,
                failed_statement text,
                failed_line integer,
                error_message text,
                error_sqlstate text
            )
            """
        ]
    }

    public var historyTableExists: String {
        "SELECT 1 AS present FROM sqlite_schema WHERE type = 'table' AND name = 'cutover_history'"
    }

    /// SQLite has no lock or statement timeout; the nearest is the busy timeout, which bounds
    /// how long a statement waits for another connection's write lock.
    public func timeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?, local: Bool) -> [String] {
        guard let lockTimeout, !local else { return [] }
        return ["PRAGMA busy_timeout = \(lockTimeout.milliseconds)"]
    }

    /// None: the busy timeout the driver sets from `lock_wait` stays in force for the run.
    public func sessionTimeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?) -> [String] { [] }

    /// SQLite has no session settings that the safety net depends on.
    public func mayChangeSessionSettings(_ sql: String) -> Bool { false }

    /// SQLITE_BUSY and SQLITE_LOCKED, reported by the driver as `busy…` / `locked…` result names.
    public func isLockTimeout(_ error: CutoverError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("busy") || state.hasPrefix("locked")
    }

    /// VACUUM cannot run inside a transaction (https://www.sqlite.org/lang_vacuum.html).
    public func cannotRunInTransaction(_ sql: String) -> Bool {
        SQLWords.leading(sql, count: 1).first == "VACUUM"
    }

    public func timestamp(_ placeholder: String) -> String { placeholder }
}
