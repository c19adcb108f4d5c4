// MARK: - ALTER TABLE

extension LintRecognizer {
    /// `ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, …]`
    /// (https://www.postgresql.org/docs/current/sql-altertable.html).
    static func alterTable(_ cursor: inout LintCursor) -> LintStatement {
        cursor.accept("IF", "EXISTS")
        cursor.accept("ONLY")
        guard !cursor.isAt("ALL", "IN"), let table = cursor.qualifiedName() else { return .other }
        cursor.acceptSymbol("*")
        let actions = cursor.topLevelParts().map { part -> LintStatement.Action in
            var action = cursor.sub(part)
            return self.action(&action)
        }
        return actions.isEmpty ? .other : .alterTable(.init(table: table, actions: actions))
    }

    /// One action. Locks are the ones the ALTER TABLE page lists: "An ACCESS EXCLUSIVE lock
    /// is acquired unless explicitly noted."
    private static func action(_ cursor: inout LintCursor) -> LintStatement.Action {
        guard let keyword = cursor.peek(), keyword.kind == .word else { return .other(keyword: "?", lock: .accessExclusive) }
        cursor.index += 1
        switch keyword.text {
        case "ADD":
            if let next = cursor.peek(), next.kind == .word, tableConstraintKeywords.contains(next.text), next.text != "LIKE" {
                return .addConstraint(tableConstraint(&cursor))
            }
            cursor.accept("COLUMN")
            cursor.accept("IF", "NOT", "EXISTS")
            return columnDefinition(&cursor).map { .addColumn($0) } ?? .other(keyword: "ADD", lock: .accessExclusive)
        case "DROP":
            if cursor.accept("CONSTRAINT") {
                cursor.accept("IF", "EXISTS")
                return .dropConstraint(cursor.identifier() ?? "")
            }
            cursor.accept("COLUMN")
            cursor.accept("IF", "EXISTS")
            return cursor.identifier().map { .dropColumn($0) } ?? .other(keyword: "DROP", lock: .accessExclusive)
        case "ALTER":
            if cursor.accept("CONSTRAINT") { return .other(keyword: "ALTER CONSTRAINT", lock: .accessExclusive) }
            cursor.accept("COLUMN")
            guard let column = cursor.identifier() else { return .other(keyword: "ALTER", lock: .accessExclusive) }
            return alterColumn(column, &cursor)
        case "RENAME":
            if cursor.accept("TO") {
                return cursor.qualifiedName().map { .renameTable(to: $0) } ?? .other(keyword: "RENAME", lock: .accessExclusive)
            }
            if cursor.accept("CONSTRAINT") { return .other(keyword: "RENAME CONSTRAINT", lock: .accessExclusive) }
            cursor.accept("COLUMN")
            guard let from = cursor.identifier(), cursor.accept("TO"), let to = cursor.identifier() else {
                return .other(keyword: "RENAME", lock: .accessExclusive)
            }
            return .renameColumn(from: from, to: to)
        case "VALIDATE":
            guard cursor.accept("CONSTRAINT"), let name = cursor.identifier() else {
                return .other(keyword: "VALIDATE", lock: .shareUpdateExclusive)
            }
            return .validateConstraint(name)
        case "SET":
            // Storage parameters such as fillfactor and autovacuum settings, and SET WITHOUT
            // CLUSTER, take SHARE UPDATE EXCLUSIVE; SET SCHEMA, TABLESPACE, LOGGED,
            // UNLOGGED and ACCESS METHOD take ACCESS EXCLUSIVE (and the last four rewrite).
            if cursor.peek()?.isSymbol("(") == true || cursor.isAt("WITHOUT", "CLUSTER") {
                return .other(keyword: "SET", lock: .shareUpdateExclusive)
            }
            return .other(keyword: "SET", lock: .accessExclusive)
        case "RESET", "CLUSTER":
            return .other(keyword: keyword.text, lock: .shareUpdateExclusive)
        case "ENABLE", "DISABLE":
            // ENABLE/DISABLE TRIGGER take SHARE ROW EXCLUSIVE.
            return .other(keyword: keyword.text, lock: cursor.isAt("TRIGGER") ? .shareRowExclusive : .accessExclusive)
        case "ATTACH":
            // ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent (PostgreSQL 12+).
            return .other(keyword: "ATTACH", lock: .shareUpdateExclusive)
        case "DETACH":
            return .other(
                keyword: "DETACH",
                lock: cursor.containsAtTopLevel("CONCURRENTLY") || cursor.containsAtTopLevel("FINALIZE") ? .shareUpdateExclusive : .accessExclusive)
        default:
            return .other(keyword: keyword.text, lock: .accessExclusive)
        }
    }

