import CutoverCore

/// The user's own views over the tables a migration changes: recreated for the new version at
/// `start`, and kept across the contract phase's column swaps and drops.
///
/// PostgreSQL binds a view to the columns it reads when the view is created. Two things follow:
///
/// - At `start`, a view the user wrote over `users` keeps reading the old columns, so the new
///   version would see the old shape through it (an integer `price` where its own `users` view
///   shows numeric, the value the `down` trigger rounded). ``copiesActions(changed:dropped:)``
///   creates the same view in the version schema, its definition resolved through
///   ``BaseNamesSchema`` (today's names, the new version's data), so the new version reads its
///   own data through it; a view over a column or table the new version drops cannot be copied
///   and `start` stops, naming it.
/// - At `complete`, dropping the old column of an `alter_column` (or a `drop_column`) fails while
///   a view reads it. ``preserving(table:columns:context:body:)`` wraps those statements: the
///   views that read the columns (and the views over them) are saved, dropped, and created
///   again from their definitions after the swap, in one transaction, with their options, owner,
///   privileges, comment and triggers. A definition reads columns by name, so after the swap it
///   reads the new column.
///
/// Views that the migration's `create_view` operations replace are neither copied nor created
/// again: those operations create them.
enum DependentViews {
    /// The views in `context.schema` that read `changed` or `dropped` tables (physical names),
    /// created in the version schema over ``BaseNamesSchema``; nothing when both are empty.
    static func copiesActions(changed: [String], dropped: [String], context: OperationContext) -> [PlannedAction] {
        guard !changed.isEmpty || !dropped.isEmpty else { return [] }
        let schema = context.schema
        let version = context.versionSchema
        let path = [BaseNamesSchema.name(versionSchema: version), version, schema].map(SQLText.quotedIdentifier).joined(separator: ", ")
        let seed = "d.refobjid = ANY (\(regclassArray((changed + dropped).map(context.qualified))))"
        let sql = """
            DO \(SearchPathStatement.delimiter)
            DECLARE
              _path text := pg_catalog.current_setting('search_path');
              _view record;
              _name text;
              _definition text;
              _grant record;
            BEGIN
              FOR _view IN \(query(seed: seed)) LOOP
                CONTINUE WHEN _view.nspname <> \(SQLText.escapedLiteral(schema)) OR _view.relname = ANY (\(textArray(context.viewsCreated)));
                IF _view.relkind <> 'v' THEN
                  RAISE EXCEPTION 'the materialized view %.% reads a table migration \(context.migrationID.rawValue) changes: Cutover does not copy materialized views for the new version', _view.nspname, _view.relname
                    USING HINT = 'remove it before start and create it again after complete, or give the new version its own with a sql operation';
                END IF;
                IF EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = _view.oid AND NOT t.tgisinternal) THEN
                  RAISE EXCEPTION 'the view %.% has triggers and reads a table migration \(context.migrationID.rawValue) changes: Cutover cannot copy it for the new version', _view.nspname, _view.relname
                    USING HINT = 'add create_view and create_trigger operations that give the new version its own';
                END IF;
                IF EXISTS (
                  SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                  WHERE r.ev_class = _view.oid AND d.refobjid = ANY (\(regclassArray(dropped.map(context.qualified))))
                ) THEN
                  RAISE EXCEPTION 'the view %.% reads a table migration \(context.migrationID.rawValue) drops', _view.nspname, _view.relname
                    USING HINT = 'replace the view with a create_view operation in this migration, or remove it in a migration before this one';
                END IF;
                PERFORM pg_catalog.set_config('search_path', \(SQLText.escapedLiteral(SQLText.quotedIdentifier(schema))), true);
                _definition := pg_catalog.pg_get_viewdef(_view.oid);
                PERFORM pg_catalog.set_config('search_path', \(SQLText.escapedLiteral(path)), true);
                _name := pg_catalog.format('%I.%I', \(SQLText.escapedLiteral(version)), _view.relname);
                BEGIN
                  EXECUTE pg_catalog.format('CREATE OR REPLACE VIEW %s%s AS %s', _name, \(optionsClause("_view.reloptions")), _definition);
                EXCEPTION WHEN undefined_column OR undefined_table THEN
                  RAISE EXCEPTION 'the view %.% reads what migration \(context.migrationID.rawValue) drops: %', _view.nspname, _view.relname, SQLERRM
                    USING HINT = 'replace the view with a create_view operation in this migration, or remove it in a migration before this one';
                END;
            \(restoreAttributes(name: "_name", owner: "_view.owner", acl: "_view.acl", comment: "_view.comment"))
              END LOOP;
              PERFORM pg_catalog.set_config('search_path', _path, true);
            END \(SearchPathStatement.delimiter)
            """
        return [.statement(sql, lock: .accessShare, table: nil)]
    }

