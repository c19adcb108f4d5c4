import CutoverCore
import Foundation

extension SQLiteDatabase: SchemaIntrospecting {
    /// Reads the database's schema from `sqlite_schema` and the pragmas.
    ///
    /// Columns, foreign keys and indexes come from the table-valued pragmas
    /// (`pragma_table_xinfo`, `pragma_foreign_key_list`, `pragma_index_list`,
    /// `pragma_index_info`), joined with `sqlite_schema` so that each is one query for all
    /// tables; `pragma_table_list` says which tables are virtual, `WITHOUT ROWID` or
    /// `STRICT`. What no pragma reports — check constraints, column collations,
    /// generated-column expressions, `AUTOINCREMENT` — is read from the stored
    /// `CREATE TABLE` text. Views, triggers and indexes keep their stored statements.
    ///
    /// Left out: SQLite's own tables (`sqlite_*`), the shadow tables of virtual tables, and
    /// Cutover's tables (`cutover_*`) unless ``IntrospectionOptions/includesCutoverObjects``.
    /// SQLite names no constraints but `CONSTRAINT x …`, so constraints are named after
    /// their definition (`unique (email)`), which matches them between databases.
    ///
    /// ```swift
    /// let db = try await SQLiteDatabase.open(try DatabaseURL("sqlite:dev.sqlite3"), busyTimeout: .seconds(5), logger: logger)
    /// let schema = try await db.introspect(options: .init())
    /// ```
    ///
    /// - Parameter options: whether to include Cutover's tables (``IntrospectionOptions/schemas`` is ignored).
    /// - Returns: the schema, collections sorted by name.
    /// - Throws: ``CutoverError`` `.statementFailed` when a catalog query fails.
    public func introspect(options: IntrospectionOptions) async throws -> Schema {
        let dialect = SQLiteDialect()
        func excluded(_ name: String) -> Bool {
            let lower = name.lowercased()
            return lower.hasPrefix("sqlite_") || (!options.includesCutoverObjects && lower.hasPrefix("cutover_"))
        }
        let objects = try await query("SELECT type, name, tbl_name, sql FROM main.sqlite_schema ORDER BY name")
        let tableInfo = try await query("SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'")
        var kinds: [String: (type: String, withoutRowID: Bool, strict: Bool)] = [:]
        for row in tableInfo {
            kinds[row.string("name") ?? ""] = (row.string("type") ?? "table", row.int("wr") == 1, row.int("strict") == 1)
        }
        let tableRows = objects.filter { row in
            let name = row.string("name") ?? ""
            return row.string("type") == "table" && !excluded(name) && kinds[name]?.type != "shadow"
        }
        let tableNames = Set(tableRows.compactMap { $0.string("name") })
        // Table-valued pragmas joined with sqlite_schema: one query per kind for all tables
        // (https://www.sqlite.org/pragma.html#pragfunc).
        var columnsByTable: [String: [Row]] = [:]
        let columnSQL = """
            SELECT m.name AS table_name, p.cid, p.name, p.type, p."notnull" AS not_null, p.dflt_value, p.pk, p.hidden
            FROM main.sqlite_schema m JOIN pragma_table_xinfo(m.name) p
            WHERE m.type = 'table' ORDER BY m.name, p.cid
            """
        for row in try await query(columnSQL) { columnsByTable[row.string("table_name") ?? "", default: []].append(row) }

        var foreignKeysByTable: [String: [Row]] = [:]
        let foreignKeySQL = """
            SELECT m.name AS table_name, f.id, f.seq, f."table" AS parent, f."from" AS from_column, f."to" AS to_column,
                   f.on_update, f.on_delete, f."match" AS match_type
            FROM main.sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
            WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq
            """
        for row in try await query(foreignKeySQL) { foreignKeysByTable[row.string("table_name") ?? "", default: []].append(row) }

        // Unique constraints are the indexes SQLite made for them (origin 'u').
        var uniqueByTable: [String: [(name: String, columns: [String])]] = [:]
        let uniqueSQL = """
            SELECT m.name AS table_name, il.name AS index_name, ii.name AS column_name
            FROM main.sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
            WHERE m.type = 'table' AND il.origin = 'u' ORDER BY m.name, il.name, ii.seqno
            """
        for row in try await query(uniqueSQL) {
            let table = row.string("table_name") ?? ""
            let index = row.string("index_name") ?? ""
            var list = uniqueByTable[table, default: []]
            if list.last?.name == index {
                list[list.count - 1].columns.append(row.string("column_name") ?? "")
            } else {
                list.append((index, [row.string("column_name") ?? ""]))
            }
            uniqueByTable[table] = list
        }

        let tables = tableRows.map { row -> Schema.Table in
            let name = row.string("name") ?? ""
            let sql = row.string("sql") ?? ""
            let info = kinds[name]
            let parsed = SQLiteSchemaText.parseTable(sql)
            return Self.table(
                name: name, sql: sql, isVirtual: info?.type == "virtual", isWithoutRowID: info?.withoutRowID ?? false,
                isStrict: info?.strict ?? false, parsed: parsed, columns: columnsByTable[name] ?? [],
                foreignKeys: foreignKeysByTable[name] ?? [], uniques: uniqueByTable[name] ?? [], dialect: dialect)
        }
        var indexes: [Schema.Index] = []
        var views: [Schema.View] = []
        var triggers: [Schema.Trigger] = []
        for row in objects {
            let name = row.string("name") ?? ""
            let table = row.string("tbl_name") ?? ""
            guard let sql = row.string("sql"), !excluded(name), !excluded(table) else { continue }
            switch row.string("type") {
            case "index" where tableNames.contains(table):
                let parsed = SQLiteSchemaText.parseIndex(sql)
                indexes.append(Schema.Index(
                    name: Schema.ObjectName(name), table: Schema.ObjectName(table), columns: parsed.columns,
                    isUnique: parsed.isUnique, predicate: parsed.predicate, definition: sql))
            case "view":
                views.append(Schema.View(name: Schema.ObjectName(name), definition: sql))
            case "trigger":
                triggers.append(Schema.Trigger(name: name, table: Schema.ObjectName(table), definition: sql))
            default:
                break
            }
        }
        return Schema(dialect: dialect.name, tables: tables, indexes: indexes, views: views, triggers: triggers)
    }