    /// `ALTER [COLUMN] name …` after the column name.
    private static func alterColumn(_ column: String, _ cursor: inout LintCursor) -> LintStatement.Action {
        if cursor.accept("SET", "DATA", "TYPE") || cursor.accept("TYPE") {
            guard let type = typeName(&cursor) else { return .other(keyword: "ALTER COLUMN TYPE", lock: .accessExclusive) }
            return .alterColumnType(column: column, type: type, hasUsing: cursor.containsAtTopLevel("USING"))
        }
        if cursor.accept("SET", "NOT", "NULL") { return .setNotNull(column: column) }
        // SET STATISTICS and SET/RESET (attribute options) take SHARE UPDATE EXCLUSIVE.
        if cursor.isAt("SET", "STATISTICS") || cursor.isAt("RESET") || (cursor.isAt("SET") && cursor.peek(1)?.isSymbol("(") == true) {
            return .other(keyword: "ALTER COLUMN SET", lock: .shareUpdateExclusive)
        }
        return .other(keyword: "ALTER COLUMN", lock: .accessExclusive)
    }

    // MARK: - Constraints

    /// `[CONSTRAINT name] CHECK (…) | UNIQUE … | PRIMARY KEY … | FOREIGN KEY … | EXCLUDE …`,
    /// with `NOT VALID` anywhere after it.
    private static func tableConstraint(_ cursor: inout LintCursor) -> LintStatement.TableConstraint {
        var name: String?
        if cursor.accept("CONSTRAINT") { name = cursor.identifier() }
        let kind: LintStatement.TableConstraint.Kind
        if cursor.accept("CHECK") {
            var column: String?
            if let expression = cursor.parenthesized() {
                // `CHECK (col IS NOT NULL)`, the constraint SET NOT NULL can use on PG 12+.
                var inner = cursor.sub(expression)
                if let identifier = inner.identifier(), inner.accept("IS", "NOT", "NULL"), inner.isAtEnd { column = identifier }
            }
            kind = .check(notNullColumn: column)
        } else if cursor.accept("UNIQUE") {
            cursor.accept("NULLS", "NOT", "DISTINCT")
            cursor.accept("NULLS", "DISTINCT")
            kind = .unique(usingIndex: cursor.isAt("USING", "INDEX") && !cursor.isAt("USING", "INDEX", "TABLESPACE"))
        } else if cursor.accept("PRIMARY", "KEY") {
            kind = .primaryKey(usingIndex: cursor.isAt("USING", "INDEX") && !cursor.isAt("USING", "INDEX", "TABLESPACE"))
        } else if cursor.accept("FOREIGN", "KEY") {
            _ = cursor.parenthesized()
            kind = .foreignKey(references: cursor.accept("REFERENCES") ? cursor.qualifiedName() : nil)
        } else {
            kind = .exclude
        }
        return .init(name: name, kind: kind, isNotValid: cursor.containsAtTopLevel("NOT", "VALID"))
    }

    // MARK: - Columns and types

    /// Words that end a column's type or a DEFAULT expression: the column constraints
    /// (https://www.postgresql.org/docs/current/sql-createtable.html).
    static let columnConstraintKeywords: Set<String> = [
        "CONSTRAINT", "NOT", "NULL", "DEFAULT", "CHECK", "UNIQUE", "PRIMARY", "REFERENCES", "GENERATED", "COLLATE",
        "DEFERRABLE", "INITIALLY", "COMPRESSION", "STORAGE", "USING", "AS",
    ]

