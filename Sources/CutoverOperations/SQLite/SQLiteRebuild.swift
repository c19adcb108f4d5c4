import CutoverCore

/// The statements of SQLite's table rebuild (https://www.sqlite.org/lang_altertable.html#otheralter,
/// steps 4–10): create the new table under a temporary name, copy the rows converting them,
/// drop the old table, rename the new one into place, create the table's indexes and
/// triggers again. The caller runs them inside its transaction with `PRAGMA foreign_keys`
/// off (steps 1–3) and checks `PRAGMA foreign_key_check` afterwards (step 10).
///
/// The rows are read through a subquery named like the table in the version before the
/// migration, whose columns carry the names of that version too: an `up` expression reads
/// the row by the old names, as it does on PostgreSQL.
///
/// ```swift
/// let rebuild = SQLiteRebuild(table: "products", definition: changed, source: [("price", "price")], copies: [("price", "CAST(price AS INTEGER)")])
/// for sql in rebuild.statements { try await database.execute(sql) }
/// ```
package struct SQLiteRebuild: Sendable {
    /// The table's current name.
    package var table: String
    /// Its final `CREATE TABLE`.
    package var definition: SQLiteTableText
    /// The name `up` expressions call the table by (its name before the migration).
    package var oldTableName: String
    /// The current columns, each with its name before the migration (nil: added by it).
    package var source: [(current: String, old: String?)]
    /// The new table's columns that are filled, each with the SQL expression that fills it
    /// (``copy(_:)`` for a plain copy). A new column left out gets its default.
    package var copies: [(column: String, expression: String)]
    /// Whether to keep the rows' rowids (tables with a rowid, none of whose columns is
    /// called `rowid`).
    package var keepsRowID: Bool
    /// The `CREATE INDEX` and `CREATE TRIGGER` statements of the table, read before.
    package var indexesAndTriggers: [String]

    /// Creates a rebuild.
    package init(
        table: String, definition: SQLiteTableText, oldTableName: String, source: [(current: String, old: String?)],
        copies: [(column: String, expression: String)], keepsRowID: Bool, indexesAndTriggers: [String]
    ) {
        self.table = table
        self.definition = definition
        self.oldTableName = oldTableName
        self.source = source
        self.copies = copies
        self.keepsRowID = keepsRowID
        self.indexesAndTriggers = indexesAndTriggers
    }

    /// The expression that copies the current column `column` unchanged.
    package func copy(_ column: String) -> String {
        guard let index = source.firstIndex(where: { $0.current.lowercased() == column.lowercased() }) else { return SQLText.quotedIdentifier(column) }
        return SQLText.quotedIdentifier("_cutover_c\(index)")
    }

    /// The temporary name of the new table.
    package var temporaryName: String { "_cutover_new_\(table)" }

    /// The statements, in order.
    package var statements: [String] {
        let q = SQLText.quotedIdentifier
        var selected = source.enumerated().map { "\(q($0.element.current)) AS \(q("_cutover_c\($0.offset)"))" }
        selected += source.compactMap { column in column.old.map { "\(q(column.current)) AS \(q($0))" } }
        if keepsRowID { selected.insert("rowid AS \"_cutover_rowid\"", at: 0) }
        let targets = (keepsRowID ? ["rowid"] : []) + copies.map { q($0.column) }
        let values = (keepsRowID ? ["\"_cutover_rowid\""] : []) + copies.map(\.expression)
        return [
            definition.rendered(named: q(temporaryName)),
            "INSERT INTO \(q(temporaryName)) (\(targets.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) FROM (SELECT \(selected.joined(separator: ", ")) FROM \(q(table))) AS \(q(oldTableName))",
            "DROP TABLE \(q(table))",
            // The old table is gone: with the modern ALTER TABLE, the rename would re-check the
            // views that read it and fail; legacy mode renames without rewriting them
            // (https://www.sqlite.org/pragma.html#pragma_legacy_alter_table).
            "PRAGMA legacy_alter_table = ON",
            "ALTER TABLE \(q(temporaryName)) RENAME TO \(q(table))",
            "PRAGMA legacy_alter_table = OFF",
        ] + indexesAndTriggers
    }
}