    // MARK: - Rows to model

    private static func table(
        name: String, sql: String, isVirtual: Bool, isWithoutRowID: Bool, isStrict: Bool,
        parsed: SQLiteSchemaText.TableDefinition?, columns: [Row], foreignKeys: [Row],
        uniques: [(name: String, columns: [String])], dialect: SQLiteDialect
    ) -> Schema.Table {
        let definitions = Dictionary(
            (parsed?.columns ?? []).map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var model: [Schema.Column] = []
        var primaryKey: [(position: Int, name: String)] = []
        for row in columns {
            let columnName = row.string("name") ?? ""
            let hidden = row.int("hidden") ?? 0
            // Hidden columns of virtual tables (hidden = 1) are not part of the table's shape.
            if hidden == 1 { continue }
            let definition = definitions[columnName.lowercased()]
            var generated: Schema.Column.Generated?
            if hidden == 2 || hidden == 3 {
                generated = Schema.Column.Generated(expression: definition?.generated ?? "", isStored: hidden == 3)
            }
            if let position = row.int("pk"), position > 0 { primaryKey.append((position, columnName)) }
            model.append(Schema.Column(
                name: columnName, type: row.string("type") ?? "", isNullable: row.int("not_null") != 1,
                defaultExpression: row.string("dflt_value"), generated: generated, collation: definition?.collation,
                definition: definition?.text))
        }
        var constraints: [Schema.Constraint] = []
        func list(_ names: [String]) -> String { names.map { dialect.quoteIdentifier($0) }.joined(separator: ", ") }
        if !primaryKey.isEmpty {
            let keyColumns = primaryKey.sorted { $0.position < $1.position }.map(\.name)
            constraints.append(Schema.Constraint(
                name: "primary key", kind: .primaryKey, columns: keyColumns, definition: "PRIMARY KEY (\(list(keyColumns)))"))
        }
        for unique in uniques {
            constraints.append(Schema.Constraint(
                name: "unique (\(unique.columns.joined(separator: ", ")))", kind: .unique, columns: unique.columns,
                definition: "UNIQUE (\(list(unique.columns)))"))
        }
        var grouped: [Int: [Row]] = [:]
        for row in foreignKeys { grouped[row.int("id") ?? 0, default: []].append(row) }
        for (_, rows) in grouped.sorted(by: { $0.key < $1.key }) {
            guard let first = rows.first else { continue }
            let parent = first.string("parent") ?? ""
            let from = rows.map { $0.string("from_column") ?? "" }
            let to = rows.compactMap { $0.string("to_column") }
            let onUpdate = Schema.ReferentialAction(rawValue: first.string("on_update") ?? "") ?? .noAction
            let onDelete = Schema.ReferentialAction(rawValue: first.string("on_delete") ?? "") ?? .noAction
            let match = (first.string("match_type") ?? "NONE").uppercased()
            var definition = "FOREIGN KEY (\(list(from))) REFERENCES \(dialect.quoteIdentifier(parent))"
            if !to.isEmpty { definition += " (\(list(to)))" }
            if onUpdate != .noAction { definition += " ON UPDATE \(onUpdate.rawValue)" }
            if onDelete != .noAction { definition += " ON DELETE \(onDelete.rawValue)" }
            if match != "NONE" && match != "SIMPLE" { definition += " MATCH \(match)" }
            let target = to.isEmpty ? "" : " (\(to.joined(separator: ", ")))"
            constraints.append(Schema.Constraint(
                name: "foreign key (\(from.joined(separator: ", "))) references \(parent)\(target)", kind: .foreignKey,
                columns: from, definition: definition,
                references: Schema.ForeignKeyReference(
                    table: Schema.ObjectName(parent), columns: to, onUpdate: onUpdate, onDelete: onDelete,
                    match: match == "NONE" ? "SIMPLE" : match)))
        }
        var seenChecks = Set<String>()
        for check in parsed?.checks ?? [] {
            let words = check.split(whereSeparator: \.isWhitespace)
            let text = words.joined(separator: " ")
            guard seenChecks.insert(text).inserted else { continue }
            constraints.append(Schema.Constraint(name: "check (\(text))", kind: .check, definition: "CHECK (\(text))", expression: text))
        }
        return Schema.Table(
            name: Schema.ObjectName(name), columns: model, constraints: constraints, definition: sql,
            isWithoutRowID: isWithoutRowID, isStrict: isStrict, isVirtual: isVirtual,
            hasAutoincrement: parsed?.hasAutoincrement ?? false)
    }
}
