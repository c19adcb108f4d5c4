import CutoverCore

/// The schema `<schema>_<id>` of one version: a `security_invoker` view per table that shows
/// the version its columns under its names (`SELECT "name" AS "full_name" …`).
///
/// The application picks its version with `SET search_path TO public_<id>, public`. The views
/// are simple (one table, plain columns), so PostgreSQL makes them updatable and writes reach
/// the table, where the dual-write triggers convert them. `security_invoker` (PostgreSQL 15+)
/// makes the table's row-level security and privileges apply to the caller, not to the view's
/// owner (pgroll #179).
struct VersionSchema {
    var context: OperationContext
    var shape: VersionShape

    var createActions: [PlannedAction] {
        let schema = SQLText.quotedIdentifier(context.versionSchema)
        var actions: [PlannedAction] = [.statement("CREATE SCHEMA IF NOT EXISTS \(schema)", lock: .none, table: nil)]
        for table in shape.tables {
            let columns = table.columns.map { column in
                column.name == column.physicalName
                    ? SQLText.quotedIdentifier(column.name)
                    : "\(SQLText.quotedIdentifier(column.physicalName)) AS \(SQLText.quotedIdentifier(column.name))"
            }
            actions.append(.statement(
                "CREATE OR REPLACE VIEW \(schema).\(SQLText.quotedIdentifier(table.name)) WITH (security_invoker = true) AS SELECT \(columns.joined(separator: ", ")) FROM \(context.qualified(table.physicalName))",
                lock: .accessShare, table: context.qualified(table.physicalName)))
        }
        return actions
    }

    /// Drops the version schema `schema`, then its ``BaseNamesSchema``.
    static func dropActions(schema: String) -> [PlannedAction] {
        [.statement("DROP SCHEMA IF EXISTS \(SQLText.quotedIdentifier(schema)) CASCADE", lock: .none, table: nil)]
            + BaseNamesSchema.dropActions(versionSchema: schema)
    }
}
