extension PostgresDialect {
    /// `cutover.record_versions`, filled by one trigger function, `cutover.record_version()`,
    /// that every versioned table's `cutover_record_versions` trigger runs with the table's key
    /// columns as arguments. The row is `to_jsonb(NEW)` (`OLD` for a delete), so it follows
    /// the table's columns as migrations change them. The schema version is the newest of the
    /// `.sql` migrations applied and the `.yaml` ones whose contract phase ran.
    public var recordVersions: RecordVersionsSQL {
        let history = historyTable
        return RecordVersionsSQL(
            table: "cutover.record_versions",
            create: [
                "CREATE SCHEMA IF NOT EXISTS cutover",
                """
                CREATE TABLE IF NOT EXISTS cutover.record_versions (
                    table_name text NOT NULL,
                    record_key text NOT NULL,
                    version bigint NOT NULL,
                    operation text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
                    row_data jsonb NOT NULL,
                    changed_at timestamptz NOT NULL DEFAULT now(),
                    transaction_id bigint,
                    schema_version text,
                    PRIMARY KEY (table_name, record_key, version)
                )
                """,
                """
                CREATE OR REPLACE FUNCTION cutover.record_version() RETURNS trigger LANGUAGE plpgsql AS $cutover$
                DECLARE
                  r jsonb;
                  k text;
                  v bigint;
                  sv text;
                  ec text;
                BEGIN
                  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
                  SELECT jsonb_object_agg(c, r -> c)::text INTO k FROM unnest(TG_ARGV) AS c;
                  SELECT COALESCE(max(version), 0) + 1 INTO v FROM cutover.record_versions WHERE table_name = TG_TABLE_NAME AND record_key = k;
                  \(RecordVersionsSQL.newestApplied(history: history)) INTO sv;
                  IF pg_catalog.to_regclass('cutover.expand_contract') IS NOT NULL THEN
                    SELECT id INTO ec FROM cutover.expand_contract WHERE phase IN ('revertible', 'completed') ORDER BY length(id) DESC, id COLLATE "C" DESC LIMIT 1;
                    IF ec IS NOT NULL AND (sv IS NULL OR length(ec) > length(sv) OR (length(ec) = length(sv) AND ec COLLATE "C" > sv)) THEN
                      sv := ec;
                    END IF;
                  END IF;
                  INSERT INTO cutover.record_versions (table_name, record_key, version, operation, row_data, transaction_id, schema_version)
                  VALUES (TG_TABLE_NAME, k, v, lower(TG_OP), r, txid_current(), sv);
                  RETURN NULL;
                END
                $cutover$
                """,
            ],
            columnsQuery: """
                SELECT a.attname AS name, COALESCE((SELECT k.n FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) WHERE k.attnum = a.attnum), 0)::int AS key_position,
                       CASE WHEN a.attnotnull THEN 1 ELSE 0 END AS not_null,
                       CASE WHEN a.atthasdef OR a.attidentity <> '' THEN 1 ELSE 0 END AS has_default,
                       CASE WHEN a.attgenerated <> '' THEN 1 ELSE 0 END AS is_generated
                FROM pg_catalog.pg_attribute a
                LEFT JOIN pg_catalog.pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
                WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """,
            changedAtText: "to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
            enable: { table, _, key in
                let quoted = quoteIdentifier(table)
                return [
                    "DROP TRIGGER IF EXISTS cutover_record_versions ON \(quoted)",
                    "CREATE TRIGGER cutover_record_versions AFTER INSERT OR UPDATE OR DELETE ON \(quoted) FOR EACH ROW EXECUTE FUNCTION \(recordVersionCall(key))",
                ]
            },
            disable: { table in ["DROP TRIGGER IF EXISTS cutover_record_versions ON \(quoteIdentifier(table))"] },
            triggerTextQuery: """
                SELECT t.tgname AS name,
                       substring(pg_catalog.pg_get_triggerdef(t.oid) from 'EXECUTE (?:FUNCTION|PROCEDURE) (cutover\\.record_version\\(.*\\))$') AS sql
                FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid = pg_catalog.to_regclass(pg_catalog.quote_ident($1)) AND t.tgname = 'cutover_record_versions'
                """,
            expectedTriggerText: { _, _, key in [recordVersionCall(key)] },
            keyField: { column in "(record_key::jsonb ->> \(literal(.text(column))))" },
            selectRow: { table, key in
                let columns = key.map(quoteIdentifier).joined(separator: ", ")
                return "SELECT 1 AS present FROM \(quoteIdentifier(table)) WHERE (\(columns)) = (SELECT \(columns) FROM \(populate(table)))"
            },
            updateRow: { table, columns, key in
                let set = columns.map(quoteIdentifier).joined(separator: ", ")
                let keys = key.map(quoteIdentifier).joined(separator: ", ")
                return """
                    UPDATE \(quoteIdentifier(table)) SET (\(set)) = (SELECT \(set) FROM \(populate(table)))
                    WHERE (\(keys)) = (SELECT \(keys) FROM \(populate(table)))
                    """
            },
            insertRow: { table, columns in
                let list = columns.map(quoteIdentifier).joined(separator: ", ")
                return "INSERT INTO \(quoteIdentifier(table)) (\(list)) SELECT \(list) FROM \(populate(table))"
            },
            olderThan: { placeholder in "changed_at < now() - make_interval(secs => \(placeholder)::float8)" })
    }

    /// `cutover.record_version('tenant', 'id')`: the trigger function with the key columns.
    private func recordVersionCall(_ key: [String]) -> String {
        "cutover.record_version(" + key.map { literal(.text($0)) }.joined(separator: ", ") + ")"
    }

    /// The JSON bound first as a row of `table`'s type: each field cast to its column's type.
    private func populate(_ table: String) -> String {
        "jsonb_populate_record(NULL::\(quoteIdentifier(table)), $1::jsonb)"
    }
}
