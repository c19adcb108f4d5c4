import Foundation

extension PostgresScriptBuilder {
    /// `COMMENT ON` for every created object with a comment and every changed comment.
    mutating func setComments() {
        func comment(_ target: String, _ text: String?, change: String) {
            emit("COMMENT ON \(target) IS \(text.map(SQLText.escapedLiteral) ?? "NULL")", change: change)
        }
        for namespace in delta.namespaces.added where namespace.comment != nil {
            comment("SCHEMA \(qi(namespace.name))", namespace.comment, change: "schema \(namespace.name)")
        }
        for change in delta.namespaces.changed where Self.commentChanged(change.properties) {
            comment("SCHEMA \(qi(change.new.name))", change.new.comment, change: "schema \(change.new.name)")
        }
        for type in delta.enumTypes.added where type.comment != nil {
            comment("TYPE \(q(type.name))", type.comment, change: "enum type \(type.name)")
        }
        for change in delta.enumTypes.changed where Self.commentChanged(change.properties) {
            comment("TYPE \(q(change.new.name))", change.new.comment, change: "enum type \(change.new.name)")
        }
        for sequence in delta.sequences.added where sequence.comment != nil {
            comment("SEQUENCE \(q(sequence.name))", sequence.comment, change: "sequence \(sequence.name)")
        }
        for change in delta.sequences.changed where Self.commentChanged(change.properties) {
            comment("SEQUENCE \(q(change.new.name))", change.new.comment, change: "sequence \(change.new.name)")
        }
        func functionTarget(_ function: Schema.Function) -> String {
            "\(function.kind == "procedure" ? "PROCEDURE" : "FUNCTION") \(q(function.name))(\(function.arguments))"
        }
        for function in delta.functions.added where function.comment != nil {
            comment(functionTarget(function), function.comment, change: "function \(function.signature)")
        }
        for change in delta.functions.changed
        where Self.commentChanged(change.properties) || (replacedFunctions.contains(change.new.signature) && change.new.comment != nil) {
            comment(functionTarget(change.new), change.new.comment, change: "function \(change.new.signature)")
        }
        for table in delta.addedTables {
            if table.comment != nil { comment("TABLE \(q(table.name))", table.comment, change: "table \(table.name)") }
            for column in table.columns where column.comment != nil {
                comment("COLUMN \(q(table.name)).\(qi(column.name))", column.comment, change: "column \(table.name).\(column.name)")
            }
            for constraint in table.constraints where constraint.comment != nil {
                comment("CONSTRAINT \(qi(constraint.name)) ON \(q(table.name))", constraint.comment, change: "constraint \(constraint.name) on \(table.name)")
            }
        }
        for table in delta.changedTables {
            let name = table.new.name
            if Self.commentChanged(table.properties) { comment("TABLE \(q(name))", table.new.comment, change: "table \(name)") }
            var columns = table.columns.added.filter { $0.comment != nil }
            columns += table.columns.changed.filter { Self.commentChanged($0.properties) || (regeneratesColumn($0) && $0.new.comment != nil) }.map(\.new)
            for column in columns {
                comment("COLUMN \(q(name)).\(qi(column.name))", column.comment, change: "column \(name).\(column.name)")
            }
            var constraints = table.constraints.added.filter { $0.comment != nil }
            constraints += table.constraints.changed.filter {
                Self.commentChanged($0.properties) || (requiresDropAndAdd($0) && $0.new.comment != nil)
            }.map(\.new)
            for constraint in constraints {
                comment("CONSTRAINT \(qi(constraint.name)) ON \(q(name))", constraint.comment, change: "constraint \(constraint.name) on \(name)")
            }
        }
        for table in delta.target.tables {
            for constraint in table.foreignKeys where isRebuilt(table.name, constraint) && constraint.comment != nil {
                comment("CONSTRAINT \(qi(constraint.name)) ON \(q(table.name))", constraint.comment, change: "constraint \(constraint.name) on \(table.name)")
            }
        }
        let recreatedMaterialized = Set(delta.target.views.filter { $0.isMaterialized && recreatedViews.contains($0.name) }.map(\.name))
        var indexes = delta.indexes.added.filter { $0.comment != nil }
        indexes += delta.indexes.changed.filter { Self.commentChanged($0.properties) || (Self.needsRebuild($0.properties) && $0.new.comment != nil) }.map(\.new)
        indexes += delta.target.indexes.filter { recreatedMaterialized.contains($0.table) && $0.comment != nil }
        for index in indexes {
            comment("INDEX \(q(index.name))", index.comment, change: "index \(index.name)")
        }
        var views = delta.views.added.filter { $0.comment != nil }
        views += delta.views.changed.filter { Self.commentChanged($0.properties) || (Self.needsRebuild($0.properties) && $0.new.comment != nil) }.map(\.new)
        views += delta.target.views.filter { recreatedViews.contains($0.name) && $0.comment != nil }
        for view in views {
            comment("\(view.isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(q(view.name))", view.comment, change: "view \(view.name)")
        }
        var triggers = delta.triggers.added.filter { $0.comment != nil }
        triggers += delta.triggers.changed.filter {
            Self.commentChanged($0.properties) || ($0.properties.contains { $0.property == "definition" } && $0.new.comment != nil)
        }.map(\.new)
        triggers += delta.target.triggers.filter { recreatedTriggers.contains(TriggerKey(table: $0.table, name: $0.name)) && $0.comment != nil }
        for trigger in triggers {
            comment("TRIGGER \(qi(trigger.name)) ON \(q(trigger.table))", trigger.comment, change: "trigger \(trigger.name) on \(trigger.table)")
        }
    }
}
