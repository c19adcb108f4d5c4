import Foundation

extension PostgresScriptBuilder {
    /// Creates and alters, dependencies first.
    mutating func createAndAlter() {
        for namespace in delta.namespaces.added {
            emit("CREATE SCHEMA \(qi(namespace.name))", change: "schema \(namespace.name)")
        }
        for item in delta.extensions.added {
            emit("CREATE EXTENSION IF NOT EXISTS \(qi(item.name)) WITH SCHEMA \(qi(item.schema)) VERSION \(SQLText.escapedLiteral(item.version))",
                 change: "extension \(item.name)")
        }
        for change in delta.extensions.changed {
            if change.old.schema != change.new.schema {
                emit("ALTER EXTENSION \(qi(change.new.name)) SET SCHEMA \(qi(change.new.schema))", change: "extension \(change.new.name)")
            }
            if change.old.version != change.new.version {
                emit("ALTER EXTENSION \(qi(change.new.name)) UPDATE TO \(SQLText.escapedLiteral(change.new.version))", change: "extension \(change.new.name)")
            }
        }
        createEnumTypes()
        for sequence in delta.sequences.added {
            emit("CREATE SEQUENCE \(q(sequence.name)) \(sequenceOptions(sequence))", change: "sequence \(sequence.name)")
        }
        for change in delta.sequences.changed where change.properties.contains(where: { !["comment", "owned by"].contains($0.property) }) {
            emit("ALTER SEQUENCE \(q(change.new.name)) \(sequenceOptions(change.new))", change: "sequence \(change.new.name)")
        }
        for function in delta.functions.added {
            emit(function.definition, change: "function \(function.signature)")
        }
        for change in delta.functions.changed where change.properties.contains(where: { $0.property == "definition" }) {
            emit(change.new.definition, change: "function \(change.new.signature)")
        }
        createTables()
        for table in delta.changedTables { alterTable(table) }
        setSequenceOwners()
        addConstraints()
        createIndexes(onViews: false)
        addForeignKeys()
        createViews()
        createIndexes(onViews: true)
        createTriggers()
        setComments()
    }

    // MARK: - Types and sequences

    mutating func createEnumTypes() {
        for type in delta.enumTypes.added {
            emit("CREATE TYPE \(q(type.name)) AS ENUM (\(SchemaComparer.labels(type.labels)))", change: "enum type \(type.name)")
        }
        for change in delta.enumTypes.changed where change.old.labels != change.new.labels {
            let old = change.old.labels
            let new = change.new.labels
            // New labels can be added anywhere; existing ones cannot be removed or reordered
            // (https://www.postgresql.org/docs/current/sql-altertype.html).
            guard new.filter({ old.contains($0) }) == old else {
                unsupported.append(SchemaScript.UnsupportedChange(
                    change: "enum type \(change.new.name)",
                    reason: "labels \(SchemaComparer.labels(old)) become \(SchemaComparer.labels(new)); PostgreSQL cannot remove or reorder enum labels: create a new type, convert the columns (ALTER COLUMN … TYPE … USING col::text::new_type), then drop the old type"))
                continue
            }
            for (position, label) in new.enumerated() where !old.contains(label) {
                let placement = position > 0 ? "AFTER \(SQLText.escapedLiteral(new[position - 1]))" : (new.count > 1 ? "BEFORE \(SQLText.escapedLiteral(new[1]))" : "")
                emit("ALTER TYPE \(q(change.new.name)) ADD VALUE \(SQLText.escapedLiteral(label)) \(placement)".trimmingCharacters(in: .whitespaces),
                     change: "enum type \(change.new.name)",
                     comments: ["COMMIT after this statement: no transaction may use an enum label it added itself",
                                "(https://www.postgresql.org/docs/current/sql-altertype.html#SQL-ALTERTYPE-NOTES)"],
                     needsCommitAfter: true)
            }
        }
    }

    func sequenceOptions(_ sequence: Schema.Sequence) -> String {
        "AS \(sequence.dataType) INCREMENT BY \(sequence.increment) MINVALUE \(sequence.minValue) MAXVALUE \(sequence.maxValue) "
            + "START WITH \(sequence.start) CACHE \(sequence.cache) \(sequence.cycles ? "CYCLE" : "NO CYCLE")"
    }

    mutating func setSequenceOwners() {
        for sequence in delta.sequences.added where sequence.ownedBy != nil {
            setOwner(sequence)
        }
        for change in delta.sequences.changed where change.old.ownedBy != change.new.ownedBy {
            setOwner(change.new)
        }
    }

