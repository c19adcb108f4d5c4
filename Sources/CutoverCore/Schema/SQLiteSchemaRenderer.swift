import Foundation

/// Writes the SQLite DDL that turns one schema into another.
///
/// SQLite's `ALTER TABLE` can add a column (with restrictions), rename and drop, but not
/// change a column or a constraint (https://www.sqlite.org/lang_altertable.html). So a
/// table gets `ALTER TABLE … ADD COLUMN` when that is all it needs and the columns qualify
/// (no `PRIMARY KEY`/`UNIQUE`, not `STORED`, a constant default, `NOT NULL` only with a
/// default), and is otherwise rebuilt the way SQLite documents: create the new table under
/// a temporary name from the target's `CREATE TABLE`, copy the common columns, drop the
/// old table, rename the new one, then create its indexes and triggers again. The script
/// turns foreign key enforcement off first (`PRAGMA foreign_keys` has no effect inside a
/// transaction: run a rebuild outside one) and sets `legacy_alter_table` so the rename
/// leaves views and triggers that mention the table alone.
///
/// Virtual tables (`CREATE VIRTUAL TABLE … USING fts5`) are created and dropped, never
/// rebuilt: a change to one is listed as unsupported.
///
/// ```swift
/// let script = SQLiteSchemaRenderer().render(SchemaDiff(from: a, to: b))
/// ```
package struct SQLiteSchemaRenderer: SchemaScriptRenderer {
    /// Creates a renderer.
    package init() {}

    /// `sqlite`.
    package var dialect: String { SQLiteDialect().name }

    /// The statements that turn `diff.source` into `diff.target`.
    /// - Parameter diff: a diff of two SQLite schemas.
    /// - Returns: the script; changes to virtual tables are listed as unsupported.
    package func render(_ diff: SchemaDiff) -> SchemaScript {
        var builder = SQLiteScriptBuilder(delta: SchemaDelta(from: diff.source, to: diff.target))
        builder.build()
        return SchemaScript(dialect: dialect, statements: builder.statements, unsupported: builder.unsupported)
    }

    /// The prefix of the temporary name a table is rebuilt under.
    package static let rebuildPrefix = "_cutover_new_"
}

/// Builds one SQLite script; see ``SQLiteSchemaRenderer``.
struct SQLiteScriptBuilder {
    let delta: SchemaDelta
    let dialect = SQLiteDialect()
    var statements: [SchemaScript.Statement] = []
    var unsupported: [SchemaScript.UnsupportedChange] = []
    var rebuilt = Set<Schema.ObjectName>()
    var unsupportedTables = Set<Schema.ObjectName>()

    init(delta: SchemaDelta) {
        self.delta = delta
    }

    func q(_ name: Schema.ObjectName) -> String { name.sql(dialect) }
    func qi(_ identifier: String) -> String { dialect.quoteIdentifier(identifier) }

    mutating func emit(_ sql: String, change: String? = nil, comments: [String] = [], dropsData: Bool = false) {
        statements.append(SchemaScript.Statement(sql, comments: comments, dropsData: dropsData, change: change))
    }

