/// Recognises the statement shapes the lint rules look at, from tokens.
///
/// It is not a SQL parser: it reads the leading keywords of `CREATE TABLE`, `CREATE INDEX`,
/// `DROP INDEX|TABLE`, `ALTER TABLE` (every comma-separated action), `TRUNCATE`, `LOCK`,
/// `REINDEX`, `CREATE TRIGGER`, `VACUUM FULL`, `CLUSTER`, `SET`/`RESET` and
/// `SELECT set_config(…)`, following the grammar in PostgreSQL's reference pages, and
/// returns ``LintStatement/other`` for everything else. Unrecognised statements produce no
/// findings; recognition never fails.
struct LintRecognizer {
    /// The database's lexical rules.
    var lexerConfiguration = SQLLexer.Configuration.postgres
    /// Whether quoted names compare case-insensitively (SQLite).
    var foldsQuotedIdentifiers = false

    func recognize(_ sql: String) -> LintStatement {
        var cursor = LintCursor(
            tokens: LintToken.tokens(in: sql, configuration: lexerConfiguration, foldsQuotedIdentifiers: foldsQuotedIdentifiers))
        return Self.statement(&cursor)
    }

    static func statement(_ cursor: inout LintCursor) -> LintStatement {
        guard let first = cursor.peek(), first.kind == .word else { return .other }
        cursor.index += 1
        switch first.text {
        case "CREATE": return create(&cursor)
        case "DROP": return drop(&cursor)
        case "ALTER": return cursor.accept("TABLE") ? alterTable(&cursor) : .other
        case "TRUNCATE":
            cursor.accept("TABLE")
            return .lockTables(tableList(&cursor), .accessExclusive)
        case "LOCK": return lock(&cursor)
        case "REINDEX": return reindex(&cursor)
        case "VACUUM": return vacuum(&cursor)
        case "CLUSTER":
            // CLUSTER rewrites the table under ACCESS EXCLUSIVE
            // (https://www.postgresql.org/docs/current/sql-cluster.html).
            cursor.accept("VERBOSE")
            return cursor.qualifiedName().map { .lockTables([$0], .accessExclusive) } ?? .other
        case "SET": return set(&cursor)
        case "RESET":
            return cursor.identifier().map { .setting(.init(name: $0, value: nil, isLocal: false)) } ?? .other
        case "SELECT": return setConfig(&cursor)
        default: return .other
        }
    }

    // MARK: - CREATE

    private static func create(_ cursor: inout LintCursor) -> LintStatement {
        cursor.accept("OR", "REPLACE")
        _ = cursor.acceptAny(["GLOBAL", "LOCAL"])
        _ = cursor.acceptAny(["TEMP", "TEMPORARY", "UNLOGGED"])
        if cursor.accept("TABLE") { return createTable(&cursor) }
        if cursor.accept("CONSTRAINT", "TRIGGER") || cursor.accept("TRIGGER") { return createTrigger(&cursor) }
        let isUnique = cursor.accept("UNIQUE")
        guard cursor.accept("INDEX") else { return .other }
        let isConcurrent = cursor.accept("CONCURRENTLY")
        cursor.accept("IF", "NOT", "EXISTS")
        var name: LintTableName?
        if !cursor.isAt("ON") { name = cursor.qualifiedName() }
        guard cursor.accept("ON") else { return .other }
        let isOnly = cursor.accept("ONLY")
        guard let table = cursor.qualifiedName() else { return .other }
        return .createIndex(.init(name: name, table: table, isUnique: isUnique, isConcurrent: isConcurrent, isOnlyParent: isOnly))
    }

    private static func createTable(_ cursor: inout LintCursor) -> LintStatement {
        cursor.accept("IF", "NOT", "EXISTS")
        guard let name = cursor.qualifiedName() else { return .other }
        var columns: [LintStatement.ColumnDefinition] = []
        var referenced: [LintTableName] = []
        if let body = cursor.parenthesized() {
            for part in cursor.sub(body).topLevelParts() {
                var element = cursor.sub(part)
                if let keyword = element.peek(), keyword.kind == .word, tableConstraintKeywords.contains(keyword.text) {
                    referenced += references(in: element)
                } else if let column = columnDefinition(&element) {
                    columns.append(column)
                    if let target = column.references { referenced.append(target) }
                }
            }
        }
        return .createTable(.init(name: name, columns: columns, referencedTables: referenced))
    }

    /// `CREATE TRIGGER … ON table`: SHARE ROW EXCLUSIVE on the table
    /// (https://www.postgresql.org/docs/current/sql-createtrigger.html).
    private static func createTrigger(_ cursor: inout LintCursor) -> LintStatement {
        while !cursor.isAtEnd, !cursor.isAt("ON") { cursor.index += 1 }
        guard cursor.accept("ON"), let table = cursor.qualifiedName() else { return .other }
        return .lockTables([table], .shareRowExclusive)
    }

