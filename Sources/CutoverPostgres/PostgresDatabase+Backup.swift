import CutoverCore
import Foundation
import Logging

// The schema and row counts a backup records and `cutover backup verify` compares.
extension PostgresDatabase: ContentsSummarizing {
    /// The normalised schema and exact row counts of this database.
    ///
    /// Schema lines cover schemas, relations (kind, unlogged), columns (position, type,
    /// nullability, default, identity, generated, collation), constraints, valid indexes,
    /// view definitions, sequences, functions (signature, result and a hash of the body),
    /// triggers, enum labels, domains and extensions — everything except `pg_catalog`,
    /// `information_schema` and the toast and temporary schemas. Nothing in a line depends on
    /// object ids or storage, so a faithful `pg_restore` gives the same lines. Invalid
    /// indexes (a failed `CREATE INDEX CONCURRENTLY`) are left out because `pg_dump` leaves
    /// them out. Names are printed with `search_path` set to `pg_catalog` alone, so they are
    /// schema-qualified the same way on every database whatever its settings.
    ///
    /// Rows are counted exactly (`count(*)`) in every table and populated materialised view,
    /// `ONLY` the table itself, so a partition's rows are counted once, under the partition.
    /// Inside an open transaction (a backup's snapshot) everything is read from its snapshot.
    ///
    /// ```swift
    /// let summary = try await db.summarizeContents()
    /// summary.rowCounts["public.users"]   // 1000
    /// ```
    ///
    /// - Returns: the summary.
    /// - Throws: ``CutoverError`` `.statementFailed` or a connection error.
    public func summarizeContents() async throws -> ContentsSummary {
        let saved = try await query("SELECT pg_catalog.current_setting('search_path') AS path").first?.string("path") ?? "\"$user\", public"
        try await execute("SET search_path = pg_catalog")
        do {
            let schema = try await query(Self.schemaQuery(serverVersion: serverVersionNumber)).compactMap { $0.string("line") }
            var counts: [String: Int] = [:]
            for row in try await query(Self.countableTablesQuery) {
                guard let schemaName = row.string("nspname"), let table = row.string("relname") else { continue }
                let quoted = dialect.quoteIdentifier(schemaName) + "." + dialect.quoteIdentifier(table)
                counts[schemaName + "." + table] = try await query("SELECT count(*) AS n FROM ONLY \(quoted)").first?.int("n") ?? 0
            }
            try await execute("SELECT pg_catalog.set_config('search_path', $1, false)", [.text(saved)])
            return ContentsSummary(schema: schema, rowCounts: counts)
        } catch {
            // In an aborted transaction this fails too; the rollback restores the setting.
            try? await execute("SELECT pg_catalog.set_config('search_path', $1, false)", [.text(saved)])
            throw error
        }
    }

    /// Schemas the summary and the emptiness check look at.
    static let userNamespaces = """
        SELECT oid, nspname FROM pg_catalog.pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema')
          AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
        """

