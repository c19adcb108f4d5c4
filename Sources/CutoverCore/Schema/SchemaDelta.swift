import Foundation

/// The objects that differ between two schemas, kind by kind, with the values on both
/// sides: what ``SchemaDiff`` lists and what the DDL renderers turn into statements.
struct SchemaDelta: Sendable {
    /// An object present on both sides that differs, with what differs.
    struct Changed<T: Sendable>: Sendable {
        var old: T
        var new: T
        var properties: [PropertyChange]
    }

    /// Added, removed and changed objects of one kind, each list sorted by key.
    struct Delta<T: Sendable>: Sendable {
        var added: [T] = []
        var removed: [T] = []
        var changed: [Changed<T>] = []
        var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
    }

    /// A table present on both sides that differs.
    struct TableChange: Sendable {
        var old: Schema.Table
        var new: Schema.Table
        /// Table-level properties (comment, partitioning, SQLite options and definition).
        var properties: [PropertyChange]
        var columns: Delta<Schema.Column>
        var constraints: Delta<Schema.Constraint>
    }

    let source: Schema
    let target: Schema
    var namespaces = Delta<Schema.Namespace>()
    var extensions = Delta<Schema.Extension>()
    var enumTypes = Delta<Schema.EnumType>()
    var sequences = Delta<Schema.Sequence>()
    var functions = Delta<Schema.Function>()
    var addedTables: [Schema.Table] = []
    var removedTables: [Schema.Table] = []
    var changedTables: [TableChange] = []
    var indexes = Delta<Schema.Index>()
    var views = Delta<Schema.View>()
    var triggers = Delta<Schema.Trigger>()

    init(from source: Schema, to target: Schema) {
        self.source = source
        self.target = target
        let compare = SchemaComparer(dialect: target.dialect)
        namespaces = Self.delta(source.namespaces, target.namespaces, key: \.name, compare.properties)
        extensions = Self.delta(source.extensions, target.extensions, key: \.name, compare.properties)
        enumTypes = Self.delta(source.enumTypes, target.enumTypes, key: \.name, compare.properties)
        sequences = Self.delta(source.sequences, target.sequences, key: \.name, compare.properties)
        functions = Self.delta(source.functions, target.functions, key: \.signature, compare.properties)
        indexes = Self.delta(source.indexes, target.indexes, key: \.name, compare.properties)
        views = Self.delta(source.views, target.views, key: \.name, compare.properties)
        triggers = Self.delta(source.triggers, target.triggers, key: { TriggerKey(table: $0.table, name: $0.name) }, compare.properties)

        let tables = Self.delta(source.tables, target.tables, key: \.name) { _, _ in [] }
        addedTables = tables.added
        removedTables = tables.removed
        let newByName = Dictionary(target.tables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for old in source.tables {
            guard let new = newByName[old.name] else { continue }
            let columns = Self.delta(old.columns, new.columns, key: \.name, compare.properties)
            let constraints = Self.delta(old.constraints, new.constraints, key: \.name, compare.properties)
            let properties = compare.properties(old, new, hasMemberChanges: !columns.isEmpty || !constraints.isEmpty)
            if !properties.isEmpty || !columns.isEmpty || !constraints.isEmpty {
                changedTables.append(TableChange(old: old, new: new, properties: properties, columns: columns, constraints: constraints))
            }
        }
    }

    /// Matches `old` and `new` by `key` and compares the pairs.
    static func delta<T: Sendable, K: Hashable & Comparable>(
        _ old: [T], _ new: [T], key: (T) -> K, _ properties: (T, T) -> [PropertyChange]
    ) -> Delta<T> {
        var result = Delta<T>()
        var newByKey: [K: T] = [:]
        for item in new where newByKey[key(item)] == nil { newByKey[key(item)] = item }
        var seen = Set<K>()
        for item in old.sorted(by: { key($0) < key($1) }) {
            let itemKey = key(item)
            guard seen.insert(itemKey).inserted else { continue }
            if let counterpart = newByKey[itemKey] {
                let changes = properties(item, counterpart)
                if !changes.isEmpty { result.changed.append(Changed(old: item, new: counterpart, properties: changes)) }
            } else {
                result.removed.append(item)
            }
        }
        for item in new.sorted(by: { key($0) < key($1) }) where !seen.contains(key(item)) {
            seen.insert(key(item))
            result.added.append(item)
        }
        return result
    }

    /// Whether anything differs.
    var isEmpty: Bool {
        namespaces.isEmpty && extensions.isEmpty && enumTypes.isEmpty && sequences.isEmpty && functions.isEmpty
            && addedTables.isEmpty && removedTables.isEmpty && changedTables.isEmpty && indexes.isEmpty
            && views.isEmpty && triggers.isEmpty
    }
}

/// Triggers are named per table.
struct TriggerKey: Hashable, Comparable, Sendable {
    var table: Schema.ObjectName
    var name: String
    static func < (lhs: TriggerKey, rhs: TriggerKey) -> Bool { (lhs.table, lhs.name) < (rhs.table, rhs.name) }
}