    mutating func build() {
        for table in delta.changedTables {
            if table.old.isVirtual || table.new.isVirtual {
                unsupportedTables.insert(table.new.name)
                unsupported.append(SchemaScript.UnsupportedChange(
                    change: "table \(table.new.name)",
                    reason: "virtual tables cannot be altered or rebuilt with their data; drop and create it yourself, then fill it again"))
            } else if addedColumnsInPlace(table) == nil {
                rebuilt.insert(table.new.name)
            }
        }
        if !rebuilt.isEmpty {
            emit("PRAGMA foreign_keys = OFF", comments: [
                "tables are rebuilt below (https://www.sqlite.org/lang_altertable.html#otheralter): foreign key enforcement off,",
                "so that dropping the old table neither cascades nor fails; this has no effect inside a transaction",
            ])
            emit("PRAGMA legacy_alter_table = ON", comments: ["the renames below leave views and triggers that name the tables alone"])
        }
        let removedTables = Set(delta.removedTables.map(\.name))
        let gone = removedTables.union(rebuilt)
        let droppedViews = Set(delta.views.removed.map(\.name)).union(delta.views.changed.map(\.old.name))

        // Drops: triggers, views, indexes, tables. Triggers and indexes of tables that are
        // dropped or rebuilt go with the table.
        for trigger in delta.triggers.removed + delta.triggers.changed.map(\.old)
        where !gone.contains(trigger.table) && !droppedViews.contains(trigger.table) {
            emit("DROP TRIGGER \(qi(trigger.name))", change: "trigger \(trigger.name) on \(trigger.table)",
                 comments: ["WARNING: drops trigger \(trigger.name) on \(trigger.table) (no data is lost)"])
        }
        for view in delta.views.removed + delta.views.changed.map(\.old) {
            emit("DROP VIEW \(q(view.name))", change: "view \(view.name)", comments: ["WARNING: drops view \(view.name) (no data is lost)"])
        }
        for index in delta.indexes.removed + delta.indexes.changed.map(\.old) where !gone.contains(index.table) {
            emit("DROP INDEX \(q(index.name))", change: "index \(index.name)",
                 comments: ["WARNING: drops index \(index.name) on \(index.table) (no data is lost)"])
        }
        for table in delta.removedTables {
            emit("DROP TABLE \(q(table.name))", change: "table \(table.name)",
                 comments: ["WARNING: drops data: table \(table.name) and all its rows"], dropsData: true)
        }

        // Creates.
        for table in delta.addedTables {
            emit(createTable(table, as: nil), change: "table \(table.name)")
        }
        for table in delta.changedTables where !unsupportedTables.contains(table.new.name) {
            if let columns = addedColumnsInPlace(table) {
                for column in columns {
                    emit("ALTER TABLE \(q(table.new.name)) ADD COLUMN \(column.definition ?? columnDefinition(column))",
                         change: "column \(table.new.name).\(column.name)")
                }
            } else {
                rebuild(table)
            }
        }
        for index in (delta.indexes.added + delta.indexes.changed.map(\.new)).sorted(by: { $0.name < $1.name })
        where !rebuilt.contains(index.table) {
            emit(index.definition, change: "index \(index.name)")
        }
        for view in orderedViews(delta.views.added + delta.views.changed.map(\.new)) {
            emit(view.definition, change: "view \(view.name)")
        }
        let createdViews = Set(delta.views.added.map(\.name)).union(delta.views.changed.map(\.new.name))
        var triggers = delta.triggers.added + delta.triggers.changed.map(\.new)
        let listed = Set(triggers.map { TriggerKey(table: $0.table, name: $0.name) })
        // Triggers of views that were dropped and created again.
        triggers += delta.target.triggers.filter { createdViews.contains($0.table) && !listed.contains(TriggerKey(table: $0.table, name: $0.name)) }
        for trigger in triggers.sorted(by: { ($0.table, $0.name) < ($1.table, $1.name) }) where !rebuilt.contains(trigger.table) {
            emit(trigger.definition, change: "trigger \(trigger.name) on \(trigger.table)")
        }
        if !rebuilt.isEmpty {
            emit("PRAGMA legacy_alter_table = OFF")
            emit("PRAGMA foreign_key_check", comments: [
                "lists rows whose foreign keys the rebuild left dangling (none expected);",
                "turn enforcement back on with PRAGMA foreign_keys = ON if your connections use it",
            ])
        }
    }

    // MARK: - Tables

