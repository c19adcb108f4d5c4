/// The `CREATE TABLE` statement SQLite keeps in `sqlite_schema`, split into its elements (one
/// per column definition or table constraint, as written) so that a table rebuild
/// (https://www.sqlite.org/lang_altertable.html#otheralter) can change one element and keep
/// every other one as the user wrote it: collations, `AUTOINCREMENT`, named constraints,
/// `REFERENCES` clauses, `WITHOUT ROWID`, `STRICT`.
///
/// ```swift
/// var table = SQLiteTableText("CREATE TABLE t (id INTEGER PRIMARY KEY, price TEXT NOT NULL)")!
/// table.replaceColumn("price", with: SQLiteTableText.changingColumn(table.column("price")!.text, type: "INTEGER"))
/// table.rendered(named: "\"_cutover_new_t\"")
/// // CREATE TABLE "_cutover_new_t" (id INTEGER PRIMARY KEY, price INTEGER NOT NULL)
/// ```
package struct SQLiteTableText: Sendable {
    /// One column definition or table constraint of the statement.
    package struct Element: Sendable {
        /// The element as written.
        package var text: String
        /// The column it defines (unquoted); nil for a table constraint.
        package var columnName: String?
        /// The `CONSTRAINT name` of a table constraint (unquoted), when it has one.
        package var constraintName: String?
    }

    /// The elements in order.
    package var elements: [Element]
    /// What follows the closing parenthesis (` WITHOUT ROWID`, ` STRICT`), as written.
    package var options: String

    /// Splits `sql`; nil for `CREATE TABLE … AS SELECT` and virtual tables.
    package init?(_ sql: String) {
        let all = SQLiteSchemaText.tokens(sql)
        guard let tableKeyword = all.firstIndex(where: { $0.isKeyword("TABLE") }),
            !all[..<tableKeyword].contains(where: { $0.isKeyword("VIRTUAL") }),
            let open = all[tableKeyword...].firstIndex(where: { $0.text == "(" })
        else { return nil }
        let bytes = Array(sql.utf8)
        var depth = 0
        var element: [SQLiteSchemaText.Token] = []
        var groups: [[SQLiteSchemaText.Token]] = []
        var close: Int?
        for index in (open + 1)..<all.count {
            let token = all[index]
            if token.text == ")" && depth == 0 {
                close = index
                break
            }
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if token.text == "," && depth == 0 {
                groups.append(element)
                element = []
            } else {
                element.append(token)
            }
        }
        guard let close else { return nil }
        if !element.isEmpty { groups.append(element) }
        let constraintStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
        elements = groups.compactMap { tokens in
            guard let first = tokens.first, let last = tokens.last else { return nil }
            let text = String(decoding: bytes[first.range.lowerBound..<last.range.upperBound], as: UTF8.self)
            if first.kind == .word && constraintStarts.contains(first.text.uppercased()) {
                let name = first.isKeyword("CONSTRAINT") && tokens.count > 1 ? tokens[1].value : nil
                return Element(text: text, columnName: nil, constraintName: name)
            }
            return Element(text: text, columnName: first.value, constraintName: nil)
        }
        options = String(decoding: bytes[all[close].range.upperBound...], as: UTF8.self)
    }

    /// The statement again, under `quotedName`.
    package func rendered(named quotedName: String) -> String {
        "CREATE TABLE \(quotedName) (\n    " + elements.map(\.text).joined(separator: ",\n    ") + "\n)" + options
    }

    /// The column names, in order.
    package var columnNames: [String] { elements.compactMap(\.columnName) }

    /// The definition of column `name` (compared case-insensitively, as SQLite does).
    package func column(_ name: String) -> Element? {
        elements.first { $0.columnName?.lowercased() == name.lowercased() }
    }

    /// Replaces the definition of column `name`; false when there is no such column.
    @discardableResult
    package mutating func replaceColumn(_ name: String, with text: String) -> Bool {
        guard let index = elements.firstIndex(where: { $0.columnName?.lowercased() == name.lowercased() }) else { return false }
        elements[index].text = text
        return true
    }

    /// Removes column `name`; false when there is no such column.
    @discardableResult
    package mutating func removeColumn(_ name: String) -> Bool {
        guard let index = elements.firstIndex(where: { $0.columnName?.lowercased() == name.lowercased() }) else { return false }
        elements.remove(at: index)
        return true
    }

    /// Adds a column definition after the last column (table constraints follow columns).
    package mutating func appendColumn(_ text: String, named name: String) {
        let position = (elements.lastIndex { $0.columnName != nil }).map { $0 + 1 } ?? 0
        elements.insert(Element(text: text, columnName: name, constraintName: nil), at: position)
    }

    /// Adds a table constraint at the end.
    package mutating func appendConstraint(_ text: String, named name: String) {
        elements.append(Element(text: text, columnName: nil, constraintName: name))
    }

    /// Removes the table constraint `CONSTRAINT name …`; false when there is none.
    @discardableResult
    package mutating func removeConstraint(_ name: String) -> Bool {
        guard let index = elements.firstIndex(where: { $0.constraintName?.lowercased() == name.lowercased() }) else { return false }
        elements.remove(at: index)
        return true
    }

    /// Whether any element other than column `name`'s own definition mentions `name` (a table
    /// constraint or a generated column reading it): dropping the column would break it.
    package func isMentionedElsewhere(_ name: String) -> Bool {
        elements.contains { element in
            element.columnName?.lowercased() != name.lowercased()
                && SQLiteSchemaText.tokens(element.text).contains { ($0.kind == .word || $0.kind == .quoted) && $0.identifier == name.lowercased() }
        }
    }

    /// A column definition with its type, nullability or default changed, every other clause
    /// kept as written. nil leaves that part as it is.
    ///
    /// - Parameters:
    ///   - text: the column's definition (`price TEXT NOT NULL DEFAULT '0'`).
    ///   - type: the new declared type.
    ///   - isNullable: false adds `NOT NULL`, true removes it.
    ///   - defaultExpression: the new `DEFAULT` (an expression that is not a literal is
    ///     parenthesised, as SQLite requires).
    /// - Returns: the changed definition.
    package static func changingColumn(_ text: String, type: String? = nil, isNullable: Bool? = nil, defaultExpression: String? = nil) -> String {
        let tokens = SQLiteSchemaText.tokens(text)
        let bytes = Array(text.utf8)
        guard let name = tokens.first else { return text }
        let clauseStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"]
        var index = 1
        var depth = 0
        while index < tokens.count {
            let token = tokens[index]
            if depth == 0 && token.kind == .word && clauseStarts.contains(token.text.uppercased()) { break }
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            index += 1
        }
        func slice(_ from: Int, _ to: Int) -> String {
            from < to ? String(decoding: bytes[tokens[from].range.lowerBound..<tokens[to - 1].range.upperBound], as: UTF8.self) : ""
        }
        let oldType = slice(1, index)
        var kept: [String] = []
        var start = index
        /// Skips a parenthesised group starting at `at`; returns the index after it.
        func skipGroup(_ at: Int) -> Int {
            var depth = 0
            var position = at
            while position < tokens.count {
                if tokens[position].text == "(" { depth += 1 }
                if tokens[position].text == ")" {
                    depth -= 1
                    if depth == 0 { return position + 1 }
                }
                position += 1
            }
            return position
        }
        while index < tokens.count {
            let token = tokens[index]
            if isNullable != nil, token.isKeyword("NOT"), index + 1 < tokens.count, tokens[index + 1].isKeyword("NULL") {
                kept.append(slice(start, index))
                index += 2
                start = index
            } else if isNullable != nil, token.isKeyword("NULL") {
                kept.append(slice(start, index))
                index += 1
                start = index
            } else if defaultExpression != nil, token.isKeyword("DEFAULT"), index + 1 < tokens.count {
                kept.append(slice(start, index))
                var end = index + 1
                if tokens[end].text == "+" || tokens[end].text == "-" { end += 1 }
                end = end < tokens.count && tokens[end].text == "(" ? skipGroup(end) : end + 1
                index = end
                start = index
            } else if token.text == "(" {
                index = skipGroup(index)
            } else {
                index += 1
            }
        }
        kept.append(slice(start, tokens.count))
        var parts = [name.text]
        let newType = type ?? oldType
        if !newType.isEmpty { parts.append(newType) }
        parts += kept.filter { !$0.isEmpty }
        if isNullable == false { parts.append("NOT NULL") }
        if let defaultExpression { parts.append("DEFAULT \(defaultClause(defaultExpression))") }
        return parts.joined(separator: " ")
    }

    /// `expression` as a column's `DEFAULT`: a literal as it is, anything else in parentheses
    /// (https://www.sqlite.org/lang_createtable.html#the_default_clause).
    package static func defaultClause(_ expression: String) -> String {
        isConstant(expression) ? expression : "(\(expression))"
    }

    /// Whether `expression` is a literal `ALTER TABLE … ADD COLUMN` accepts as a default: a
    /// number, a string, a blob, `NULL`, `TRUE`/`FALSE`, with an optional sign; not
    /// `CURRENT_TIME`/`CURRENT_DATE`/`CURRENT_TIMESTAMP` nor an expression
    /// (https://www.sqlite.org/lang_altertable.html#altertabaddcol).
    package static func isConstant(_ expression: String) -> Bool {
        var tokens = SQLiteSchemaText.tokens(expression)
        if tokens.count == 2, tokens[0].text == "+" || tokens[0].text == "-", tokens[1].kind == .number { tokens.removeFirst() }
        guard tokens.count == 1, let only = tokens.first else { return false }
        switch only.kind {
        case .number, .string, .blob: return true
        case .word: return ["NULL", "TRUE", "FALSE"].contains(only.text.uppercased())
        default: return false
        }
    }
}

extension SQLiteTableText {
    /// The words (keywords and bare names) of `sql`, upper-cased.
    package static func words(_ sql: String) -> [String] {
        SQLiteSchemaText.tokens(sql).filter { $0.kind == .word }.map { $0.text.uppercased() }
    }
}
