import Foundation

/// Writes the PostgreSQL DDL that turns one schema into another.
///
/// The order is: `SET check_function_bodies = false` when functions are created (as
/// `pg_dump` does, so a function may mention a table created further down); then drops of
/// what blocks the changes (triggers, views, foreign keys, constraints, indexes, columns,
/// tables, functions whose result type changes); then creates and alters (schemas,
/// extensions, enum types, sequences, functions, tables, columns, constraints, indexes,
/// foreign keys, views, triggers, comments); last, drops of what the altered columns no
/// longer use (sequences, functions, types, extensions, schemas).
///
/// Views that read a table whose columns are dropped or change type are dropped and
/// created again around the change, as are foreign keys that depend on a unique
/// constraint or index being replaced.
///
/// ```swift
/// let script = PostgresSchemaRenderer().render(SchemaDiff(from: a, to: b))
/// print(script.text)
/// ```
package struct PostgresSchemaRenderer: SchemaScriptRenderer {
    /// Creates a renderer.
    package init() {}

    /// `postgresql`.
    package var dialect: String { PostgresDialect().name }

    /// The statements that turn `diff.source` into `diff.target`.
    /// - Parameter diff: a diff of two PostgreSQL schemas.
    /// - Returns: the script; removing or reordering enum labels and changing a table's
    ///   partitioning are listed as unsupported.
    package func render(_ diff: SchemaDiff) -> SchemaScript {
        render(diff, forLiveDatabase: false)
    }

    /// The statements; with `forLiveDatabase`, in the forms Cutover's linter accepts on a
    /// database in use (``SchemaScript/Configuration/forLiveDatabase``).
    package func render(_ diff: SchemaDiff, forLiveDatabase: Bool) -> SchemaScript {
        var builder = PostgresScriptBuilder(delta: SchemaDelta(from: diff.source, to: diff.target))
        builder.forLiveDatabase = forLiveDatabase
        builder.build()
        return SchemaScript(dialect: dialect, statements: builder.statements, unsupported: builder.unsupported)
    }
}

/// Builds one PostgreSQL script; see ``PostgresSchemaRenderer``.
struct PostgresScriptBuilder {
    let delta: SchemaDelta
    let dialect = PostgresDialect()
    var statements: [SchemaScript.Statement] = []
    var unsupported: [SchemaScript.UnsupportedChange] = []

    // Decisions taken before any statement is written.
    var recreatedViews = Set<Schema.ObjectName>()
    var recreatedTriggers = Set<TriggerKey>()
    var rebuiltForeignKeys = Set<ConstraintKey>()
    var replacedFunctions = Set<String>()
    /// Write the safe forms for a database in use (``SchemaScript/Configuration/forLiveDatabase``).
    var forLiveDatabase = false

    /// Tables that exist before the script runs and still exist after it: where a live
    /// database has rows and readers, so locks there must be short.
    var liveTables: Set<Schema.ObjectName> {
        let removed = Set(delta.removedTables.map(\.name))
        return Set(delta.source.tables.map(\.name)).subtracting(removed)
    }

    /// Whether indexes on `table` are built and dropped CONCURRENTLY on a live database: a
    /// live table that is not partitioned (PostgreSQL builds a partitioned table's indexes
    /// concurrently only partition by partition).
    func takesConcurrentIndexes(_ table: Schema.ObjectName) -> Bool {
        liveTables.contains(table) && delta.source.tables.first(where: { $0.name == table })?.partitionKey == nil
    }

    struct ConstraintKey: Hashable {
        var table: Schema.ObjectName
        var name: String
    }

    init(delta: SchemaDelta) {
        self.delta = delta
    }

    // MARK: - Helpers

    func q(_ name: Schema.ObjectName) -> String { name.sql(dialect) }
    func qi(_ identifier: String) -> String { dialect.quoteIdentifier(identifier) }

    mutating func emit(
        _ sql: String, change: String? = nil, comments: [String] = [], dropsData: Bool = false, needsCommitAfter: Bool = false,
        runsOutsideTransaction: Bool = false
    ) {
        statements.append(SchemaScript.Statement(
            sql, comments: comments, dropsData: dropsData, change: change, needsCommitAfter: needsCommitAfter, runsOutsideTransaction: runsOutsideTransaction))
    }

    /// Whether a changed object needs more than a new comment.
    static func needsRebuild(_ properties: [PropertyChange]) -> Bool {
        properties.contains { $0.property != "comment" }
    }

    static func commentChanged(_ properties: [PropertyChange]) -> Bool {
        properties.contains { $0.property == "comment" }
    }