    /// The columns to add with `ALTER TABLE … ADD COLUMN`, when that is all `table` needs
    /// and SQLite allows it; nil when the table must be rebuilt.
    func addedColumnsInPlace(_ table: SchemaDelta.TableChange) -> [Schema.Column]? {
        guard table.properties.isEmpty, table.columns.removed.isEmpty, table.columns.changed.isEmpty,
            table.constraints.isEmpty || onlyColumnChecks(table), !table.columns.added.isEmpty,
            let oldDefinition = table.old.definition, let newDefinition = table.new.definition
        else { return nil }
        // Columns in the order the target's statement lists them.
        let order = Dictionary(table.new.columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let added = table.columns.added.sorted { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        var columnTexts: [String] = []
        for column in added {
            guard let text = column.definition else { return nil }
            let words = Set(SQLiteSchemaText.tokens(text).filter { $0.kind == .word }.map { $0.text.uppercased() })
            if words.contains("PRIMARY") || words.contains("UNIQUE") || words.contains("STORED") { return nil }
            if column.generated?.isStored == true { return nil }
            if let value = column.defaultExpression {
                let upper = value.uppercased()
                if value.hasPrefix("(") || ["CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"].contains(upper) { return nil }
                if words.contains("REFERENCES") && upper != "NULL" { return nil }
            } else if !column.isNullable && column.generated == nil {
                return nil
            }
            columnTexts.append(text)
        }
        // SQLite appends each added column's text to the stored CREATE TABLE; only when that
        // gives the target's statement is adding enough (anything else differs too).
        guard let appended = Self.appendingColumns(columnTexts, to: oldDefinition),
            SQLiteSchemaText.normalizedTableDefinition(appended) == SQLiteSchemaText.normalizedTableDefinition(newDefinition)
        else { return nil }
        return added
    }

    /// Added check constraints that come with added columns (a column-level CHECK) are
    /// carried by the column's text.
    private func onlyColumnChecks(_ table: SchemaDelta.TableChange) -> Bool {
        guard table.constraints.removed.isEmpty, table.constraints.changed.isEmpty else { return false }
        return table.constraints.added.allSatisfy { constraint in
            constraint.kind == .check && table.columns.added.contains { column in
                guard let expression = constraint.expression, let text = column.definition else { return false }
                return SQLiteSchemaText.normalized(text).contains(SQLiteSchemaText.normalized(expression))
            }
        }
    }

    /// `CREATE TABLE` text as SQLite stores it after `ALTER TABLE … ADD COLUMN`: each
    /// column's text inserted before the closing parenthesis.
    static func appendingColumns(_ columns: [String], to definition: String) -> String? {
        let tokens = SQLiteSchemaText.tokens(definition)
        guard let open = tokens.firstIndex(where: { $0.text == "(" }) else { return nil }
        var depth = 0
        for index in open..<tokens.count {
            if tokens[index].text == "(" { depth += 1 }
            if tokens[index].text == ")" {
                depth -= 1
                if depth == 0 {
                    var bytes = Array(definition.utf8)
                    let insertion = columns.map { ", " + $0 }.joined()
                    bytes.insert(contentsOf: Array(insertion.utf8), at: tokens[index].range.lowerBound)
                    return String(decoding: bytes, as: UTF8.self)
                }
            }
        }
        return nil
    }

    func columnDefinition(_ column: Schema.Column) -> String {
        var parts = [qi(column.name)]
        if !column.type.isEmpty { parts.append(column.type) }
        if let collation = column.collation { parts.append("COLLATE \(collation)") }
        if let generated = column.generated {
            parts.append("GENERATED ALWAYS AS (\(generated.expression)) \(generated.isStored ? "STORED" : "VIRTUAL")")
        }
        if !column.isNullable { parts.append("NOT NULL") }
        if let defaultExpression = column.defaultExpression, column.generated == nil { parts.append("DEFAULT \(defaultExpression)") }
        return parts.joined(separator: " ")
    }

    /// The target's `CREATE TABLE`, under `temporaryName` when given; built from the model
    /// when the schema carries no statement text.
    func createTable(_ table: Schema.Table, as temporaryName: String?) -> String {
        if let definition = table.definition {
            guard let temporaryName else { return definition }
            if let renamed = SQLiteSchemaText.renamingTable(definition, to: temporaryName) { return renamed }
        }
        var elements = table.columns.map { "    " + columnDefinition($0) }
        elements += table.constraints.map { "    " + $0.definition }
        var sql = "CREATE TABLE \(temporaryName ?? q(table.name)) (\n" + elements.joined(separator: ",\n") + "\n)"
        var options: [String] = []
        if table.isWithoutRowID { options.append("WITHOUT ROWID") }
        if table.isStrict { options.append("STRICT") }
        if !options.isEmpty { sql += " " + options.joined(separator: ", ") }
        return sql
    }

    mutating func rebuild(_ table: SchemaDelta.TableChange) {
        let name = table.new.name
        let temporary = qi(SQLiteSchemaRenderer.rebuildPrefix + name.name)
        let label = "table \(name)"
        var reasons = table.columns.changed.map { "column \($0.new.name): " + $0.properties.map(\.property).joined(separator: ", ") }
        reasons += table.constraints.added.map { "adds \($0.name)" } + table.constraints.removed.map { "drops \($0.name)" }
        reasons += table.constraints.changed.map { "changes \($0.new.name)" }
        reasons += table.columns.removed.map { "drops column \($0.name)" }
        reasons += table.columns.added.map { "adds column \($0.name)" }
        reasons += table.properties.map { "\($0.property) changes" }
        if table.columns.added.count == reasons.count { reasons.append("ALTER TABLE … ADD COLUMN cannot add these columns as declared") }
        emit(createTable(table.new, as: temporary), change: label,
             comments: ["rebuild \(name) (SQLite cannot alter it in place: \(reasons.joined(separator: "; ")))"])
        let copied = table.new.columns.filter { column in
            column.generated == nil && table.old.column(column.name).map { $0.generated == nil } == true
        }.map { qi($0.name) }
        var copyComments: [String] = []
        let newRequired = table.new.columns.filter { column in
            !column.isNullable && column.defaultExpression == nil && column.generated == nil && table.old.column(column.name) == nil
        }
        if !newRequired.isEmpty {
            copyComments.append("fails if \(name) has rows: new NOT NULL column\(newRequired.count == 1 ? "" : "s") without a default: \(newRequired.map(\.name).joined(separator: ", "))")
        }
        let tightened = table.columns.changed.filter { $0.properties.contains { $0.property == "nullability" } && !$0.new.isNullable }
        if !tightened.isEmpty {
            copyComments.append("fails if \(tightened.map { "\(name).\($0.new.name)" }.joined(separator: ", ")) hold NULLs")
        }
        if !copied.isEmpty {
            let list = copied.joined(separator: ", ")
            emit("INSERT INTO \(temporary) (\(list)) SELECT \(list) FROM \(q(name))", change: label, comments: copyComments)
        }
        let lost = table.columns.removed.filter { $0.generated == nil }.map(\.name)
        emit("DROP TABLE \(q(name))", change: label,
             comments: lost.isEmpty
                ? ["drops the old table; its rows were copied above"]
                : ["WARNING: drops data: column\(lost.count == 1 ? "" : "s") \(lost.map { "\(name).\($0)" }.joined(separator: ", ")) and every value in \(lost.count == 1 ? "it" : "them") (the other columns were copied above)"],
             dropsData: !lost.isEmpty)
        emit("ALTER TABLE \(temporary) RENAME TO \(q(name))", change: label)
        for index in delta.target.indexes where index.table == name {
            emit(index.definition, change: "index \(index.name)")
        }
        for trigger in delta.target.triggers where trigger.table == name {
            emit(trigger.definition, change: "trigger \(trigger.name) on \(trigger.table)")
        }
    }

    /// Views ordered so that a view comes after the views its statement mentions.
    func orderedViews(_ views: [Schema.View]) -> [Schema.View] {
        let byName = Dictionary(views.map { ($0.name.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        var visited = Set<String>()
        var ordered: [Schema.View] = []
        func visit(_ view: Schema.View) {
            guard visited.insert(view.name.name.lowercased()).inserted else { return }
            let mentioned = Set(SQLiteSchemaText.tokens(view.definition).dropFirst(3).map(\.identifier))
            for name in mentioned.sorted() {
                if let other = byName[name], other.name != view.name { visit(other) }
            }
            ordered.append(view)
        }
        for view in views.sorted(by: { $0.name < $1.name }) { visit(view) }
        return ordered
    }
}