    /// One `line` per schema object, for a server of `serverVersion` (catalog columns that
    /// only newer versions have are left out on older ones: `attgenerated` came in 12,
    /// `prokind` in 11, `attidentity` and `pg_sequence` in 10).
    static func schemaQuery(serverVersion: Int) -> String {
        let identity = serverVersion >= 100000
            ? "CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END" : "''"
        let generated = serverVersion >= 120000
            ? "CASE a.attgenerated WHEN 's' THEN ' generated stored' WHEN 'v' THEN ' generated virtual' ELSE '' END" : "''"
        let kind = serverVersion >= 110000 ? "p.prokind::text" : "CASE WHEN p.proisagg THEN 'a' ELSE 'f' END"
        let sequences = serverVersion >= 100000 ? """
            UNION ALL
            SELECT 'sequence ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || ' ' || format_type(s.seqtypid, NULL)
                   || ' start ' || s.seqstart || ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax
                   || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
            FROM pg_sequence s JOIN rels r ON r.oid = s.seqrelid
            """ : ""
        return """
        WITH ns AS (\(userNamespaces)),
        rels AS (
          SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence
          FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
        )
        SELECT 'schema ' || quote_ident(nspname) AS line FROM ns
        UNION ALL
        SELECT 'relation ' || quote_ident(nspname) || '.' || quote_ident(relname) || ' kind ' || relkind::text
               || CASE WHEN relpersistence = 'u' THEN ' unlogged' ELSE '' END
        FROM rels WHERE relkind <> 'c'
        UNION ALL
        SELECT 'column ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || '.' || quote_ident(a.attname)
               || ' #' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)
               || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || \(identity)
               || \(generated)
               || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                       THEN ' collate ' || (SELECT quote_ident(collname) FROM pg_collation WHERE oid = a.attcollation) ELSE '' END
        FROM rels r
        JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
        UNION ALL
        SELECT 'constraint ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || '.' || quote_ident(con.conname)
               || ' ' || pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN rels r ON r.oid = con.conrelid
        UNION ALL
        SELECT 'domain ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' ' || format_type(t.typbasetype, t.typtypmod)
               || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || t.typdefault, '')
               || coalesce((SELECT ' ' || string_agg(quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), ', ' ORDER BY c.conname)
                            FROM pg_constraint c WHERE c.contypid = t.oid), '')
        FROM pg_type t JOIN ns n ON n.oid = t.typnamespace WHERE t.typtype = 'd'
        UNION ALL
        SELECT 'enum ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' '
               || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
        FROM pg_type t JOIN ns n ON n.oid = t.typnamespace WHERE t.typtype = 'e'
        UNION ALL
        SELECT 'index ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ' || pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns n ON n.oid = c.relnamespace
        WHERE i.indisvalid
        UNION ALL
        SELECT 'view ' || quote_ident(nspname) || '.' || quote_ident(relname) || ' ' || md5(pg_get_viewdef(oid))
        FROM rels WHERE relkind IN ('v', 'm')
        \(sequences)
        UNION ALL
        SELECT 'function ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
               || '(' || pg_get_function_identity_arguments(p.oid) || ') kind ' || \(kind)
               || ' returns ' || coalesce(pg_get_function_result(p.oid), '-') || ' body ' || md5(coalesce(p.prosrc, ''))
        FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
        WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
        UNION ALL
        SELECT 'trigger ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || '.' || quote_ident(tg.tgname)
               || ' ' || pg_get_triggerdef(tg.oid)
        FROM pg_trigger tg JOIN rels r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
        UNION ALL
        SELECT 'extension ' || quote_ident(extname) || ' ' || extversion FROM pg_extension
        """
    }

    /// Tables whose rows are counted: ordinary tables and populated materialised views.
    static let countableTablesQuery = """
        WITH ns AS (\(userNamespaces))
        SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)
        ORDER BY 1, 2
        """

    /// What a restore target holds: the number of user relations, functions, types and
    /// schemas other than `public`, and a few names.
    func objectInventory() async throws -> RestoreTargetState {
        let rows = try await query("""
            WITH ns AS (\(Self.userNamespaces)),
            objects AS (
              SELECT 'table' AS kind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
              FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              UNION ALL
              SELECT 'function', quote_ident(n.nspname) || '.' || quote_ident(p.proname)
              FROM pg_catalog.pg_proc p JOIN ns n ON n.oid = p.pronamespace
              WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
              UNION ALL
              SELECT 'schema', quote_ident(nspname) FROM ns WHERE nspname <> 'public'
            )
            SELECT kind, name, count(*) OVER () AS total FROM objects ORDER BY kind DESC, name LIMIT 3
            """)
        guard let total = rows.first?.int("total"), total > 0 else { return .empty }
        let names = rows.compactMap { $0.string("name") }.joined(separator: ", ")
        return .notEmpty(detail: "\(total) object\(total == 1 ? "" : "s"), e.g. \(names)")
    }
}
