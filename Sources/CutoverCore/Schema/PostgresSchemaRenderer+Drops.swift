import Foundation

extension PostgresScriptBuilder {
    /// Drops what stands in the way of the changes, dependents first.
    mutating func dropDependents() {
        let removedTables = Set(delta.removedTables.map(\.name))
        let droppedViews = Set(delta.views.removed.map(\.name))
            .union(delta.views.changed.filter { Self.needsRebuild($0.properties) }.map(\.old.name))
            .union(recreatedViews)

        // Triggers (those on dropped tables and views go with them).
        var triggers: [Schema.Trigger] = delta.triggers.removed
        triggers += delta.triggers.changed.filter { $0.properties.contains { $0.property == "definition" } }.map(\.old)
        triggers += delta.source.triggers.filter { recreatedTriggers.contains(TriggerKey(table: $0.table, name: $0.name)) }
        var seenTriggers = Set<TriggerKey>()
        for trigger in triggers where !removedTables.contains(trigger.table) && !droppedViews.contains(trigger.table) {
            guard seenTriggers.insert(TriggerKey(table: trigger.table, name: trigger.name)).inserted else { continue }
            emit("DROP TRIGGER \(qi(trigger.name)) ON \(q(trigger.table))", change: "trigger \(trigger.name) on \(trigger.table)",
                 comments: ["WARNING: drops trigger \(trigger.name) on \(trigger.table) (no data is lost)"])
        }

        // Views, dependents first.
        let sourceViews = delta.source.views.filter { droppedViews.contains($0.name) }
        for view in orderedViews(sourceViews).reversed() {
            let kind = view.isMaterialized ? "MATERIALIZED VIEW" : "VIEW"
            let why = recreatedViews.contains(view.name) ? " to create it again after the tables it reads change" : ""
            emit(
                "DROP \(kind) \(q(view.name))", change: "\(view.isMaterialized ? "materialized view" : "view") \(view.name)",
                comments: [view.isMaterialized
                    ? "WARNING: drops data: materialized view \(view.name)\(why) (its rows are computed again when it is created)"
                    : "WARNING: drops view \(view.name)\(why) (no data is lost)"])
        }

        // Foreign keys, then the constraints and indexes they may depend on.
        for table in delta.changedTables {
            let name = table.old.name
            for constraint in table.constraints.removed where constraint.kind == .foreignKey {
                dropConstraint(constraint, on: name, because: nil)
            }
            for change in table.constraints.changed where change.old.kind == .foreignKey && requiresDropAndAdd(change) {
                dropConstraint(change.old, on: name, because: nil)
            }
        }
        let changedNames = Set(delta.changedTables.map(\.old.name))
        let rebuiltChanged = Set(delta.changedTables.flatMap { table in
            table.constraints.changed.filter { requiresDropAndAdd($0) }.map { ConstraintKey(table: table.old.name, name: $0.old.name) }
                + table.constraints.removed.map { ConstraintKey(table: table.old.name, name: $0.name) }
        })
        for table in delta.source.tables where !removedTables.contains(table.name) {
            for constraint in table.foreignKeys where isRebuilt(table.name, constraint)
                && !rebuiltChanged.contains(ConstraintKey(table: table.name, name: constraint.name))
            {
                dropConstraint(constraint, on: table.name, because: "it depends on a key that is replaced; it is added again below")
            }
        }
        for table in delta.removedTables {
            // Foreign keys between dropped tables, so the tables can be dropped in any order.
            for constraint in table.foreignKeys where constraint.references.map({ removedTables.contains($0.table) && $0.table != table.name }) == true {
                dropConstraint(constraint, on: table.name, because: "the tables it links are dropped below")
            }
        }
        // Tables (with their own foreign keys, indexes and triggers), before the keys other
        // tables' dropped foreign keys relied on; partitions before their parents.
        let tables = delta.removedTables.sorted { ($0.partitionOf == nil ? 1 : 0, $0.name) < ($1.partitionOf == nil ? 1 : 0, $1.name) }
        for table in tables {
            emit(
                "DROP TABLE \(q(table.name))", change: "table \(table.name)",
                comments: ["WARNING: drops data: table \(table.name) and all its rows"], dropsData: true)
        }

        for table in delta.changedTables where changedNames.contains(table.old.name) {
            let order: [Schema.Constraint.Kind] = [.check, .exclusion, .unique, .primaryKey]
            for kind in order {
                for constraint in table.constraints.removed where constraint.kind == kind {
                    dropConstraint(constraint, on: table.old.name, because: nil)
                }
                for change in table.constraints.changed where change.old.kind == kind && requiresDropAndAdd(change) {
                    dropConstraint(change.old, on: table.old.name, because: nil)
                }
            }
        }
        let droppedMaterialized = Set(sourceViews.filter(\.isMaterialized).map(\.name))
        for index in delta.indexes.removed + delta.indexes.changed.filter({ Self.needsRebuild($0.properties) }).map(\.old)
        where !removedTables.contains(index.table) && !droppedMaterialized.contains(index.table) {
            // On a live table, DROP INDEX waits for and holds ACCESS EXCLUSIVE; CONCURRENTLY does not.
            let concurrently = forLiveDatabase && takesConcurrentIndexes(index.table)
            emit("DROP INDEX \(concurrently ? "CONCURRENTLY " : "")\(q(index.name))", change: "index \(index.name)",
                 comments: ["WARNING: drops index \(index.name) on \(index.table) (no data is lost)"], runsOutsideTransaction: concurrently)
        }

        // Columns whose generation expression changes are dropped and added again.
        for table in delta.changedTables {
            for column in table.columns.removed {
                emit(
                    "ALTER TABLE \(q(table.old.name)) DROP COLUMN \(qi(column.name))", change: "column \(table.old.name).\(column.name)",
                    comments: ["WARNING: drops data: column \(table.old.name).\(column.name) and every value in it"], dropsData: true)
            }
            for change in table.columns.changed where regeneratesColumn(change) {
                let lost = change.old.generated == nil
                emit(
                    "ALTER TABLE \(q(table.old.name)) DROP COLUMN \(qi(change.old.name))", change: "column \(table.old.name).\(change.old.name)",
                    comments: [lost
                        ? "WARNING: drops data: column \(table.old.name).\(change.old.name) becomes a generated column; its stored values are replaced"
                        : "WARNING: drops column \(table.old.name).\(change.old.name) to add it again with a new generation expression (its values are computed)"],
                    dropsData: lost)
            }
        }

        // Functions whose result type changes (CREATE OR REPLACE cannot do that).
        for change in delta.functions.changed where replacedFunctions.contains(change.new.signature) {
            dropFunction(change.old, because: "its result type changes; it is created again below")
        }
    }

