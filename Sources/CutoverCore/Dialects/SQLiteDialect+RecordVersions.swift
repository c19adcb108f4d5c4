import Foundation

extension SQLiteDialect {
    /// `cutover_record_versions`, filled by three triggers per versioned table
    /// (`cutover_record_versions_<table>_insert|update|delete`). SQLite has no row-to-JSON
    /// function, so each trigger names the table's columns in `json_object(...)` as they were
    /// at `enable`: after a migration that changes the table's columns, run `enable` again
    /// (`log` says when the triggers no longer match the table).
    public var recordVersions: RecordVersionsSQL {
        let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        return RecordVersionsSQL(
            table: "cutover_record_versions",
            create: [
                """
                CREATE TABLE IF NOT EXISTS cutover_record_versions (
                    table_name TEXT NOT NULL,
                    record_key TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    operation TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
                    row_data TEXT NOT NULL,
                    changed_at TEXT NOT NULL DEFAULT (\(now)),
                    transaction_id INTEGER,
                    schema_version TEXT,
                    PRIMARY KEY (table_name, record_key, version)
                )
                """
            ],
            columnsQuery: """
                SELECT name, pk AS key_position, "notnull" AS not_null,
                       CASE WHEN dflt_value IS NOT NULL OR (pk = 1 AND lower(type) = 'integer') THEN 1 ELSE 0 END AS has_default,
                       0 AS is_generated
                FROM pragma_table_info(?1) ORDER BY cid
                """,
            changedAtText: "changed_at",
            enable: { table, columns, key in enableStatements(table, columns, key) },
            disable: { table in
                ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS \(quoteIdentifier("cutover_record_versions_\(table)_\($0)"))" }
            },
            triggerTextQuery: "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 AND name LIKE 'cutover\\_record\\_versions\\_%' ESCAPE '\\'",
            expectedTriggerText: { table, columns, key in
                Set(enableStatements(table, columns, key).filter { $0.hasPrefix("CREATE") })
            },
            keyField: { column in "CAST(json_extract(record_key, \(literal(.text(path(column))))) AS TEXT)" },
            selectRow: { table, key in
                "SELECT 1 AS present FROM \(quoteIdentifier(table)) WHERE " + key.map { "\(quoteIdentifier($0)) = \(field($0))" }.joined(separator: " AND ")
            },
            updateRow: { table, columns, key in
                "UPDATE \(quoteIdentifier(table)) SET " + columns.map { "\(quoteIdentifier($0)) = \(field($0))" }.joined(separator: ", ")
                    + " WHERE " + key.map { "\(quoteIdentifier($0)) = \(field($0))" }.joined(separator: " AND ")
            },
            insertRow: { table, columns in
                "INSERT INTO \(quoteIdentifier(table)) (\(columns.map(quoteIdentifier).joined(separator: ", "))) VALUES ("
                    + columns.map(field).joined(separator: ", ") + ")"
            },
            olderThan: { placeholder in "changed_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || CAST(\(placeholder) AS TEXT) || ' seconds')" })
    }

    /// Drops and creates the three triggers of `table`, naming `columns` in the row's JSON.
    private func enableStatements(_ table: String, _ columns: [String], _ key: [String]) -> [String] {
        let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        return ["insert", "update", "delete"].flatMap { event in
            let name = quoteIdentifier("cutover_record_versions_\(table)_\(event)")
            let record = event == "delete" ? "OLD" : "NEW"
            let object = { (names: [String]) in
                "json_object(" + names.map { "\(literal(.text($0))), \(record).\(quoteIdentifier($0))" }.joined(separator: ", ") + ")"
            }
            return [
                "DROP TRIGGER IF EXISTS \(name)",
                """
                CREATE TRIGGER \(name) AFTER \(event.uppercased()) ON \(quoteIdentifier(table)) FOR EACH ROW
                BEGIN
                  INSERT INTO cutover_record_versions (table_name, record_key, version, operation, row_data, changed_at, transaction_id, schema_version)
                  VALUES (\(literal(.text(table))), \(object(key)),
                    (SELECT COALESCE(max(version), 0) + 1 FROM cutover_record_versions WHERE table_name = \(literal(.text(table))) AND record_key = \(object(key))),
                    '\(event)', \(object(columns)), \(now), NULL,
                    (\(RecordVersionsSQL.newestApplied(history: historyTable))));
                END
                """,
            ]
        }
    }

    /// The JSON path of a top-level member (`$."name"`).
    private func path(_ column: String) -> String {
        "$.\"" + column.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// One member of the JSON object bound first, as an SQL value.
    private func field(_ column: String) -> String {
        "json_extract(?1, \(literal(.text(path(column)))))"
    }
}
