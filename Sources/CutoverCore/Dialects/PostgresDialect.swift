import Foundation

/// SQL for PostgreSQL. Cutover's tables live in their own schema, `cutover`.
public struct PostgresDialect: Dialect {
    public init() {}

    public var name: String { "postgresql" }

    /// ``SQLLexer/Configuration/postgres``.
    public var lexerConfiguration: SQLLexer.Configuration { .postgres }

    public func placeholder(_ index: Int) -> String { "$\(index)" }
    public var historyTable: String { "cutover.history" }
    public var beginTransaction: String { "BEGIN" }
    public var hasTransactionalDDL: Bool { true }
    public var schemaRenderer: any SchemaScriptRenderer { PostgresSchemaRenderer() }

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
        ] + createSchemaCheckTable
    }

    public var schemaCheckTable: String { "cutover.schema_check" }

    public var createSchemaCheckTable: [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS cutover",
            """
            CREATE TABLE IF NOT EXISTS cutover.schema_check (
                id integer PRIMARY KEY CHECK (id = 1),
                applied_digest text NOT NULL,
                fingerprint text NOT NULL,
                checked_at timestamptz NOT NULL
            )
            """,
        ]
    }

    /// The user namespaces, as introspection reads them: not the system ones, not temporary
    /// ones, not `cutover`.
    static func userNamespace(_ column: String) -> String {
        "\(column) NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'cutover') AND \(column) !~ '^pg_(toast_)?temp_'"
    }

    /// Objects created by an extension belong to the extension (as introspection).
    static func notExtensionMember(catalog: String, oid: String) -> String {
        "\(oid) NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend dep WHERE dep.classid = 'pg_catalog.\(catalog)'::regclass AND dep.deptype = 'e')"
    }

    /// The SHA-256 of one line per object, sorted in byte order, each field quoted with
    /// `format('%I')` / `format('%L')` so that no two schemas give the same text. It covers
    /// at least what `PostgresCatalogQueries` reads (so what the diff compares), from the
    /// same catalog functions: namespaces with their comments; extensions with schema and
    /// version; enum types with their labels in order; relations (tables, partitions, views,
    /// materialized views, foreign tables, composite types) with kind, persistence,
    /// partition key and bound, parents, options and view definition; sequences other than
    /// identity sequences, with their parameters and owning column; table columns (number,
    /// name, `format_type`, not null, `pg_get_expr` default, identity, generated, collation,
    /// locally defined); constraints, also inherited ones (`pg_get_constraintdef`,
    /// deferrable, deferred, validated, locally defined); indexes that back no constraint and
    /// are no partition's share (`pg_get_indexdef`, unique, valid); triggers, also cloned ones
    /// (`pg_get_triggerdef`, enabled); functions and procedures (`pg_get_functiondef`, kind,
    /// result); comments on user objects (`pg_describe_object`, with column comments). Left
    /// out, as introspection leaves them out: system and temporary schemas, the schema
    /// `cutover`, extension members. Not covered because the diff compares none of them:
    /// owners, privileges, row-level security policies, statistics targets, tablespaces.
    /// Names are printed as the session's `search_path` shows them, so a different
    /// `search_path` gives a different fingerprint (a needless replay, never a missed change).
    public var schemaFingerprintQuery: String? {
        let ns = Self.userNamespace
        let notMember = Self.notExtensionMember
        return """
            SELECT encode(pg_catalog.sha256(pg_catalog.convert_to(coalesce(string_agg(line, E'\\n' ORDER BY line COLLATE "C"), ''), 'UTF8')), 'hex') AS fingerprint
            FROM (
                SELECT format('schema %I %L', n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace')) AS line
                FROM pg_catalog.pg_namespace n
                WHERE \(ns("n.nspname")) AND \(notMember("pg_namespace", "n.oid"))
              UNION ALL
                SELECT format('extension %I %I %L', e.extname, n.nspname, e.extversion)
                FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                WHERE n.nspname <> 'cutover'
              UNION ALL
                SELECT format('enum %I.%I %L', n.nspname, t.typname,
                              (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid))
                FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype = 'e' AND \(ns("n.nspname")) AND \(notMember("pg_type", "t.oid"))
              UNION ALL
                SELECT format('relation %I.%I %s %s %L %L %L %L %L', n.nspname, c.relname, c.relkind, c.relpersistence,
                              CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
                              CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
                              (SELECT string_agg(format('%I.%I', pn.nspname, p.relname), ',' ORDER BY pn.nspname, p.relname)
                                 FROM pg_catalog.pg_inherits inh JOIN pg_catalog.pg_class p ON p.oid = inh.inhparent
                                 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE inh.inhrelid = c.oid),
                              c.reloptions::text,
                              CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END)
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND \(ns("n.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('sequence %I.%I %s %s %s %s %s %s %s %L', n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL),
                              s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                              (SELECT string_agg(format('%s %I.%I.%I', d.deptype, own_ns.nspname, own.relname, a.attname), ',' ORDER BY own_ns.nspname, own.relname, a.attname)
                                 FROM pg_catalog.pg_depend d
                                 JOIN pg_catalog.pg_class own ON own.oid = d.refobjid
                                 JOIN pg_catalog.pg_namespace own_ns ON own_ns.oid = own.relnamespace
                                 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')))
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
                WHERE c.oid NOT IN (SELECT d.objid FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'i')
                  AND \(ns("n.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('column %I.%I %s %I %s %s %L %L %L %L %s', n.nspname, c.relname, a.attnum, a.attname,
                              pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                              pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
                              CASE WHEN a.attcollation <> 0 THEN format('%I.%I', co_ns.nspname, co.collname) END, a.attislocal)
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                LEFT JOIN pg_catalog.pg_namespace co_ns ON co_ns.oid = co.collnamespace
                WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                  AND \(ns("n.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('constraint %I.%I %I %s %s %s %s %s %L', n.nspname, c.relname, con.conname, con.contype,
                              con.condeferrable, con.condeferred, con.convalidated, con.conislocal, pg_catalog.pg_get_constraintdef(con.oid))
                FROM pg_catalog.pg_constraint con
                JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE \(ns("n.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('index %I.%I %I %s %s %L', tn.nspname, c.relname, ic.relname, i.indisunique, i.indisvalid,
                              pg_catalog.pg_get_indexdef(i.indexrelid))
                FROM pg_catalog.pg_index i
                JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
                JOIN pg_catalog.pg_namespace tn ON tn.oid = c.relnamespace
                WHERE i.indexrelid NOT IN (SELECT con.conindid FROM pg_catalog.pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
                  AND i.indexrelid NOT IN (SELECT inh.inhrelid FROM pg_catalog.pg_inherits inh)
                  AND \(ns("tn.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('trigger %I.%I %I %s %L', n.nspname, c.relname, t.tgname, t.tgenabled, pg_catalog.pg_get_triggerdef(t.oid))
                FROM pg_catalog.pg_trigger t
                JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT t.tgisinternal AND \(ns("n.nspname")) AND \(notMember("pg_class", "c.oid"))
              UNION ALL
                SELECT format('function %I.%I(%s) %s %L %L', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
                              p.prokind, pg_catalog.pg_get_function_result(p.oid), pg_catalog.pg_get_functiondef(p.oid))
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prokind IN ('f', 'p') AND \(ns("n.nspname")) AND \(notMember("pg_proc", "p.oid"))
              UNION ALL
                SELECT format('comment %L %L', pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
                FROM pg_catalog.pg_description d
                WHERE d.objoid >= 16384
                  AND d.classoid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_constraint'::regclass, 'pg_catalog.pg_type'::regclass,
                                     'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_trigger'::regclass)
            ) lines
            """
    }

    /// `to_regclass` looks the name up in the catalog caches; the `pg_tables` view would be
    /// planned and run, about a millisecond of every command on a fresh session.
    public var historyTableExists: String {
        "SELECT 1 AS present WHERE pg_catalog.to_regclass('cutover.history') IS NOT NULL"
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
        let first = leadingWords(of: sql, count: 1).first
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

    /// `DO $cutover$ BEGIN EXECUTE $cutover_1$…$cutover_1$; … END $cutover$`: PostgreSQL runs
    /// a `DO` sent on its own in an implicit transaction of its own, so the statements and
    /// whatever follows them in `statements` commit together or not at all, in one round trip.
    /// Each statement is dollar-quoted with a tag it does not contain, so its text reaches
    /// `EXECUTE` unchanged.
    public func atomicBatch(_ statements: [String]) -> String? {
        guard !statements.isEmpty else { return nil }
        var body = "BEGIN\n"
        for statement in statements {
            let tag = Self.dollarTag(avoiding: statement, base: "cutover_s")
            body += "EXECUTE \(tag)\(statement)\n\(tag);\n"
        }
        body += "END"
        let outer = Self.dollarTag(avoiding: body, base: "cutover_do")
        return "DO \(outer)\(body)\(outer)"
    }

    /// The transaction's start (`now()`, which is when the `DO` began), the clock at the row
    /// (`clock_timestamp()`), and the difference.
    public func batchHistoryTimes(startedAt: String) -> (startedAt: String, finishedAt: String, durationMilliseconds: String) {
        ("now()", "clock_timestamp()", "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer")
    }

    /// A dollar-quote tag (`$cutover_s$`, `$cutover_s1$`, …) that does not occur in `text`.
    static func dollarTag(avoiding text: String, base: String) -> String {
        var tag = "$\(base)$"
        var counter = 0
        while text.contains(tag) {
            counter += 1
            tag = "$\(base)\(counter)$"
        }
        return tag
    }

    /// Text literals that read the same whatever `standard_conforming_strings` says
    /// (``SQLText/escapedLiteral(_:)``: `E'…'` when the text has a backslash).
    public func literal(_ value: SQLValue) -> String {
        guard case .text(let text) = value else {
            switch value {
            case .null: return "NULL"
            case .integer(let number): return String(number)
            case .double(let number): return number.isFinite ? String(number) : "NULL"
            case .bool(let flag): return flag ? "TRUE" : "FALSE"
            case .text: return "NULL"
            }
        }
        return SQLText.escapedLiteral(text)
    }

    /// 55P03 lock_not_available: raised when `lock_timeout` expires
    /// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    public func isLockTimeout(_ error: CutoverError) -> Bool { error.sqlState == .lockNotAvailable }

    /// Statements PostgreSQL refuses inside a transaction block ("cannot run inside a
    /// transaction block"): the CONCURRENTLY index forms, VACUUM, database and tablespace DDL,
    /// ALTER SYSTEM, DETACH PARTITION CONCURRENTLY.
    public func cannotRunInTransaction(_ sql: String) -> Bool {
        let words = leadingWords(of: sql, count: 12)
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

    /// Every table, materialized view and partitioned table with `pg_total_relation_size`
    /// (heap, TOAST and indexes, since an index build or a rewrite reads or rebuilds them
    /// all: https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-DBSIZE).
    /// A partitioned table's own size is 0 while its partitions hold the rows, so it is
    /// reported as the largest size and never counts as small.
    public var tableSizesQuery: String? {
        """
        SELECT n.nspname AS table_schema, c.relname AS table_name,
               CASE c.relkind WHEN 'p' THEN 9223372036854775807 ELSE pg_catalog.pg_total_relation_size(c.oid) END AS bytes
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover')
          AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
        """
    }

    /// A failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index that is still maintained on
    /// every write and must be dropped before a retry
    /// (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    /// Finds indexes on the table of a `CREATE INDEX CONCURRENTLY` and builds the statement's
    /// own index on `pg_temp.cutover_index_probe`, an empty copy of the table
    /// (`CREATE TEMP TABLE … (LIKE …)` takes only an ACCESS SHARE lock on it), to compare
    /// signatures; see ``InterruptedIndexCheck``.
    public func interruptedIndexCheck(for sql: String) -> InterruptedIndexCheck? {
        guard let build = ConcurrentIndexBuild(sql) else { return nil }
        let existing = """
            SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relname AS index_name, i.indisvalid AS valid,
                   \(Self.indexSignature) AS signature
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_am am ON am.oid = c.relam
            WHERE i.indrelid = pg_catalog.to_regclass(\(literal(.text(build.table))))
            ORDER BY c.relname
            """
        let probe = [
            "CREATE TEMP TABLE cutover_index_probe (LIKE \(build.table)) ON COMMIT DROP",
            "CREATE \(build.isUnique ? "UNIQUE " : "")INDEX cutover_index_probe_index ON pg_temp.cutover_index_probe \(build.definition)",
            """
            SELECT \(Self.indexSignature) AS signature
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_am am ON am.oid = c.relam
            WHERE i.indexrelid = 'pg_temp.cutover_index_probe_index'::regclass
            """,
        ]
        return InterruptedIndexCheck(build: build, existingIndexesQuery: existing, probeStatements: probe) { name in
            "DROP INDEX CONCURRENTLY IF EXISTS \(name)"
        }
    }

    /// An index's definition without its name or table, for `pg_index i`, `pg_class c` (the
    /// index) and `pg_am am`: per column its expression (`pg_get_indexdef` with a column
    /// number, which names columns, not the table), operator class, collation and ordering,
    /// plus uniqueness, method, key count, predicate and storage options.
    static let indexSignature = """
        format('%s|%s|%s|%s|%s|%s|%s|%s|%s', i.indisunique, am.amname, i.indnkeyatts,
               (SELECT string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, false), ', ' ORDER BY k)
                FROM pg_catalog.generate_series(1, i.indnatts) k),
               i.indclass::text, i.indcollation::text, i.indoption::text,
               pg_catalog.pg_get_expr(i.indpred, i.indrelid), c.reloptions::text)
        """

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
