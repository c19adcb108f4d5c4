import CutoverCore
import CutoverOperations

/// Applies the operations of a `.yaml` migration to a SQLite database directly, in their
/// final shape: SQLite has one node, so there is no old version to serve meanwhile (no
/// version schema, no triggers, no backfill). The caller holds the write transaction.
///
/// `ALTER TABLE` does what it can (add, drop and rename columns, rename tables); the other
/// changes rebuild the table (``SQLiteRebuild``), keeping its indexes and triggers.
struct SQLiteOperationApplier {
    let database: any Database
    /// Per table (by its current name, lower-cased): its name and its columns' names before
    /// the migration, which the `up` expressions read.
    private var before: [String: (table: String, columns: [String: String])] = [:]

    init(database: any Database) {
        self.database = database
    }

    private static let q = SQLText.quotedIdentifier

    /// Applies `operation`, turning a failure into an error at its file and line.
    mutating func apply(_ operation: any ExpandContractOperation, migrationID: MigrationID) async throws {
        do {
            try await run(operation)
        } catch let error as CutoverError where error.file == nil {
            let refused = error.code == .invalidMigration
            throw CutoverError(
                refused ? .invalidMigration : .migrationFailed,
                "\(type(of: operation).name)\(refused ? " cannot run on SQLite" : " failed"): \(error.message)",
                hint: error.hint ?? "nothing of this migration was applied (its transaction was rolled back); fix the operation and run it again",
                file: operation.file, line: operation.line, migrationID: migrationID, statement: error.statement, databaseCode: error.databaseCode,
                underlying: error)
        }
    }

    private mutating func run(_ operation: any ExpandContractOperation) async throws {
        let q = Self.q
        switch operation {
        case let op as AddColumn:
            _ = try await oldNames(op.table)
            let definition = Self.columnSQL(op.column)
            let constant = op.column.defaultExpression.map(SQLiteTableText.isConstant) ?? op.column.isNullable
            if op.up == nil, constant {
                try await execute("ALTER TABLE \(q(op.table)) ADD COLUMN \(definition)")
            } else {
                try await rebuild(op.table) { text, copies, rebuild in
                    text.appendColumn(definition, named: op.column.name)
                    if let up = op.up { copies.append((op.column.name, "(\(up))")) }
                }
            }
        case let op as DropColumn:
            let text = try await tableText(op.table)
            guard let column = text.column(op.column) else { throw Self.refusal("table \"\(op.table)\" has no column \"\(op.column)\"") }
            if text.isMentionedElsewhere(op.column) {
                throw Self.refusal(
                    "a table constraint or generated column of \"\(op.table)\" reads \"\(op.column)\"",
                    hint: "drop that constraint first (drop_constraint), in this migration or an earlier one")
            }
            let words = Set(SQLiteTableText.words(column.text))
            if words.contains("PRIMARY") || words.contains("UNIQUE") || words.contains("REFERENCES") {
                // ALTER TABLE … DROP COLUMN refuses these columns (https://www.sqlite.org/lang_altertable.html#altertabdropcol).
                try await rebuild(op.table) { text, _, _ in text.removeColumn(op.column) }
            } else {
                try await execute("ALTER TABLE \(q(op.table)) DROP COLUMN \(q(op.column))")
            }
            before[op.table.lowercased()]?.columns[op.column.lowercased()] = nil
        case let op as RenameColumn:
            try await renameColumn(op.table, op.from, to: op.to)
        case let op as RenameTable:
            let names = try await oldNames(op.from)
            try await execute("ALTER TABLE \(q(op.from)) RENAME TO \(q(op.to))")
            before[op.from.lowercased()] = nil
            before[op.to.lowercased()] = names
        case let op as AlterColumn:
            // The rules join the rebuilt table naming the column as it is now; the rename after
            // the rebuild renames it in them too (https://www.sqlite.org/lang_altertable.html#altertabrenamecol).
            let rules = try Self.rules(of: op)
            if op.type != nil || op.isNullable != nil || op.defaultExpression != nil || !rules.isEmpty {
                try await rebuild(op.table) { text, copies, rebuild in
                    guard let column = text.column(op.column) else { return }
                    text.replaceColumn(op.column, with: SQLiteTableText.changingColumn(
                        column.text, type: op.type, isNullable: op.isNullable, defaultExpression: op.defaultExpression))
                    for rule in rules { text.appendConstraint(rule.text, named: rule.name) }
                    if let up = op.up, let index = copies.firstIndex(where: { $0.column.lowercased() == op.column.lowercased() }) {
                        copies[index].expression = "(\(up))"
                    }
                }
            }
            if let newName = op.newName, newName != op.column { try await renameColumn(op.table, op.column, to: newName) }
        case let op as CreateTable:
            let columns = op.columns.map(Self.columnSQL).joined(separator: ", ")
            try await execute("CREATE TABLE \(q(op.table)) (\(columns))")
            before[op.table.lowercased()] = (op.table, [:])
        case let op as DropTable:
            try await execute("DROP TABLE \(q(op.table))")
            before[op.table.lowercased()] = nil
        case let op as CreateIndex:
            try await execute("CREATE \(op.isUnique ? "UNIQUE " : "")INDEX \(q(op.index)) ON \(q(op.table)) (\(op.columns.map(q).joined(separator: ", ")))")
        case let op as DropIndex:
            try await execute("DROP INDEX IF EXISTS \(q(op.index))")
        case let op as AddConstraint:
            let columns = op.columns.map(q).joined(separator: ", ")
            let body: String =
                switch op.kind {
                case .check: "CHECK (\(op.check ?? "1"))"
                case .unique: "UNIQUE (\(columns))"
                case .foreignKey:
                    "FOREIGN KEY (\(columns)) REFERENCES \(q(op.references?.table ?? "")) (\((op.references?.columns ?? []).map(q).joined(separator: ", ")))"
                        + Self.onDelete(op.references?.onDelete)
                }
            try await rebuild(op.table) { text, _, _ in text.appendConstraint("CONSTRAINT \(q(op.constraint)) \(body)", named: op.constraint) }
        case let op as DropConstraint:
            var text = try await tableText(op.table)
            if text.removeConstraint(op.constraint) {
                try await rebuild(op.table) { text, _, _ in text.removeConstraint(op.constraint) }
            } else if try await !database.query(
                "SELECT 1 FROM main.sqlite_schema WHERE type = 'index' AND name = ?1 AND tbl_name = ?2", [.text(op.constraint), .text(op.table)]
            ).isEmpty {
                try await execute("DROP INDEX \(q(op.constraint))")
            } else {
                throw Self.refusal(
                    "table \"\(op.table)\" has no constraint named \"\(op.constraint)\"",
                    hint: "on SQLite a constraint has a name only when its CREATE TABLE says `CONSTRAINT \(op.constraint) …` (or it is a unique index of that name)")
            }
        case let op as CreateView:
            try await execute("CREATE VIEW \(q(op.view)) AS \(op.sql)")
        case let op as RawSQL:
            for statement in try SQLSplitter().split(op.up, startingLine: op.line, file: op.file) {
                try await execute(statement.sql)
            }
        case is ReplaceFunction:
            throw Self.refusal(
                "SQLite has no stored functions", hint: "keep this migration for PostgreSQL; on SQLite, register the function in the application (sqlite3_create_function)")
        case is CreateTrigger:
            throw Self.refusal(
                "a SQLite trigger runs statements, not a function: `create_trigger` (EXECUTE FUNCTION) cannot be expressed",
                hint: "write the trigger as an `sql` operation: CREATE TRIGGER … BEGIN … END")
        default:
            throw Self.refusal("\(type(of: operation).name) is not supported on SQLite in this version", hint: "write the change as a .sql migration")
        }
    }

