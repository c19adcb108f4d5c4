import Foundation

/// SQL for PostgreSQL. Cutover's tables live in their own schema, `cutover`.
public struct PostgresDialect: Dialect {
    public init() {}

    public var name: String { "postgresql" }
    public func placeholder(_ index: Int) -> String { "$\(index)" }
    public var historyTable: String { "cutover.history" }
    public var beginTransaction: String { "BEGIN" }
    public var hasTransactionalDDL: Bool { true }

    public var createHistoryTable: [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS cutover",
            """
            CREATE TABLE IF NOT EXISTS cutover.history (
                id text PRIMARY KEY,
                name text NOT NULL,
                kind text NOT NULL DEFAULT 'sql',
                checksum text NOT NULL,
                phase text NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                duration_ms bigint,
                applied_by text,
                tool_version text,
                statements_done integer NOT NULL DEFAULT 0,
                statements_total integer,
                failed_statement text,
                failed_line integer,
                error_message text,
                error_sqlstate text
            )
            """,
        ]
    }

    public var historyTableExists: String {
        "SELECT 1 AS present FROM pg_catalog.pg_tables WHERE schemaname = 'cutover' AND tablename = 'history'"
    }

    /// One `set_config` query for both settings (one round trip instead of two);
    /// `is_local = true` is `SET LOCAL`, gone at the end of the transaction.
    public func timeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?, local: Bool) -> [String] {
        var settings: [String] = []
        if let lockTimeout { settings.append("set_config('lock_timeout', '\(lockTimeout.milliseconds)ms', \(local))") }
        if let statementTimeout { settings.append("set_config('statement_timeout', '\(statementTimeout.milliseconds)ms', \(local))") }
        return settings.isEmpty ? [] : ["SELECT " + settings.joined(separator: ", ")]
    }

    /// `set_config(…, false)`: session-wide, kept across the run's transactions.
    public func sessionTimeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?) -> [String] {
        timeoutStatements(lockTimeout: lockTimeout, statementTimeout: statementTimeout, local: false)
    }

    /// `SET …`, `RESET …`, `DISCARD ALL`, or any statement calling `set_config`. A plain
    /// text test that may say yes too often (a string literal mentioning set_config), which
    /// only costs one more round trip.
    public func mayChangeSessionSettings(_ sql: String) -> Bool {
        let first = SQLWords.leading(sql, count: 1).first
        return first == "SET" || first == "RESET" || first == "DISCARD" || Self.mentionsSetConfig(sql)
    }

    /// Whether `sql` contains `set_config` in any letter case (a byte scan: this runs for
    /// every statement applied).
    static func mentionsSetConfig(_ sql: String) -> Bool {
        let needle = Array("set_config".utf8)
        let bytes = Array(sql.utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) {
            var index = 0
            // ASCII letters lower-cased with | 0x20; '_' (0x5F) | 0x20 is 0x7F, so compare it as is.
            while index < needle.count, (needle[index] == 0x5F ? bytes[start + index] : bytes[start + index] | 0x20) == needle[index] { index += 1 }
            if index == needle.count { return true }
        }
        return false
    }

    /// 55P03 lock_not_available: raised when `lock_timeout` expires
    /// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    public func isLockTimeout(_ error: CutoverError) -> Bool { error.sqlState == "55P03" }

    /// Statements PostgreSQL refuses inside a transaction block ("cannot run inside a
    /// transaction block"): the CONCURRENTLY index forms, VACUUM, database and tablespace DDL,
    /// ALTER SYSTEM, DETACH PARTITION CONCURRENTLY.
    public func cannotRunInTransaction(_ sql: String) -> Bool {
        let words = SQLWords.leading(sql, count: 12)
        guard let first = words.first else { return false }
        let second = words.dropFirst().first ?? ""
        switch first {
        case "VACUUM": return true
        case "CLUSTER": return words.count == 1
        case "ALTER": return second == "SYSTEM" || words.contains("CONCURRENTLY")
        case "CREATE", "DROP":
            return second == "DATABASE" || second == "TABLESPACE" || words.contains("CONCURRENTLY")
        case "REINDEX": return second == "SYSTEM" || second == "DATABASE" || words.contains("CONCURRENTLY")
        default: return false
        }
    }

    public func timestamp(_ placeholder: String) -> String { "\(placeholder)::timestamptz" }

    public var sessionIDQuery: String? { "SELECT pg_backend_pid() AS id" }

    /// Relation locks of one backend. A relation created by that backend's open transaction
    /// is not visible in this session's catalog yet, so it shows as its OID (and `%I` must
    /// not see its NULL name: format() raises on NULL identifiers).
    public var heldLocksQuery: String? {
        """
        SELECT CASE WHEN c.oid IS NULL THEN l.relation::text ELSE format('%I.%I', n.nspname, c.relname) END AS relation, l.mode, l.granted
        FROM pg_catalog.pg_locks l
        LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
        LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE l.pid = $1 AND l.locktype = 'relation'
          AND (n.nspname IS NULL OR (n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover') AND n.nspname NOT LIKE 'pg_toast%'))
        """
    }

    public var relationsQuery: String? {
        """
        SELECT format('%I.%I', n.nspname, c.relname) AS relation
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover') AND n.nspname NOT LIKE 'pg_toast%'
        """
    }

    /// A failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index that is still maintained on
    /// every write and must be dropped before a retry
    /// (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    public var leftoverObjectsQuery: String? {
        """
        SELECT format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT i.indisvalid
        ORDER BY 1
        """
    }
}

/// Reads the leading keywords of a statement, skipping comments, in upper case.
public enum SQLWords {
    /// Up to `count` leading words of `sql` (letters, digits and `_`), upper-cased,
    /// skipping `--` and `/* */` comments.
    public static func leading(_ sql: String, count: Int) -> [String] {
        var words: [String] = []
        var current = ""
        var iterator = Array(sql.unicodeScalars)[...]
        while let scalar = iterator.popFirst() {
            if scalar == "-", iterator.first == "-" {
                while let next = iterator.popFirst(), next != "\n" {}
                continue
            }
            if scalar == "/", iterator.first == "*" {
                iterator.removeFirst()
                var previous: Unicode.Scalar = " "
                while let next = iterator.popFirst() {
                    if previous == "*" && next == "/" { break }
                    previous = next
                }
                continue
            }
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
                current.unicodeScalars.append(scalar)
            } else {
                if !current.isEmpty {
                    words.append(current.uppercased())
                    current = ""
                    if words.count == count { return words }
                }
                // Stop at the first quote or parenthesis: what follows is not a keyword prefix.
                if scalar == "(" || scalar == "'" || scalar == "\"" { break }
            }
        }
        if !current.isEmpty && words.count < count { words.append(current.uppercased()) }
        return words
    }
}