    mutating func setOwner(_ sequence: Schema.Sequence) {
        let owner = sequence.ownedBy.map { "\(q($0.table)).\(qi($0.column))" } ?? "NONE"
        emit("ALTER SEQUENCE \(q(sequence.name)) OWNED BY \(owner)", change: "sequence \(sequence.name)")
    }

    // MARK: - Tables and columns

    func columnDefinition(_ column: Schema.Column) -> String {
        var parts = [qi(column.name), column.type]
        if let collation = column.collation { parts.append("COLLATE \(collation)") }
        if let generated = column.generated { parts.append("GENERATED ALWAYS AS (\(generated.expression)) STORED") }
        if let identity = column.identity { parts.append("GENERATED \(identity.rawValue) AS IDENTITY") }
        if let defaultExpression = column.defaultExpression, column.generated == nil { parts.append("DEFAULT \(defaultExpression)") }
        if !column.isNullable { parts.append("NOT NULL") }
        return parts.joined(separator: " ")
    }

    mutating func createTables() {
        // Partitioned parents before their partitions.
        let added = delta.addedTables.sorted { ($0.partitionOf == nil ? 0 : 1, $0.name) < ($1.partitionOf == nil ? 0 : 1, $1.name) }
        for table in added {
            var sql = "CREATE \(table.isUnlogged ? "UNLOGGED " : "")TABLE \(q(table.name))"
            if let parent = table.partitionOf {
                sql += " PARTITION OF \(q(parent))"
                if !table.columns.isEmpty {
                    sql += " (\n    " + table.columns.map { column in
                        var options = [qi(column.name), "WITH OPTIONS"]
                        if let defaultExpression = column.defaultExpression { options.append("DEFAULT \(defaultExpression)") }
                        if !column.isNullable { options.append("NOT NULL") }
                        return options.joined(separator: " ")
                    }.joined(separator: ",\n    ") + "\n)"
                }
                sql += " " + (table.partitionBound ?? "DEFAULT")
            } else {
                sql += " (\n" + table.columns.map { "    " + columnDefinition($0) }.joined(separator: ",\n") + "\n)"
            }
            if let key = table.partitionKey { sql += " PARTITION BY \(key)" }
            if !table.options.isEmpty { sql += " WITH (\(table.options.joined(separator: ", ")))" }
            emit(sql, change: "table \(table.name)")
        }
    }

    mutating func alterTable(_ table: SchemaDelta.TableChange) {
        let name = q(table.new.name)
        for property in table.properties {
            switch property.property {
            case "comment":
                break
            case "options":
                let removed = table.old.options.map { String($0.prefix(while: { $0 != "=" })) }
                    .filter { key in !table.new.options.contains { $0.hasPrefix(key + "=") } }
                if !removed.isEmpty { emit("ALTER TABLE \(name) RESET (\(removed.joined(separator: ", ")))", change: "table \(table.new.name)") }
                if !table.new.options.isEmpty { emit("ALTER TABLE \(name) SET (\(table.new.options.joined(separator: ", ")))", change: "table \(table.new.name)") }
            case "unlogged":
                emit("ALTER TABLE \(name) SET \(table.new.isUnlogged ? "UNLOGGED" : "LOGGED")", change: "table \(table.new.name)")
            default:
                unsupported.append(SchemaScript.UnsupportedChange(
                    change: "table \(table.new.name)",
                    reason: "\(property.property) changes from \(property.from ?? "(none)") to \(property.to ?? "(none)"); changing a table's partitioning needs a new table and a data copy, which Cutover does not generate"))
            }
        }
        for column in table.columns.added {
            addColumn(column, to: table.new.name)
        }
        for change in table.columns.changed {
            alterColumn(change, in: table.new.name)
        }
    }

    mutating func addColumn(_ column: Schema.Column, to table: Schema.ObjectName) {
        var comments: [String] = []
        if !column.isNullable && column.defaultExpression == nil && column.identity == nil && column.generated == nil {
            comments.append("fails if \(table) has rows: NOT NULL without a default (add a default, or add the column nullable, backfill, then SET NOT NULL)")
        }
        emit("ALTER TABLE \(q(table)) ADD COLUMN \(columnDefinition(column))", change: "column \(table).\(column.name)", comments: comments)
    }