    /// Checks what a rebuild with `PRAGMA foreign_keys` off may have broken: foreign keys
    /// (https://www.sqlite.org/pragma.html#pragma_foreign_key_check) and the views, each
    /// prepared again.
    func check() async throws {
        let dangling = try await database.query("PRAGMA foreign_key_check")
        if !dangling.isEmpty {
            let rows = dangling.prefix(5).map { row in
                "\(row.string("table") ?? "?") row \(row.int("rowid").map(String.init) ?? "?") → \(row.string("parent") ?? "?")"
            }
            throw CutoverError(
                .migrationFailed,
                "\(dangling.count) row\(dangling.count == 1 ? "" : "s") would break a foreign key: \(rows.joined(separator: "; "))\(dangling.count > 5 ? "; …" : "")",
                hint: "nothing was applied (the transaction was rolled back); fix those rows, or the migration, and run it again")
        }
        for view in try await database.query("SELECT name FROM main.sqlite_schema WHERE type = 'view'") {
            guard let name = view.string("name") else { continue }
            do {
                _ = try await database.query("SELECT * FROM \(Self.q(name)) LIMIT 0")
            } catch let error as CutoverError {
                throw CutoverError(
                    .migrationFailed, "view \"\(name)\" no longer works after the migration: \(error.message)",
                    hint: "nothing was applied; drop or recreate the view in the migration (an `sql` operation) before changing what it reads",
                    underlying: error)
            }
        }
    }

    // MARK: - Steps

    private func execute(_ sql: String) async throws {
        do {
            try await database.execute(sql)
        } catch var error as CutoverError {
            error.statement = error.statement ?? sql
            throw error
        }
    }

    private mutating func renameColumn(_ table: String, _ from: String, to: String) async throws {
        var names = try await oldNames(table)
        try await execute("ALTER TABLE \(Self.q(table)) RENAME COLUMN \(Self.q(from)) TO \(Self.q(to))")
        if let old = names.columns.removeValue(forKey: from.lowercased()) { names.columns[to.lowercased()] = old }
        before[table.lowercased()] = names
    }