    /// Drops what the new columns no longer use: sequences, functions, types, extensions, schemas.
    mutating func dropUnused() {
        let removedTables = Set(delta.removedTables.map(\.name))
        var removedColumns = Set<Schema.ColumnReference>()
        for table in delta.changedTables {
            for column in table.columns.removed { removedColumns.insert(Schema.ColumnReference(table: table.old.name, column: column.name)) }
        }
        for sequence in delta.sequences.removed {
            // A sequence owned by a dropped table or column went with it.
            if let owner = sequence.ownedBy, removedTables.contains(owner.table) || removedColumns.contains(owner) { continue }
            emit(
                "DROP SEQUENCE \(q(sequence.name))", change: "sequence \(sequence.name)",
                comments: ["WARNING: drops data: sequence \(sequence.name) and its current value"], dropsData: true)
        }
        for function in delta.functions.removed {
            dropFunction(function, because: nil)
        }
        for type in delta.enumTypes.removed {
            emit("DROP TYPE \(q(type.name))", change: "enum type \(type.name)", comments: ["WARNING: drops type \(type.name)"])
        }
        for item in delta.extensions.removed {
            emit("DROP EXTENSION \(qi(item.name))", change: "extension \(item.name)",
                 comments: ["WARNING: drops extension \(item.name) and the objects it created"])
        }
        for namespace in delta.namespaces.removed {
            emit("DROP SCHEMA \(qi(namespace.name))", change: "schema \(namespace.name)", comments: ["WARNING: drops schema \(namespace.name)"])
        }
    }

    // MARK: - Helpers

    mutating func dropConstraint(_ constraint: Schema.Constraint, on table: Schema.ObjectName, because reason: String?) {
        var comment = "WARNING: drops constraint \(constraint.name) on \(table)"
        if let reason { comment += "; \(reason)" }
        emit("ALTER TABLE \(q(table)) DROP CONSTRAINT \(qi(constraint.name))", change: "constraint \(constraint.name) on \(table)",
             comments: [comment + " (no data is lost)"])
    }

    mutating func dropFunction(_ function: Schema.Function, because reason: String?) {
        let keyword = function.kind == "procedure" ? "PROCEDURE" : "FUNCTION"
        emit("DROP \(keyword) \(q(function.name))(\(function.arguments))", change: "function \(function.signature)",
             comments: ["WARNING: drops \(function.kind) \(function.signature)" + (reason.map { "; \($0)" } ?? "")])
    }

    /// Whether a changed constraint must be dropped and added (anything but a comment, or
    /// only validation turned on, which `VALIDATE CONSTRAINT` does in place).
    func requiresDropAndAdd(_ change: SchemaDelta.Changed<Schema.Constraint>) -> Bool {
        let properties = change.properties.map(\.property).filter { $0 != "comment" }
        if properties.isEmpty { return false }
        if properties == ["validated"] && change.new.isValidated { return false }
        return true
    }

    /// Whether a changed column is dropped and added again: its generation expression
    /// changes, or it becomes generated.
    func regeneratesColumn(_ change: SchemaDelta.Changed<Schema.Column>) -> Bool {
        guard change.properties.contains(where: { $0.property == "generated" }) else { return false }
        return change.new.generated != nil
    }
}
