import Foundation
import Foundation
import CutoverCore

/// The catalog queries behind ``PostgresDatabase/introspect(options:)``: one query per
/// kind of object, over every table at once, so reading a schema of 500 tables costs the
/// same twelve round trips as reading one.
///
/// The queries run with an empty `search_path`, so that `format_type`, `pg_get_expr`,
/// `pg_get_indexdef`, `pg_get_viewdef` and friends qualify every name with its schema
/// (`public.users`, `nextval('public.users_id_seq'::regclass)`), as `pg_dump` does: the
/// text then means the same whatever `search_path` a script later runs with. Lists come back
/// as JSON text (`json_agg(…)::text`) because the driver decodes scalars only.
struct PostgresCatalogQueries {
    let options: IntrospectionOptions
    let serverVersion: Int

    /// Namespaces to read: not the system ones, not temporary ones, not `cutover` unless asked.
    func namespaceFilter(_ column: String) -> String {
        var parts = [
            "\(column) NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
            "\(column) !~ '^pg_(toast_)?temp_'",
        ]
        if !options.includesCutoverObjects { parts.append("\(column) <> 'cutover'") }
        if let schemas = options.schemas {
            parts.append(schemas.isEmpty ? "false" : "\(column) IN (\(schemas.map(SQLText.escapedLiteral).joined(separator: ", ")))")
        }
        return parts.joined(separator: " AND ")
    }

    /// Objects created by an extension belong to the extension. (`NOT IN` over the small
    /// set of extension members is hashed once; a correlated `NOT EXISTS` would probe
    /// `pg_depend` once per row.)
    func notExtensionMember(catalog: String, oid: String) -> String {
        "\(oid) NOT IN (SELECT dep.objid FROM pg_depend dep WHERE dep.classid = '\(catalog)'::regclass AND dep.deptype = 'e')"
    }

    /// Every comment on a user object (OIDs from 16384, `FirstNormalObjectId`), read once and
    /// matched by OID: `obj_description()` per row, or a join per query, costs more than
    /// the rest of the column query on a cold session.
    var comments: String {
        """
        SELECT d.classoid::regclass::text AS catalog, d.objoid::int8 AS oid, d.objsubid AS subid, d.description
        FROM pg_description d
        WHERE d.objoid >= 16384
          AND d.classoid IN ('pg_class'::regclass, 'pg_constraint'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_trigger'::regclass)
        """
    }

    var namespaces: String {
        """
        SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment
        FROM pg_namespace n
        WHERE \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_namespace", oid: "n.oid"))
        ORDER BY 1
        """
    }

    var extensions: String {
        """
        SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE \(options.includesCutoverObjects ? "true" : "n.nspname <> 'cutover'")
        ORDER BY 1
        """
    }

    var enumTypes: String {
        """
        SELECT n.nspname AS schema, t.typname AS name,
               (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)::text AS labels,
               t.oid::int8 AS oid
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype = 'e' AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_type", oid: "t.oid"))
        ORDER BY 1, 2
        """
    }

    /// Sequences, except identity sequences (dependency type `i`, part of their column).
    var sequences: String {
        """
        SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
               s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value, s.seqmax AS max_value,
               s.seqcache AS cache, s.seqcycle AS cycles,
               owner_ns.nspname AS owner_schema, owner.relname AS owner_table, a.attname AS owner_column,
               c.oid::int8 AS oid
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_sequence s ON s.seqrelid = c.oid
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_class owner ON owner.oid = d.refobjid
        LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE c.relkind = 'S' AND (d.deptype IS NULL OR d.deptype <> 'i')
          AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
        ORDER BY 1, 2
        """
    }

    var tables: String {
        """
        SELECT n.nspname AS schema, c.relname AS name, c.relpersistence::text AS persistence,
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
               parent_ns.nspname AS parent_schema, parent.relname AS parent_name,
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid, true) END AS partition_bound,
               array_to_json(c.reloptions)::text AS options, c.oid::int8 AS oid
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
        LEFT JOIN pg_class parent ON parent.oid = inh.inhparent
        LEFT JOIN pg_namespace parent_ns ON parent_ns.oid = parent.relnamespace
        WHERE c.relkind IN ('r', 'p') AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
        ORDER BY 1, 2
        """
    }