    mutating func alterColumn(_ change: SchemaDelta.Changed<Schema.Column>, in table: Schema.ObjectName) {
        if regeneratesColumn(change) {
            addColumn(change.new, to: table)
            return
        }
        let old = change.old
        let new = change.new
        let prefix = "ALTER TABLE \(q(table)) ALTER COLUMN \(qi(new.name))"
        let label = "column \(table).\(new.name)"
        let changed = Set(change.properties.map(\.property))
        let typeChanges = changed.contains("type") || changed.contains("collation")
        if old.generated != nil && new.generated == nil {
            emit("\(prefix) DROP EXPRESSION", change: label, comments: ["the column keeps its values and stops being computed"])
        }
        if old.identity != nil && new.identity == nil { emit("\(prefix) DROP IDENTITY", change: label) }
        // A default is dropped before a type change (it may not cast) and when it goes away;
        // a new default simply replaces the old one.
        if old.defaultExpression != nil && old.generated == nil && (typeChanges || (changed.contains("default") && new.defaultExpression == nil)) {
            emit("\(prefix) DROP DEFAULT", change: label)
        }
        if typeChanges {
            var sql = "\(prefix) TYPE \(new.type)"
            if let collation = new.collation { sql += " COLLATE \(collation)" }
            if changed.contains("type") { sql += " USING \(qi(new.name))::\(new.type)" }
            emit(sql, change: label)
        }
        if changed.contains("nullability") {
            emit(new.isNullable ? "\(prefix) DROP NOT NULL" : "\(prefix) SET NOT NULL", change: label,
                 comments: new.isNullable ? [] : ["fails if \(table).\(new.name) holds NULLs"])
        }
        if let identity = new.identity {
            if old.identity == nil {
                emit("\(prefix) ADD GENERATED \(identity.rawValue) AS IDENTITY", change: label)
            } else if old.identity != identity {
                emit("\(prefix) SET GENERATED \(identity.rawValue)", change: label)
            }
        }
        if let defaultExpression = new.defaultExpression, new.generated == nil,
            changed.contains("default") || (typeChanges && old.defaultExpression != nil)
        {
            emit("\(prefix) SET DEFAULT \(defaultExpression)", change: label)
        }
    }

    // MARK: - Constraints and indexes

    mutating func addConstraints() {
        let order: [Schema.Constraint.Kind] = [.primaryKey, .unique, .exclusion, .check]
        for kind in order {
            for table in delta.addedTables {
                for constraint in table.constraints where constraint.kind == kind { addConstraint(constraint, to: table.name) }
            }
            for table in delta.changedTables {
                for constraint in table.constraints.added where constraint.kind == kind { addConstraint(constraint, to: table.new.name) }
                for change in table.constraints.changed where change.new.kind == kind { changeConstraint(change, on: table.new.name) }
            }
        }
    }

    mutating func addForeignKeys() {
        for table in delta.addedTables {
            for constraint in table.foreignKeys { addConstraint(constraint, to: table.name) }
        }
        var added = Set<ConstraintKey>()
        for table in delta.changedTables {
            for constraint in table.constraints.added where constraint.kind == .foreignKey {
                addConstraint(constraint, to: table.new.name)
                added.insert(ConstraintKey(table: table.new.name, name: constraint.name))
            }
            for change in table.constraints.changed where change.new.kind == .foreignKey {
                changeConstraint(change, on: table.new.name)
                added.insert(ConstraintKey(table: table.new.name, name: change.new.name))
            }
        }
        for table in delta.target.tables {
            for constraint in table.foreignKeys where isRebuilt(table.name, constraint)
                && !added.contains(ConstraintKey(table: table.name, name: constraint.name))
            {
                addConstraint(constraint, to: table.name)
            }
        }
    }

    mutating func changeConstraint(_ change: SchemaDelta.Changed<Schema.Constraint>, on table: Schema.ObjectName) {
        if requiresDropAndAdd(change) {
            addConstraint(change.new, to: table)
        } else if change.properties.contains(where: { $0.property == "validated" }) {
            emit("ALTER TABLE \(q(table)) VALIDATE CONSTRAINT \(qi(change.new.name))", change: "constraint \(change.new.name) on \(table)")
        }
    }

    mutating func addConstraint(_ constraint: Schema.Constraint, to table: Schema.ObjectName) {
        var sql = "ALTER TABLE \(q(table)) ADD CONSTRAINT \(qi(constraint.name)) \(constraint.definition)"
        let change = "constraint \(constraint.name) on \(table)"
        // On a live table, a validating ADD CONSTRAINT scans every row under its lock; NOT VALID
        // is a catalog change, and VALIDATE later takes only SHARE UPDATE EXCLUSIVE
        // (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
        if forLiveDatabase && constraint.isValidated && [.foreignKey, .check].contains(constraint.kind) && liveTables.contains(table) {
            emit(sql + " NOT VALID", change: change, needsCommitAfter: true)
            emit("ALTER TABLE \(q(table)) VALIDATE CONSTRAINT \(qi(constraint.name))", change: change, needsCommitAfter: true)
            return
        }
        if !constraint.isValidated { sql += " NOT VALID" }
        emit(sql, change: change)
    }