    /// `name [type] [constraint …]`.
    static func columnDefinition(_ cursor: inout LintCursor) -> LintStatement.ColumnDefinition? {
        guard let name = cursor.identifier() else { return nil }
        var column = LintStatement.ColumnDefinition(name: name)
        column.type = typeName(&cursor)
        while let token = cursor.peek() {
            guard token.kind == .word else {
                cursor.index += 1
                continue
            }
            cursor.index += 1
            switch token.text {
            case "CONSTRAINT":
                _ = cursor.identifier()
            case "NOT":
                if cursor.accept("NULL") { column.isNotNull = true }
            case "DEFAULT":
                column.defaultExpression = defaultExpression(&cursor)
            case "CHECK":
                column.hasCheck = true
                _ = cursor.parenthesized()
            case "UNIQUE":
                column.isUnique = true
            case "PRIMARY":
                if cursor.accept("KEY") {
                    column.isPrimaryKey = true
                    column.isNotNull = true
                }
            case "REFERENCES":
                column.references = cursor.qualifiedName()
                _ = cursor.parenthesized()
            case "GENERATED", "AS":
                // GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY, or [GENERATED ALWAYS] AS (expr) [STORED | VIRTUAL].
                _ = cursor.acceptAny(["ALWAYS"])
                cursor.accept("BY", "DEFAULT")
                cursor.accept("AS")
                if cursor.accept("IDENTITY") {
                    column.isIdentity = true
                    _ = cursor.parenthesized()
                } else {
                    _ = cursor.parenthesized()
                    if cursor.accept("STORED") { column.isStoredGenerated = true } else { column.isVirtualGenerated = true }
                }
            case "COLLATE":
                _ = cursor.qualifiedName()
            default:
                break
            }
        }
        return column
    }

    /// The tokens of a DEFAULT expression: up to the next column constraint outside
    /// parentheses (at least one token, so `DEFAULT NULL` keeps its NULL).
    private static func defaultExpression(_ cursor: inout LintCursor) -> [LintToken] {
        var tokens: [LintToken] = []
        var depth = 0
        while let token = cursor.peek() {
            if depth == 0, !tokens.isEmpty, token.kind == .word, columnConstraintKeywords.contains(token.text),
                !(token.isKeyword("NULL") && tokens.last?.isKeyword("IS") == true),
                !(token.isKeyword("NOT") && tokens.last?.isKeyword("IS") == true)
            {
                break
            }
            if token.isSymbol("(") || token.isSymbol("[") { depth += 1 }
            if token.isSymbol(")") || token.isSymbol("]") { depth -= 1 }
            tokens.append(token)
            cursor.index += 1
        }
        return tokens
    }

    /// Words that continue a multi-word type name (`character varying`, `double precision`,
    /// `timestamp with time zone`, `interval year to month`).
    private static let typeContinuations: Set<String> = [
        "VARYING", "PRECISION", "WITH", "WITHOUT", "TIME", "ZONE", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TO",
    ]

    /// A type name: `[schema.]name[(n[, m])] [words…] [[]…|ARRAY]`; nil when the next token
    /// starts a constraint (SQLite columns may have no type).
    static func typeName(_ cursor: inout LintCursor) -> LintTypeName? {
        guard let first = cursor.peek(), first.kind == .word || first.kind == .quotedIdentifier,
            !(first.kind == .word && columnConstraintKeywords.contains(first.text))
        else { return nil }
        cursor.index += 1
        var head = first
        if cursor.peek()?.isSymbol(".") == true, let next = cursor.peek(1), next.kind == .word || next.kind == .quotedIdentifier {
            cursor.index += 2
            head = next
        }
        var words = [head.kind == .word ? head.text : head.text.uppercased()]
        var modifiers: [Int] = []
        var isArray = false
        while let token = cursor.peek() {
            if token.kind == .word, typeContinuations.contains(token.text) {
                words.append(token.text)
                cursor.index += 1
            } else if token.isKeyword("ARRAY") {
                isArray = true
                cursor.index += 1
                if cursor.acceptSymbol("[") { while let t = cursor.peek(), !t.isSymbol("]") { cursor.index += 1 }; cursor.acceptSymbol("]") }
            } else if token.isSymbol("("), let inner = cursor.parenthesized() {
                modifiers = cursor.tokens[inner].compactMap { $0.kind == .number ? Int($0.text) : nil }
            } else if token.isSymbol("[") {
                isArray = true
                while let t = cursor.peek(), !t.isSymbol("]") { cursor.index += 1 }
                cursor.acceptSymbol("]")
            } else {
                break
            }
        }
        var written = words.joined(separator: " ").lowercased()
        if !modifiers.isEmpty { written += "(" + modifiers.map(String.init).joined(separator: ",") + ")" }
        if isArray { written += "[]" }
        return LintTypeName(words: words, modifiers: modifiers, isArray: isArray, written: written)
    }
}