    /// Columns of every table, with their numbers (`attnum`), which also name the columns of
    /// constraints. A partition's inherited columns (`is_local` false) are not part of its
    /// model. Unordered: the caller sorts by `position` (sorting 4,000 rows by name on the
    /// server costs more than the rest of the query).
    var columns: String {
        """
        SELECT n.nspname AS schema, c.relname AS table_name, a.attname AS name,
               format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(ad.adbin, ad.adrelid, true) AS expression,
               a.attidentity::text AS identity, a.attgenerated::text AS generated,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
                    CASE WHEN co_ns.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                         ELSE quote_ident(co_ns.nspname) || '.' || quote_ident(co.collname) END
               END AS collation,
               a.attnum AS position, a.attislocal AS is_local, c.oid::int8 AS table_oid
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace co_ns ON co_ns.oid = co.collnamespace
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
        """
    }

    /// Constraints declared on each table (not those a partition inherits). Column numbers
    /// come back as arrays, matched to names by the caller: a `json_agg` of names per
    /// constraint quadruples the query's cost.
    var constraints: String {
        let inherited = serverVersion >= 110000 ? "AND con.conparentid = 0" : ""
        return """
            SELECT n.nspname AS schema, c.relname AS table_name, con.conname AS name, con.contype::text AS type,
                   pg_get_constraintdef(con.oid, true) AS definition,
                   con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated,
                   array_to_json(con.conkey)::text AS key_numbers, con.conrelid::int8 AS table_oid,
                   ref_ns.nspname AS ref_schema, ref.relname AS ref_table,
                   array_to_json(con.confkey)::text AS ref_numbers, con.confrelid::int8 AS ref_oid,
                   con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, con.confmatchtype::text AS match,
                   CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END AS expression,
                   con.oid::int8 AS oid
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class ref ON ref.oid = con.confrelid
            LEFT JOIN pg_namespace ref_ns ON ref_ns.oid = ref.relnamespace
            WHERE c.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal \(inherited)
              AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
            """
    }

    /// Indexes that implement no constraint and are not a partition's share of a
    /// partitioned index. Key columns are read from the definition by the caller
    /// (`pg_get_indexdef` per column would double the query's cost).
    var indexes: String {
        """
        SELECT n.nspname AS schema, ic.relname AS name, tn.nspname AS table_schema, c.relname AS table_name,
               i.indisunique AS is_unique, i.indisvalid AS is_valid, am.amname AS method,
               pg_get_indexdef(i.indexrelid) AS definition,
               pg_get_expr(i.indpred, i.indrelid, true) AS predicate, i.indexrelid::int8 AS oid
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = ic.relnamespace
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace tn ON tn.oid = c.relnamespace
        JOIN pg_am am ON am.oid = ic.relam
        WHERE c.relkind IN ('r', 'p', 'm')
          AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
          AND i.indexrelid NOT IN (SELECT inh.inhrelid FROM pg_inherits inh)
          AND \(namespaceFilter("tn.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
        """
    }

    /// Views and materialized views, with the relations their rewrite rule reads.
    var views: String {
        """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
               pg_get_viewdef(c.oid, true) AS definition,
               array_to_json(c.reloptions)::text AS options,
               (SELECT jsonb_agg(DISTINCT jsonb_build_array(rn.nspname, rc.relname))
                  FROM pg_rewrite r
                  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
                  JOIN pg_class rc ON rc.oid = d.refobjid
                  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                 WHERE r.ev_class = c.oid AND d.refobjid <> c.oid)::text AS depends_on,
               c.oid::int8 AS oid
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
        ORDER BY 1, 2
        """
    }

    /// Functions and procedures (aggregates and window functions have no
    /// `pg_get_functiondef`).
    var functions: String {
        """
        SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
               p.prokind::text AS kind, CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END AS result,
               l.lanname AS language, pg_get_functiondef(p.oid) AS definition,
               p.oid::int8 AS oid
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_language l ON l.oid = p.prolang
        WHERE p.prokind IN ('f', 'p') AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_proc", oid: "p.oid"))
        ORDER BY 1, 2, 3
        """
    }

    /// User triggers (not the internal ones behind foreign keys, not a partition's clone).
    var triggers: String {
        let cloned = serverVersion >= 130000 ? "AND t.tgparentid = 0" : ""
        return """
            SELECT n.nspname AS schema, c.relname AS table_name, t.tgname AS name,
                   pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled,
                   t.oid::int8 AS oid
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal \(cloned)
              AND \(namespaceFilter("n.nspname")) AND \(notExtensionMember(catalog: "pg_class", oid: "c.oid"))
            ORDER BY 1, 2, 3
            """
    }
}
