import Foundation

/// SQL for SQLite. Cutover's tables are prefixed `cutover_`.
public struct SQLiteDialect: Dialect {
    public init() {}

    public var name: String { "sqlite" }

    /// ``SQLLexer/Configuration/sqlite``.
    public var lexerConfiguration: SQLLexer.Configuration { .sqlite }

    public func placeholder(_ index: Int) -> String { "?\(index)" }
    public var historyTable: String { "cutover_history" }
    public var schemaRenderer: any SchemaScriptRenderer { SQLiteSchemaRenderer() }
    /// `BEGIN IMMEDIATE` takes the write lock up front, so two runners serialise on it
    /// (waiting up to the busy timeout) instead of failing later with SQLITE_BUSY on upgrade
    /// (https://www.sqlite.org/lang_transaction.html).
    public var beginTransaction: String { "BEGIN IMMEDIATE" }
    public var hasTransactionalDDL: Bool { true }
    /// One write lock per file: a write transaction blocks every other writer until COMMIT.
    public var writeLocksWholeDatabase: Bool { true }

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
        ] + createSchemaCheckTable
    }

    public var schemaCheckTable: String { "cutover_schema_check" }

    public var createSchemaCheckTable: [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS cutover_schema_check (
                id integer PRIMARY KEY CHECK (id = 1),
                applied_digest text NOT NULL,
                fingerprint text NOT NULL,
                checked_at text NOT NULL
            )
            """
        ]
    }

    /// Every statement SQLite keeps in `sqlite_schema` (type, name, table, SQL text), in
    /// order, each field `quote()`d so the text cannot be read two ways. Introspection and the
    /// pragmas it reads derive everything from these statements. Left out, as introspection
    /// leaves them out: SQLite's own objects (`sqlite_*`, which includes the automatic indexes
    /// and `sqlite_stat1`) and Cutover's tables (`cutover_*`) with their indexes and triggers.
    /// (An ordered aggregate needs SQLite 3.44; sqlite-nio bundles a newer one.)
    public var schemaFingerprintQuery: String? {
        """
        SELECT coalesce(group_concat(quote(type) || ' ' || quote(name) || ' ' || quote(tbl_name) || ' ' || quote(sql), char(10) ORDER BY type, name), '') AS fingerprint
        FROM main.sqlite_schema
        WHERE substr(lower(name), 1, 7) <> 'sqlite_' AND substr(lower(name), 1, 8) <> 'cutover_'
          AND substr(lower(tbl_name), 1, 7) <> 'sqlite_' AND substr(lower(tbl_name), 1, 8) <> 'cutover_'
        """
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

    /// `BEGIN IMMEDIATE; …; COMMIT` as one string, which the SQLite driver runs in one call
    /// (one trip to its thread), rolling back what the string began if a statement fails.
    /// Statements are separated by `;` on a line of its own, so a statement that ends in a
    /// `--` comment cannot swallow the separator.
    public func atomicBatch(_ statements: [String]) -> String? {
        guard !statements.isEmpty else { return nil }
        return "BEGIN IMMEDIATE\n;\n" + statements.joined(separator: "\n;\n") + "\n;\nCOMMIT"
    }

    /// The client's start time (SQLite has no transaction clock); the finish time and the
    /// duration from SQLite's `'now'`, read when the history row is written.
    public func batchHistoryTimes(startedAt: String) -> (startedAt: String, finishedAt: String, durationMilliseconds: String) {
        let started = literal(.text(startedAt))
        return (started, "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", "max(0, CAST(round((julianday('now') - julianday(\(started))) * 86400000) AS INTEGER))")
    }

    /// SQLITE_BUSY and SQLITE_LOCKED with any of their extended codes
    /// (https://www.sqlite.org/rescode.html#busy).
    public func isLockTimeout(_ error: CutoverError) -> Bool {
        guard let primary = error.databaseCode?.sqliteResultCode?.primaryResultCode else { return false }
        return primary == .busy || primary == .locked
    }

    /// VACUUM cannot run inside a transaction (https://www.sqlite.org/lang_vacuum.html).
    public func cannotRunInTransaction(_ sql: String) -> Bool {
        leadingWords(of: sql, count: 1).first == "VACUUM"
    }

    public func timestamp(_ placeholder: String) -> String { placeholder }
}