    var changedTablesByName: [Schema.ObjectName: SchemaDelta.TableChange] {
        Dictionary(delta.changedTables.map { ($0.new.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - Build

    mutating func build() {
        plan()
        if !delta.functions.added.isEmpty || !delta.functions.changed.isEmpty {
            emit(
                "SET check_function_bodies = false",
                comments: ["function bodies are checked when called, not now (as pg_dump does): they may use tables created below"])
        }
        dropDependents()
        createAndAlter()
        dropUnused()
        if forLiveDatabase && !statements.isEmpty {
            // Session-wide, so it holds for every statement psql runs after it, each in its own transaction.
            statements.insert(SchemaScript.Statement(
                "SET lock_timeout = '2s'",
                comments: ["a statement that waits more than 2 s for a lock fails instead of stalling every query queued behind it; run the rest again later"]),
                at: 0)
        }
    }

    /// Works out which unchanged objects must be dropped and created again.
    mutating func plan() {
        // Functions whose result type or kind changes cannot be replaced in place.
        for change in delta.functions.changed where change.old.result != change.new.result || change.old.kind != change.new.kind {
            replacedFunctions.insert(change.new.signature)
        }
        // Triggers that call a function being dropped and created again.
        let targetTriggers = Dictionary(delta.target.triggers.map { (TriggerKey(table: $0.table, name: $0.name), $0) }, uniquingKeysWith: { a, _ in a })
        for trigger in delta.source.triggers where targetTriggers[TriggerKey(table: trigger.table, name: trigger.name)] != nil {
            for signature in replacedFunctions {
                let name = String(signature.prefix(while: { $0 != "(" }))
                if trigger.definition.contains("FUNCTION \(name)(") || trigger.definition.contains("PROCEDURE \(name)(") {
                    recreatedTriggers.insert(TriggerKey(table: trigger.table, name: trigger.name))
                }
            }
        }
        // Views over tables whose columns are dropped or change type, then views over those views.
        var reshaped = Set<Schema.ObjectName>(delta.removedTables.map(\.name))
        for table in delta.changedTables {
            let retyped = table.columns.changed.contains { change in
                change.properties.contains { ["type", "collation", "generated"].contains($0.property) }
            }
            if retyped || !table.columns.removed.isEmpty { reshaped.insert(table.new.name) }
        }
        for change in delta.views.changed where Self.needsRebuild(change.properties) { reshaped.insert(change.new.name) }
        for view in delta.views.removed { reshaped.insert(view.name) }
        let targetViews = Set(delta.target.views.map(\.name))
        var grew = true
        while grew {
            grew = false
            for view in delta.source.views where !reshaped.contains(view.name) && view.dependsOn.contains(where: reshaped.contains) {
                reshaped.insert(view.name)
                if targetViews.contains(view.name) { recreatedViews.insert(view.name) }
                grew = true
            }
        }
        let unchangedInTarget = Set(delta.target.views.map(\.name)).subtracting(delta.views.changed.map(\.new.name))
        recreatedViews.formIntersection(unchangedInTarget)
        // Triggers on views that are dropped and created again go with them.
        for trigger in delta.source.triggers where recreatedViews.contains(trigger.table) {
            if targetTriggers[TriggerKey(table: trigger.table, name: trigger.name)] != nil {
                recreatedTriggers.insert(TriggerKey(table: trigger.table, name: trigger.name))
            }
        }
        for change in delta.views.changed where Self.needsRebuild(change.properties) {
            for trigger in delta.source.triggers where trigger.table == change.new.name
                && targetTriggers[TriggerKey(table: trigger.table, name: trigger.name)] != nil
            {
                recreatedTriggers.insert(TriggerKey(table: trigger.table, name: trigger.name))
            }
        }
        // Foreign keys that depend on a unique constraint or index that is dropped.
        var droppedKeys: [(table: Schema.ObjectName, columns: [String])] = []
        for table in delta.changedTables {
            for constraint in table.constraints.removed + table.constraints.changed.filter({ Self.needsRebuild($0.properties) }).map(\.old)
            where constraint.kind == .primaryKey || constraint.kind == .unique {
                droppedKeys.append((table.old.name, constraint.columns))
            }
        }
        for index in delta.indexes.removed + delta.indexes.changed.filter({ Self.needsRebuild($0.properties) }).map(\.old) where index.isUnique {
            droppedKeys.append((index.table, index.columns.map(Self.unquoted)))
        }
        let removedTables = Set(delta.removedTables.map(\.name))
        for table in delta.source.tables where !removedTables.contains(table.name) {
            for foreignKey in table.foreignKeys {
                guard let reference = foreignKey.references else { continue }
                if droppedKeys.contains(where: { $0.table == reference.table && Set($0.columns) == Set(reference.columns) }) {
                    rebuiltForeignKeys.insert(ConstraintKey(table: table.name, name: foreignKey.name))
                }
            }
        }
    }

    static func unquoted(_ identifier: String) -> String {
        identifier.hasPrefix("\"") && identifier.hasSuffix("\"") && identifier.count >= 2
            ? String(identifier.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : identifier
    }

    /// Whether a foreign key exists in the target and is unchanged but must be rebuilt.
    func isRebuilt(_ table: Schema.ObjectName, _ constraint: Schema.Constraint) -> Bool {
        rebuiltForeignKeys.contains(ConstraintKey(table: table, name: constraint.name))
    }

    /// Views in dependency order (dependencies first), among `names`.
    func orderedViews(_ views: [Schema.View]) -> [Schema.View] {
        let byName = Dictionary(views.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var visited = Set<Schema.ObjectName>()
        var ordered: [Schema.View] = []
        func visit(_ view: Schema.View, depth: Int) {
            guard visited.insert(view.name).inserted else { return }
            for dependency in view.dependsOn where depth < 64 {
                if let other = byName[dependency] { visit(other, depth: depth + 1) }
            }
            ordered.append(view)
        }
        for view in views.sorted(by: { $0.name < $1.name }) { visit(view, depth: 0) }
        return ordered
    }
}