    /// The table's `CREATE TABLE`, as stored.
    private func tableText(_ table: String) async throws -> SQLiteTableText {
        let rows = try await database.query("SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1", [.text(table)])
        guard let sql = rows.first?.string("sql") else { throw Self.refusal("table \"\(table)\" does not exist") }
        guard let text = SQLiteTableText(sql) else { throw Self.refusal("table \"\(table)\" cannot be rebuilt (a virtual table, or created by CREATE TABLE … AS)") }
        return text
    }

    /// The names before the migration of `table` and its columns (its own names when the
    /// migration has not changed it yet).
    private mutating func oldNames(_ table: String) async throws -> (table: String, columns: [String: String]) {
        if let known = before[table.lowercased()] { return known }
        let columns = try await tableText(table).columnNames
        let names = (table, Dictionary(columns.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first }))
        before[table.lowercased()] = names
        return names
    }

    /// Rebuilds `table`: `change` edits its definition and the copies (every kept column
    /// copied unchanged to start with).
    private mutating func rebuild(
        _ table: String, _ change: (inout SQLiteTableText, inout [(column: String, expression: String)], SQLiteRebuild) throws -> Void
    ) async throws {
        let text = try await tableText(table)
        let names = try await oldNames(table)
        let current = text.columnNames
        let objects = try await database.query(
            "SELECT sql FROM main.sqlite_schema WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name", [.text(table)])
        let info = try await database.query("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", [.text(table)])
        let withoutRowID = info.first?.int("wr") == 1
        // An INTEGER PRIMARY KEY is the rowid itself: copied as that column.
        let keys = try await database.query("SELECT type FROM pragma_table_info(?1) WHERE pk > 0", [.text(table)])
        let rowIDAlias = keys.count == 1 && keys.first?.string("type")?.uppercased() == "INTEGER"
        var rebuild = SQLiteRebuild(
            table: table, definition: text, oldTableName: names.table,
            source: current.map { (current: $0, old: names.columns[$0.lowercased()]) }, copies: [],
            keepsRowID: !withoutRowID && !rowIDAlias && !current.contains { ["rowid", "oid", "_rowid_"].contains($0.lowercased()) },
            indexesAndTriggers: objects.compactMap { $0.string("sql") })
        var definition = text
        var copies = current.map { (column: $0, expression: rebuild.copy($0)) }
        try change(&definition, &copies, rebuild)
        // A column the change removed is not copied.
        let kept = Set(definition.columnNames.map { $0.lowercased() })
        rebuild.copies = copies.filter { kept.contains($0.column.lowercased()) }
        rebuild.definition = definition
        for statement in rebuild.statements { try await execute(statement) }
    }

    // MARK: - Text

    /// A column of `add_column` or `create_table` in SQLite's syntax.
    private static func columnSQL(_ column: ColumnDefinition) -> String {
        var text = "\(q(column.name)) \(column.type)"
        if column.isPrimaryKey { text += " PRIMARY KEY" }
        if !column.isNullable { text += " NOT NULL" }
        if let value = column.defaultExpression { text += " DEFAULT \(SQLiteTableText.defaultClause(value))" }
        return text
    }

    /// ` ON DELETE …`, or nothing for `NO ACTION`.
    private static func onDelete(_ action: Schema.ReferentialAction?) -> String {
        guard let action, action != .noAction else { return "" }
        return " ON DELETE \(action.rawValue)"
    }

    /// The table constraints of `alter_column`'s `check`, `unique` and `references`, naming the
    /// column by its name before the operation. The rebuild copies the rows through `up`, so
    /// an existing row that breaks a rule is converted, or fails the migration.
    private static func rules(of op: AlterColumn) throws -> [(name: String, text: String)] {
        var rules: [(name: String, text: String)] = []
        let column = q(op.column)
        if let check = op.check {
            guard let expression = SQLIdentifiers.renaming(op.newName ?? op.column, to: column, in: check.expression) else {
                throw refusal("the check \"\(check.name)\" cannot be read (dollar-quoted text)", hint: "write it with ordinary string literals")
            }
            rules.append((check.name, "CONSTRAINT \(q(check.name)) CHECK (\(expression))"))
        }
        if let unique = op.unique { rules.append((unique.name, "CONSTRAINT \(q(unique.name)) UNIQUE (\(column))")) }
        if let references = op.references {
            rules.append((
                references.name,
                "CONSTRAINT \(q(references.name)) FOREIGN KEY (\(column)) REFERENCES \(q(references.table)) (\(q(references.column)))\(onDelete(references.onDelete))"
            ))
        }
        return rules
    }

    /// An operation SQLite cannot do; the caller adds file and line.
    private static func refusal(_ message: String, hint: String? = nil) -> CutoverError {
        CutoverError(.invalidMigration, message, hint: hint)
    }
}