    /// `body` (statements that drop or swap `columns` of the physical `table`, each ending in
    /// `;`) in one `DO` block between the saving and dropping of the views that read those
    /// columns and their creation again.
    static func preserving(table: String, columns: [String], context: OperationContext, body: [String]) -> String {
        let qualified = SQLText.escapedLiteral(context.qualified(table))
        let seed = """
            d.refobjid = \(qualified)::pg_catalog.regclass AND d.refobjsubid IN (
                        SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = \(qualified)::pg_catalog.regclass AND a.attname = ANY (\(textArray(columns))))
            """
        return """
            DO \(SearchPathStatement.delimiter)
            DECLARE
              _path text := pg_catalog.current_setting('search_path');
              _view record;
              _saved jsonb[] := '{}';
              _item jsonb;
              _name text;
              _trigger text;
              _grant record;
              _index integer;
            BEGIN
              -- Every name in the saved definitions schema-qualified.
              PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);
              FOR _view IN \(query(seed: seed)) LOOP
                IF _view.relkind <> 'v' THEN
                  RAISE EXCEPTION 'the materialized view %.% reads a column migration \(context.migrationID.rawValue) drops: Cutover does not rebuild materialized views under the table''s lock', _view.nspname, _view.relname
                    USING HINT = 'drop it before complete and create it again after; nothing was changed';
                END IF;
                _saved := _saved || pg_catalog.jsonb_build_object(
                  'name', pg_catalog.format('%I.%I', _view.nspname, _view.relname),
                  'recreate', NOT (_view.nspname = \(SQLText.escapedLiteral(context.schema)) AND _view.relname = ANY (\(textArray(context.viewsCreated)))),
                  'definition', pg_catalog.pg_get_viewdef(_view.oid),
                  'options', \(optionsClause("_view.reloptions")),
                  'owner', _view.owner, 'acl', _view.acl, 'comment', _view.comment,
                  'triggers', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_triggerdef(t.oid) ORDER BY t.tgname)
                                        FROM pg_catalog.pg_trigger t WHERE t.tgrelid = _view.oid AND NOT t.tgisinternal), '[]'));
              END LOOP;
              FOR _index IN REVERSE COALESCE(pg_catalog.array_length(_saved, 1), 0)..1 LOOP
                EXECUTE pg_catalog.format('DROP VIEW %s', _saved[_index]->>'name');
              END LOOP;
            \(body.map { "  " + $0 }.joined(separator: "\n"))
              FOR _index IN 1..COALESCE(pg_catalog.array_length(_saved, 1), 0) LOOP
                _item := _saved[_index];
                CONTINUE WHEN NOT (_item->>'recreate')::boolean;
                _name := _item->>'name';
                BEGIN
                  EXECUTE pg_catalog.format('CREATE VIEW %s%s AS %s', _name, _item->>'options', _item->>'definition');
                EXCEPTION WHEN undefined_column OR undefined_table THEN
                  RAISE EXCEPTION 'the view % reads what migration \(context.migrationID.rawValue) drops: %', _name, SQLERRM
                    USING HINT = 'replace the view with a create_view operation in this migration, or drop it first; nothing was changed';
                END;
            \(restoreAttributes(name: "_name", owner: "_item->>'owner'", acl: "_item->>'acl'", comment: "_item->>'comment'"))
                FOR _trigger IN SELECT pg_catalog.jsonb_array_elements_text(_item->'triggers') LOOP
                  EXECUTE _trigger;
                END LOOP;
              END LOOP;
              PERFORM pg_catalog.set_config('search_path', _path, true);
            END \(SearchPathStatement.delimiter)
            """
    }

    /// The views that read what `seed` (a condition on `pg_depend d`) selects, directly or
    /// through other views, each once, those it reads before it.
    private static func query(seed: String) -> String {
        """
        WITH RECURSIVE dependents(view, depth) AS (
                SELECT r.ev_class, 1
                FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND r.rulename = '_RETURN' AND r.ev_class <> d.refobjid AND \(seed)
              UNION ALL
                SELECT r.ev_class, dependents.depth + 1
                FROM dependents
                JOIN pg_catalog.pg_depend d ON d.refobjid = dependents.view AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                WHERE r.rulename = '_RETURN' AND r.ev_class <> dependents.view AND dependents.depth < 64
            )
            SELECT c.oid, n.nspname::text AS nspname, c.relname::text AS relname, c.relkind, c.reloptions,
                   pg_catalog.pg_get_userbyid(c.relowner)::text AS owner, c.relacl::text AS acl,
                   pg_catalog.obj_description(c.oid, 'pg_class') AS comment
            FROM dependents
            JOIN pg_catalog.pg_class c ON c.oid = dependents.view
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.reloptions, c.relowner, c.relacl
            ORDER BY max(dependents.depth), n.nspname, c.relname
        """
    }

    /// PL/pgSQL giving the view `name` the `owner`, the privileges of `acl` (an `aclitem[]` as
    /// text) and the `comment` it had.
    private static func restoreAttributes(name: String, owner: String, acl: String, comment: String) -> String {
        """
            IF \(owner) IS DISTINCT FROM current_user::text THEN
              EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %I', \(name), \(owner));
            END IF;
            FOR _grant IN SELECT a.privilege_type, a.grantee, a.is_grantable FROM pg_catalog.aclexplode((\(acl))::pg_catalog.aclitem[]) a LOOP
              EXECUTE pg_catalog.format('GRANT %s ON %s TO %s%s', _grant.privilege_type, \(name),
                CASE WHEN _grant.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(_grant.grantee)) END,
                CASE WHEN _grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
            END LOOP;
            IF \(comment) IS NOT NULL THEN
              EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', \(name), \(comment));
            END IF;
        """
    }

    /// ` WITH (…)` for a view's `reloptions` (a `text[]` expression), or the empty string.
    private static func optionsClause(_ options: String) -> String {
        "CASE WHEN \(options) IS NULL THEN '' ELSE ' WITH (' || pg_catalog.array_to_string(\(options), ', ') || ')' END"
    }

    /// `ARRAY[…]::pg_catalog.regclass[]` of qualified table names.
    private static func regclassArray(_ tables: [String]) -> String {
        "ARRAY[\(tables.map(SQLText.escapedLiteral).joined(separator: ", "))]::pg_catalog.regclass[]"
    }

    /// `ARRAY[…]::text[]`.
    private static func textArray(_ values: [String]) -> String {
        "ARRAY[\(values.map(SQLText.escapedLiteral).joined(separator: ", "))]::text[]"
    }
}