    mutating func createIndexes(onViews: Bool) {
        let viewNames = Set(delta.target.views.map(\.name))
        let createdViews = Set(delta.views.added.map(\.name))
            .union(delta.views.changed.filter { Self.needsRebuild($0.properties) }.map(\.new.name))
            .union(recreatedViews)
        var indexes = delta.indexes.added + delta.indexes.changed.filter { Self.needsRebuild($0.properties) }.map(\.new)
        if onViews {
            // Indexes of materialized views created again.
            let listed = Set(indexes.map(\.name))
            indexes += delta.target.indexes.filter { createdViews.contains($0.table) && !listed.contains($0.name) }
        }
        for index in indexes.sorted(by: { $0.name < $1.name }) where viewNames.contains(index.table) == onViews {
            if !index.isValid {
                unsupported.append(SchemaScript.UnsupportedChange(
                    change: "index \(index.name)",
                    reason: "the index is INVALID in the target (a failed CREATE INDEX CONCURRENTLY left it); drop it there and compare again"))
                continue
            }
            if !onViews, let concurrent = concurrentForm(of: index) {
                emit(concurrent, change: "index \(index.name)", runsOutsideTransaction: true)
            } else {
                emit(index.definition, change: "index \(index.name)")
            }
        }
    }

    /// `CREATE INDEX CONCURRENTLY …` for an index on a live table, when writing for a live
    /// database: a plain build blocks writes for its whole duration. Not for `ON ONLY`
    /// (a partitioned parent's own index, which cannot be built concurrently).
    func concurrentForm(of index: Schema.Index) -> String? {
        guard forLiveDatabase, takesConcurrentIndexes(index.table), !index.definition.contains(" ON ONLY ") else { return nil }
        for prefix in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] where index.definition.hasPrefix(prefix) {
            return prefix + "CONCURRENTLY " + index.definition.dropFirst(prefix.count)
        }
        return nil
    }

    // MARK: - Views and triggers

    mutating func createViews() {
        var views = delta.views.added + delta.views.changed.filter { Self.needsRebuild($0.properties) }.map(\.new)
        views += delta.target.views.filter { recreatedViews.contains($0.name) }
        for view in orderedViews(views) {
            var sql = "CREATE \(view.isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(q(view.name))"
            if !view.options.isEmpty { sql += " WITH (\(view.options.joined(separator: ", ")))" }
            sql += " AS\n" + view.definition
            emit(sql, change: "\(view.isMaterialized ? "materialized view" : "view") \(view.name)")
        }
    }

    mutating func createTriggers() {
        var triggers = delta.triggers.added
        triggers += delta.triggers.changed.filter { $0.properties.contains { $0.property == "definition" } }.map(\.new)
        let createdViews = Set(delta.views.changed.filter { Self.needsRebuild($0.properties) }.map(\.new.name)).union(recreatedViews)
        let listed = Set(triggers.map { TriggerKey(table: $0.table, name: $0.name) })
        triggers += delta.target.triggers.filter { trigger in
            let key = TriggerKey(table: trigger.table, name: trigger.name)
            return !listed.contains(key) && (recreatedTriggers.contains(key) || createdViews.contains(trigger.table))
        }
        for trigger in triggers.sorted(by: { ($0.table, $0.name) < ($1.table, $1.name) }) {
            emit(trigger.definition, change: "trigger \(trigger.name) on \(trigger.table)")
            setEnabled(trigger)
        }
        for change in delta.triggers.changed where !change.properties.contains(where: { $0.property == "definition" })
            && change.properties.contains(where: { $0.property == "enabled" })
        {
            setEnabled(change.new, always: true)
        }
    }

    mutating func setEnabled(_ trigger: Schema.Trigger, always: Bool = false) {
        let action: String
        switch trigger.enabled {
        case "D": action = "DISABLE TRIGGER"
        case "R": action = "ENABLE REPLICA TRIGGER"
        case "A": action = "ENABLE ALWAYS TRIGGER"
        default:
            guard always else { return }
            action = "ENABLE TRIGGER"
        }
        emit("ALTER TABLE \(q(trigger.table)) \(action) \(qi(trigger.name))", change: "trigger \(trigger.name) on \(trigger.table)")
    }
}
