import Foundation

/// Compares two versions of one object property by property. SQL text that SQLite stores
/// as written (index, view and trigger statements) is compared token by token, so
/// whitespace, letter case and identifier quoting do not count as differences; PostgreSQL
/// prints its definitions canonically, so they are compared as they are.
struct SchemaComparer: Sendable {
    let isSQLite: Bool

    init(dialect: String) {
        isSQLite = dialect == SQLiteDialect().name
    }

    /// Text as compared: SQLite statements normalised, everything else as is.
    func comparable(_ sql: String?) -> String? {
        guard let sql else { return nil }
        return isSQLite ? SQLiteSchemaText.normalized(sql) : sql
    }

    private func property(_ name: String, _ old: String?, _ new: String?, into changes: inout [PropertyChange]) {
        if old != new { changes.append(PropertyChange(name, from: old, to: new)) }
    }

    private func sqlProperty(_ name: String, _ old: String?, _ new: String?, into changes: inout [PropertyChange]) {
        if comparable(old) != comparable(new) { changes.append(PropertyChange(name, from: old, to: new)) }
    }

    private func flag(_ name: String, _ old: Bool, _ new: Bool, into changes: inout [PropertyChange]) {
        if old != new { changes.append(PropertyChange(name, from: String(old), to: String(new))) }
    }

    func properties(_ old: Schema.Namespace, _ new: Schema.Namespace) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    func properties(_ old: Schema.Extension, _ new: Schema.Extension) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("schema", old.schema, new.schema, into: &changes)
        property("version", old.version, new.version, into: &changes)
        return changes
    }

    func properties(_ old: Schema.EnumType, _ new: Schema.EnumType) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("labels", Self.labels(old.labels), Self.labels(new.labels), into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    static func labels(_ labels: [String]) -> String {
        labels.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
    }

    func properties(_ old: Schema.Sequence, _ new: Schema.Sequence) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("data type", old.dataType, new.dataType, into: &changes)
        property("start", String(old.start), String(new.start), into: &changes)
        property("increment", String(old.increment), String(new.increment), into: &changes)
        property("min value", String(old.minValue), String(new.minValue), into: &changes)
        property("max value", String(old.maxValue), String(new.maxValue), into: &changes)
        property("cache", String(old.cache), String(new.cache), into: &changes)
        flag("cycle", old.cycles, new.cycles, into: &changes)
        property("owned by", old.ownedBy?.description, new.ownedBy?.description, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    func properties(_ old: Schema.Function, _ new: Schema.Function) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("definition", old.definition, new.definition, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    /// Table-level properties. SQLite's stored `CREATE TABLE` text is compared only when
    /// no column or constraint differs, as a catch-all for clauses the model does not break
    /// down (`ON CONFLICT`, constraint names, `DEFERRABLE` on SQLite foreign keys).
    func properties(_ old: Schema.Table, _ new: Schema.Table, hasMemberChanges: Bool) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        property("comment", old.comment, new.comment, into: &changes)
        property("partition key", old.partitionKey, new.partitionKey, into: &changes)
        property("partition of", old.partitionOf?.description, new.partitionOf?.description, into: &changes)
        property("partition bound", old.partitionBound, new.partitionBound, into: &changes)
        property("options", old.options.joined(separator: ", "), new.options.joined(separator: ", "), into: &changes)
        flag("unlogged", old.isUnlogged, new.isUnlogged, into: &changes)
        flag("without rowid", old.isWithoutRowID, new.isWithoutRowID, into: &changes)
        flag("strict", old.isStrict, new.isStrict, into: &changes)
        flag("virtual", old.isVirtual, new.isVirtual, into: &changes)
        flag("autoincrement", old.hasAutoincrement, new.hasAutoincrement, into: &changes)
        if changes.isEmpty && !hasMemberChanges, let before = old.definition, let after = new.definition,
            SQLiteSchemaText.normalizedTableDefinition(before) != SQLiteSchemaText.normalizedTableDefinition(after)
        {
            changes.append(PropertyChange("definition", from: before, to: after))
        }
        return changes
    }

    func properties(_ old: Schema.Column, _ new: Schema.Column) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        if isSQLite ? old.type.lowercased() != new.type.lowercased() : old.type != new.type {
            changes.append(PropertyChange("type", from: old.type, to: new.type))
        }
        property("nullability", old.isNullable ? "NULL" : "NOT NULL", new.isNullable ? "NULL" : "NOT NULL", into: &changes)
        sqlProperty("default", old.defaultExpression, new.defaultExpression, into: &changes)
        property("identity", old.identity?.rawValue, new.identity?.rawValue, into: &changes)
        sqlProperty("generated", old.generated.map(Self.generated), new.generated.map(Self.generated), into: &changes)
        property("collation", old.collation, new.collation, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    static func generated(_ generated: Schema.Column.Generated) -> String {
        "(\(generated.expression)) \(generated.isStored ? "STORED" : "VIRTUAL")"
    }

    func properties(_ old: Schema.Constraint, _ new: Schema.Constraint) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        sqlProperty("definition", old.definition, new.definition, into: &changes)
        flag("deferrable", old.isDeferrable, new.isDeferrable, into: &changes)
        flag("initially deferred", old.isInitiallyDeferred, new.isInitiallyDeferred, into: &changes)
        flag("validated", old.isValidated, new.isValidated, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    func properties(_ old: Schema.Index, _ new: Schema.Index) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        sqlProperty("definition", old.definition, new.definition, into: &changes)
        flag("valid", old.isValid, new.isValid, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    func properties(_ old: Schema.View, _ new: Schema.View) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        flag("materialized", old.isMaterialized, new.isMaterialized, into: &changes)
        sqlProperty("definition", old.definition, new.definition, into: &changes)
        property("options", old.options.joined(separator: ", "), new.options.joined(separator: ", "), into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }

    func properties(_ old: Schema.Trigger, _ new: Schema.Trigger) -> [PropertyChange] {
        var changes: [PropertyChange] = []
        sqlProperty("definition", old.definition, new.definition, into: &changes)
        property("enabled", old.enabled, new.enabled, into: &changes)
        property("comment", old.comment, new.comment, into: &changes)
        return changes
    }
}
