/// Reads the SQL text SQLite keeps in `sqlite_schema`: what the pragmas do not tell
/// (column collations, generated-column expressions, check constraints, `AUTOINCREMENT`,
/// the text of one column's definition) and a normal form for comparing statements.
///
/// SQLite stores `CREATE` statements as they were written
/// (https://www.sqlite.org/schematab.html), so two equal schemas can differ in
/// whitespace, case and quoting; ``normalized(_:)`` removes those differences.
package enum SQLiteSchemaText {
    /// One token of a stored statement, read by ``SQLLexer`` with SQLite's rules.
    struct Token: Sendable {
        enum Kind: Sendable { case word, quoted, string, number, punctuation, blob }
        var kind: Kind
        /// The token as written.
        var text: String
        /// A quoted name without its quotes; ``text`` for every other token.
        var value: String
        var range: Range<Int>

        /// The identifier or keyword this token spells (unquoted), lower-cased.
        var identifier: String {
            switch kind {
            case .quoted: value.lowercased()
            default: text.lowercased()
            }
        }

        /// Keywords compare case-insensitively.
        func isKeyword(_ keyword: String) -> Bool { kind == .word && text.uppercased() == keyword }
    }

    /// The tokens of `sql` without whitespace and comments.
    static func tokens(_ sql: String) -> [Token] {
        var lexer = SQLLexer(sql, configuration: .sqlite)
        var tokens: [Token] = []
        while let token = lexer.next() {
            let kind: Token.Kind
            switch token.kind {
            case .whitespace, .lineComment, .blockComment: continue
            // A `$name` parameter has no place in a schema; it reads as a name.
            case .word, .parameter: kind = .word
            case .quotedIdentifier: kind = .quoted
            case .string: kind = token.quote == .hex ? .blob : .string
            case .number: kind = .number
            case .operator, .punctuation: kind = .punctuation
            }
            let text = lexer.text(of: token)
            tokens.append(Token(kind: kind, text: text, value: kind == .quoted ? lexer.value(of: token) : text, range: token.range))
        }
        return tokens
    }

    /// `sql` in a normal form: tokens separated by one space, keywords and identifiers in
    /// lower case and unquoted, string literals kept as written.
    ///
    /// ```swift
    /// SQLiteSchemaText.normalized("CREATE INDEX \"i\" ON t(a)") == SQLiteSchemaText.normalized("create index i on T ( a )")  // true
    /// ```
    package static func normalized(_ sql: String) -> String {
        tokens(sql).map(normalForm).joined(separator: " ")
    }

    private static func normalForm(_ token: Token) -> String {
        switch token.kind {
        case .word, .quoted: token.identifier
        case .string, .number, .punctuation, .blob: token.text
        }
    }

    /// A `CREATE TABLE` statement in normal form with the leading clause (`TEMP`, `IF NOT
    /// EXISTS`, the name) reduced to `create table`, so that a table rebuilt under another
    /// name and renamed back compares equal.
    static func normalizedTableDefinition(_ sql: String) -> String {
        let all = tokens(sql)
        guard let open = all.firstIndex(where: { $0.text == "(" }) else { return normalized(sql) }
        return (["create table"] + all[open...].map(normalForm)).joined(separator: " ")
    }

    // MARK: - CREATE TABLE

    /// What a `CREATE TABLE` statement says beyond the pragmas.
    package struct TableDefinition: Sendable {
        /// One column definition.
        package struct ColumnDefinition: Sendable {
            /// The column's name, unquoted.
            package var name: String
            /// The column's definition as written (`email TEXT NOT NULL COLLATE NOCASE`).
            package var text: String
            /// `COLLATE name`, unquoted.
            package var collation: String?
            /// The expression of `GENERATED ALWAYS AS ( … )` / `AS ( … )`.
            package var generated: String?
            /// `PRIMARY KEY … AUTOINCREMENT`.
            package var isPrimaryKeyAutoincrement = false
            /// The column's `CHECK ( … )` expressions.
            package var checks: [String] = []
        }

        /// The column definitions, in order.
        package var columns: [ColumnDefinition] = []
        /// Check expressions (column and table level), as written.
        package var checks: [String] = []
        /// Whether a column is `AUTOINCREMENT`.
        package var hasAutoincrement: Bool { columns.contains { $0.isPrimaryKeyAutoincrement } }
        /// `WITHOUT ROWID`.
        package var isWithoutRowID = false
        /// `STRICT`.
        package var isStrict = false
        /// The byte range of the table's name (schema-qualified names included).
        var nameRange: Range<Int>?
    }

    /// Parses a `CREATE TABLE … ( … ) [WITHOUT ROWID] [, STRICT]` statement.
    ///
    /// ```swift
    /// let table = SQLiteSchemaText.parseTable("CREATE TABLE t (a TEXT COLLATE NOCASE CHECK (a <> ''))")
    /// table?.columns.first?.collation   // "NOCASE"
    /// ```
    ///
    /// - Parameter sql: the statement as stored in `sqlite_schema`.
    /// - Returns: what it declares; nil for `CREATE TABLE … AS SELECT` and `CREATE VIRTUAL TABLE`.
    package static func parseTable(_ sql: String) -> TableDefinition? {
        let all = tokens(sql)
        guard let tableKeyword = all.firstIndex(where: { $0.isKeyword("TABLE") }),
            !all[..<tableKeyword].contains(where: { $0.isKeyword("VIRTUAL") }),
            let open = all[tableKeyword...].firstIndex(where: { $0.text == "(" })
        else { return nil }
        var definition = TableDefinition()
        var nameStart = tableKeyword + 1
        if nameStart + 2 < open, all[nameStart].isKeyword("IF") { nameStart += 3 }
        if nameStart < open { definition.nameRange = all[nameStart].range.lowerBound..<all[open - 1].range.upperBound }
        let bytes = Array(sql.utf8)
        // Split the body on top-level commas.
        var depth = 0
        var element: [Token] = []
        var elements: [[Token]] = []
        var close = all.count
        for index in (open + 1)..<all.count {
            let token = all[index]
            if token.text == "(" { depth += 1 }
            if token.text == ")" {
                if depth == 0 {
                    close = index
                    break
                }
                depth -= 1
            }
            if token.text == "," && depth == 0 {
                elements.append(element)
                element = []
            } else {
                element.append(token)
            }
        }
        if !element.isEmpty { elements.append(element) }
        for option in all[min(close + 1, all.count)...] {
            if option.isKeyword("ROWID") { definition.isWithoutRowID = true }
            if option.isKeyword("STRICT") { definition.isStrict = true }
        }
        let tableConstraintStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
        for tokens in elements {
            guard let first = tokens.first, let last = tokens.last else { continue }
            let text = String(decoding: bytes[first.range.lowerBound..<last.range.upperBound], as: UTF8.self)
            if first.kind == .word && tableConstraintStarts.contains(first.text.uppercased()) {
                definition.checks += checks(in: tokens, bytes: bytes)
                continue
            }
            var column = TableDefinition.ColumnDefinition(name: first.value, text: text)
            var index = 1
            while index < tokens.count {
                let token = tokens[index]
                if token.isKeyword("COLLATE"), index + 1 < tokens.count {
                    column.collation = tokens[index + 1].value
                    index += 2
                    continue
                }
                if token.isKeyword("AS"), index + 1 < tokens.count, tokens[index + 1].text == "(" {
                    if let (expression, end) = parenthesised(tokens, from: index + 1, bytes: bytes) {
                        column.generated = expression
                        index = end + 1
                        continue
                    }
                }
                if token.isKeyword("AUTOINCREMENT") { column.isPrimaryKeyAutoincrement = true }
                index += 1
            }
            column.checks = checks(in: tokens, bytes: bytes)
            definition.checks += column.checks
            definition.columns.append(column)
        }
        return definition
    }

    /// The expressions of `CHECK ( … )` clauses among `tokens`, as written.
    private static func checks(in tokens: [Token], bytes: [UInt8]) -> [String] {
        var found: [String] = []
        var index = 0
        while index < tokens.count {
            if tokens[index].isKeyword("CHECK"), index + 1 < tokens.count, tokens[index + 1].text == "(",
                let (expression, end) = parenthesised(tokens, from: index + 1, bytes: bytes)
            {
                found.append(expression)
                index = end + 1
                continue
            }
            index += 1
        }
        return found
    }

    /// The text between the parenthesis at `open` and its match, and the match's index.
    private static func parenthesised(_ tokens: [Token], from open: Int, bytes: [UInt8]) -> (String, Int)? {
        var depth = 0
        for index in open..<tokens.count {
            if tokens[index].text == "(" { depth += 1 }
            if tokens[index].text == ")" {
                depth -= 1
                if depth == 0 {
                    guard index > open + 1 else { return ("", index) }
                    let range = tokens[open + 1].range.lowerBound..<tokens[index - 1].range.upperBound
                    return (String(decoding: bytes[range], as: UTF8.self), index)
                }
            }
        }
        return nil
    }

    /// `CREATE TABLE` text with the table's name replaced by `newName` (already quoted).
    static func renamingTable(_ sql: String, to newName: String) -> String? {
        guard let range = parseTable(sql)?.nameRange else { return nil }
        var bytes = Array(sql.utf8)
        bytes.replaceSubrange(range, with: Array(newName.utf8))
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - CREATE INDEX

    /// The key columns (or expressions), `WHERE` predicate and uniqueness of a `CREATE
    /// INDEX` statement.
    ///
    /// ```swift
    /// SQLiteSchemaText.parseIndex("CREATE UNIQUE INDEX i ON t (lower(a), b) WHERE b > 0")
    /// // (columns: ["lower(a)", "b"], predicate: "b > 0", isUnique: true)
    /// ```
    ///
    /// - Parameter sql: the statement as stored in `sqlite_schema`.
    /// - Returns: the parts; empty columns when the text is not a `CREATE INDEX`.
    package static func parseIndex(_ sql: String) -> (columns: [String], predicate: String?, isUnique: Bool) {
        let all = tokens(sql)
        let bytes = Array(sql.utf8)
        let isUnique = all.prefix(3).contains { $0.isKeyword("UNIQUE") }
        guard let on = all.firstIndex(where: { $0.isKeyword("ON") }),
            let open = all[on...].firstIndex(where: { $0.text == "(" })
        else { return ([], nil, isUnique) }
        var columns: [String] = []
        var depth = 0
        var start = open + 1
        var close = all.count
        func slice(_ from: Int, _ to: Int) -> String {
            guard from < to else { return "" }
            return String(decoding: bytes[all[from].range.lowerBound..<all[to - 1].range.upperBound], as: UTF8.self)
        }
        for index in (open + 1)..<all.count {
            if all[index].text == "(" { depth += 1 }
            if all[index].text == ")" {
                if depth == 0 {
                    close = index
                    break
                }
                depth -= 1
            }
            if all[index].text == "," && depth == 0 {
                columns.append(slice(start, index))
                start = index + 1
            }
        }
        columns.append(slice(start, close))
        var predicate: String?
        if close + 1 < all.count, all[close + 1].isKeyword("WHERE") {
            predicate = slice(close + 2, all.count)
        }
        return (columns, predicate, isUnique)
    }
}
