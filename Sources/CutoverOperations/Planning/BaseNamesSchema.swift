import CutoverCore

/// The schema `_cutover_<version schema>`: for each table whose columns the migration shadows
/// or drops, a view named like the table whose columns keep today's physical names but read the
/// new version's data (a column `alter_column` changes reads its shadow column; a column the new
/// version drops is left out).
///
/// The user's own views are defined over the physical names (`SELECT users.price FROM users`).
/// Created again with this schema first on the `search_path`, the same definition reads what
/// the new version reads: that is how ``DependentViews`` recreates them in the version schema.
/// The views are `security_invoker`, like the version schema's, and are dropped with it.
///
/// ```swift
/// BaseNamesSchema.name(versionSchema: "public_2")   // "_cutover_public_2"
/// ```
struct BaseNamesSchema {
    /// The schema and migration.
    var context: OperationContext
    /// The tables before the migration (the previous version's shape).
    var old: VersionShape
    /// The tables as the new version sees them.
    var new: VersionShape

    /// The schema's name for `versionSchema`.
    static func name(versionSchema: String) -> String { "_cutover_\(versionSchema)" }

    /// The physical tables of `old` that `new` drops.
    var droppedTables: [String] {
        old.tables.map(\.physicalName).filter { physical in !new.tables.contains { $0.physicalName == physical } }
    }

    /// Each changed table with its columns: today's physical name and the physical column of
    /// the new version that carries its data.
    var changedTables: [(table: String, columns: [(name: String, source: String)])] {
        old.tables.compactMap { table in
            guard let next = new.tables.first(where: { $0.physicalName == table.physicalName }) else { return nil }
            let columns = table.columns.compactMap { column -> (name: String, source: String)? in
                guard let carrier = next.columns.first(where: { $0.carries(column.physicalName) }) else { return nil }
                return (column.physicalName, carrier.physicalName)
            }
            let unchanged = columns.count == table.columns.count && columns.allSatisfy { $0.name == $0.source }
            return unchanged ? nil : (table.physicalName, columns)
        }
    }

    /// `CREATE SCHEMA` and one view per changed table; nothing when no table changes.
    var createActions: [PlannedAction] {
        let tables = changedTables
        guard !tables.isEmpty else { return [] }
        let schema = SQLText.quotedIdentifier(Self.name(versionSchema: context.versionSchema))
        var actions: [PlannedAction] = [.statement("CREATE SCHEMA IF NOT EXISTS \(schema)", lock: .none, table: nil)]
        for (table, columns) in tables {
            let list = columns.map { column in
                column.name == column.source
                    ? SQLText.quotedIdentifier(column.name)
                    : "\(SQLText.quotedIdentifier(column.source)) AS \(SQLText.quotedIdentifier(column.name))"
            }
            // A table whose every column is dropped keeps a view with no column: PostgreSQL allows it.
            actions.append(.statement(
                "CREATE OR REPLACE VIEW \(schema).\(SQLText.quotedIdentifier(table)) WITH (security_invoker = true) AS SELECT \(list.joined(separator: ", ")) FROM \(context.qualified(table))",
                lock: .accessShare, table: context.qualified(table)))
        }
        return actions
    }

    /// `DROP SCHEMA … CASCADE` of the schema of `versionSchema`, after the version schema (whose
    /// copies of the user's views read it).
    static func dropActions(versionSchema: String) -> [PlannedAction] {
        [.statement("DROP SCHEMA IF EXISTS \(SQLText.quotedIdentifier(name(versionSchema: versionSchema))) CASCADE", lock: .none, table: nil)]
    }
}