    static let tableConstraintKeywords: Set<String> = ["CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "FOREIGN", "EXCLUDE", "LIKE"]

    /// Every `REFERENCES table` in the rest of the cursor.
    private static func references(in cursor: LintCursor) -> [LintTableName] {
        var cursor = cursor
        var result: [LintTableName] = []
        while !cursor.isAtEnd {
            if cursor.accept("REFERENCES"), let table = cursor.qualifiedName() {
                result.append(table)
            } else {
                cursor.index += 1
            }
        }
        return result
    }

    // MARK: - DROP, TRUNCATE, LOCK, REINDEX, VACUUM

    private static func drop(_ cursor: inout LintCursor) -> LintStatement {
        if cursor.accept("INDEX") {
            let isConcurrent = cursor.accept("CONCURRENTLY")
            cursor.accept("IF", "EXISTS")
            let names = tableList(&cursor)
            return names.isEmpty ? .other : .dropIndex(.init(names: names, isConcurrent: isConcurrent))
        }
        if cursor.accept("TABLE") {
            cursor.accept("IF", "EXISTS")
            let names = tableList(&cursor)
            return names.isEmpty ? .other : .dropTable(names)
        }
        return .other
    }

    /// `[ONLY] name [*] [, …]`.
    private static func tableList(_ cursor: inout LintCursor) -> [LintTableName] {
        var names: [LintTableName] = []
        repeat {
            cursor.accept("ONLY")
            guard let name = cursor.qualifiedName() else { break }
            names.append(name)
            cursor.acceptSymbol("*")
        } while cursor.acceptSymbol(",")
        return names
    }

    /// `LOCK [TABLE] [ONLY] name [, …] [IN mode MODE] [NOWAIT]`; ACCESS EXCLUSIVE unless a
    /// mode is given (https://www.postgresql.org/docs/current/sql-lock.html).
    private static func lock(_ cursor: inout LintCursor) -> LintStatement {
        cursor.accept("TABLE")
        let names = tableList(&cursor)
        var mode = LintLockMode.accessExclusive
        if cursor.accept("IN") {
            var words: [String] = []
            while let token = cursor.peek(), token.kind == .word, !token.isKeyword("MODE") {
                words.append(token.text)
                cursor.index += 1
            }
            mode = LintLockMode(words: words) ?? .accessExclusive
        }
        return names.isEmpty ? .other : .lockTables(names, mode)
    }

    /// `REINDEX [(options)] INDEX|TABLE [CONCURRENTLY] name`
    /// (https://www.postgresql.org/docs/current/sql-reindex.html).
    private static func reindex(_ cursor: inout LintCursor) -> LintStatement {
        var concurrent = false
        if let options = cursor.parenthesized() {
            concurrent = cursor.sub(options).containsAtTopLevel("CONCURRENTLY")
        }
        guard let kind = cursor.acceptAny(["INDEX", "TABLE"]) else { return .other }
        concurrent = cursor.accept("CONCURRENTLY") || concurrent
        guard !concurrent, let name = cursor.qualifiedName() else { return .other }
        return kind == "TABLE" ? .reindex(table: name, index: nil) : .reindex(table: nil, index: name)
    }

    /// `VACUUM FULL table` rewrites it under ACCESS EXCLUSIVE
    /// (https://www.postgresql.org/docs/current/sql-vacuum.html).
    private static func vacuum(_ cursor: inout LintCursor) -> LintStatement {
        var full = false
        if let options = cursor.parenthesized() {
            let inner = cursor.sub(options)
            full = inner.containsAtTopLevel("FULL") && !inner.containsAtTopLevel("FULL", "FALSE") && !inner.containsAtTopLevel("FULL", "OFF")
        }
        while let word = cursor.acceptAny(["FULL", "FREEZE", "VERBOSE", "ANALYZE"]) {
            if word == "FULL" { full = true }
        }
        guard full else { return .other }
        let names = tableList(&cursor)
        return names.isEmpty ? .other : .lockTables(names, .accessExclusive)
    }

    // MARK: - SET, RESET, set_config

    /// `SET [SESSION|LOCAL] name {TO|=} value` and `SET … TIME ZONE value`
    /// (https://www.postgresql.org/docs/current/sql-set.html).
    private static func set(_ cursor: inout LintCursor) -> LintStatement {
        let isLocal = cursor.acceptAny(["SESSION", "LOCAL"]) == "LOCAL"
        let name: String
        if cursor.accept("TIME", "ZONE") {
            name = "timezone"
        } else {
            guard let parameter = cursor.identifier() else { return .other }
            name = parameter
            guard cursor.accept("TO") || cursor.acceptSymbol("=") else { return .other }
        }
        if cursor.isAt("DEFAULT") || cursor.isAt("LOCAL") && name == "timezone" {
            return .setting(.init(name: name, value: nil, isLocal: isLocal))
        }
        var value = ""
        while let token = cursor.peek() {
            value += token.text
            cursor.index += 1
        }
        return .setting(.init(name: name, value: value, isLocal: isLocal))
    }

    /// `SELECT [pg_catalog.]set_config('name', 'value', is_local)`
    /// (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SET).
    private static func setConfig(_ cursor: inout LintCursor) -> LintStatement {
        if cursor.peek(1)?.isSymbol(".") == true, cursor.peek()?.identifier == "pg_catalog" { cursor.index += 2 }
        guard cursor.peek()?.identifier == "set_config", cursor.peek(1)?.isSymbol("(") == true else { return .other }
        cursor.index += 1
        guard let arguments = cursor.parenthesized() else { return .other }
        let parts = cursor.sub(arguments).topLevelParts()
        guard parts.count == 3, parts.allSatisfy({ $0.count == 1 }),
            cursor.tokens[parts[0].lowerBound].kind == .string, cursor.tokens[parts[1].lowerBound].kind == .string
        else { return .other }
        let local = cursor.tokens[parts[2].lowerBound]
        return .setting(
            .init(
                name: cursor.tokens[parts[0].lowerBound].text.lowercased(), value: cursor.tokens[parts[1].lowerBound].text,
                isLocal: !(local.isKeyword("FALSE") || local.text.lowercased() == "false" || local.text == "f")))
    }
}
