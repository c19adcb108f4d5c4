/// Cuts a SQL script into statements at top-level semicolons, for SQLite and PostgreSQL.
///
/// Databases execute one statement at a time (PostgreSQL's extended protocol, SQLite's
/// `sqlite3_prepare`), and Cutover reports failures by statement and line, so migration
/// files are split before they run. The splitter reads the tokens of ``SQLLexer`` with the
/// rules of both dialects (``SQLLexer/Configuration/anyDialect``), not a parser: it knows
/// just enough to tell a terminating `;` from one inside something else:
///
/// - `'…'` strings with `''` escapes, and PostgreSQL `E'…'` strings with backslash escapes;
/// - `"…"` identifiers with `""` escapes, and SQLite's `` `…` `` and `[…]` identifiers;
/// - PostgreSQL dollar quoting, `$$…$$` and `$tag$…$tag$` (`$1` is a parameter, not a quote);
/// - `--` line comments and `/* */` block comments, nested as PostgreSQL allows;
/// - `BEGIN … END` bodies of SQLite `CREATE TRIGGER` and of PostgreSQL
///   `CREATE FUNCTION/PROCEDURE … BEGIN ATOMIC … END`, with `CASE … END` inside them;
/// - parentheses: as in `psql`, a `;` inside them does not split, for PostgreSQL's
///   `CREATE RULE … DO ALSO (stmt; stmt)`.
///
/// A plain `BEGIN;` is a statement of its own: `BEGIN` opens a body only inside those
/// `CREATE` statements, the same heuristic `psql` and `sqlite3_complete()` use.
///
/// ```swift
/// let statements = try SQLSplitter().split("""
///     CREATE TABLE t (note text DEFAULT 'a;b');
///     INSERT INTO t VALUES ('x');
///     """)
/// // [SQLStatement(sql: "CREATE TABLE t (note text DEFAULT 'a;b')", line: 1),
/// //  SQLStatement(sql: "INSERT INTO t VALUES ('x')", line: 2)]
/// ```
///
/// `[` starts a SQLite bracket identifier only when a `]` follows on the same line with no
/// quote, `$`, comment or `[` in between; otherwise it is PostgreSQL's array subscript, so
/// `ARRAY['a]']` still splits correctly.
///
/// ## Topics
/// ### Splitting
/// - ``init()``
/// - ``split(_:startingLine:file:)``
package struct SQLSplitter: Sendable {
    /// Creates a splitter.
    package init() {}

    /// Splits `sql` into statements.
    ///
    /// Each statement's text is trimmed, runs from its first token to its last, and has no
    /// terminating `;`. Leading comments are dropped; comments between tokens are kept.
    /// Statements made only of comments and whitespace are dropped. A final statement
    /// without `;` is returned too.
    ///
    /// ```swift
    /// let up = try SQLSplitter().split(section, startingLine: 2, file: "1_init.sql")
    /// ```
    ///
    /// - Parameters:
    ///   - sql: The script.
    ///   - startingLine: The file line on which `sql` begins, so that statement and error
    ///     lines are file lines when `sql` is a section of a file.
    ///   - file: The file name, used in errors.
    /// - Returns: The statements in order; each `line` is the line of its first token.
    /// - Throws: ``CutoverError`` with code ``CutoverError/Code/invalidMigration`` for an
    ///   unterminated string, quoted identifier, dollar-quoted string, block comment or
    ///   `BEGIN … END` body, or an unclosed `(`, with the line where it started.
    package func split(_ sql: String, startingLine: Int = 1, file: String? = nil) throws -> [SQLStatement] {
        var reader = StatementReader(lexer: SQLLexer(sql, configuration: .anyDialect, firstLine: startingLine, includesWhitespace: false), file: file)
        return try reader.run()
    }
}

// MARK: - Statement reader

/// Groups the lexer's tokens into statements. Only the tokens that carry meaning start or
/// extend a statement, so leading and trailing comments fall away.
private struct StatementReader {
    /// What kind of statement the leading keywords announce; decides whether `BEGIN`
    /// opens a body.
    private enum Header {
        case start, afterCreate, trigger, routine, other
    }

    var lexer: SQLLexer
    let file: String?

    private var statements: [SQLStatement] = []
    /// Byte index of the statement's first token, nil while only comments were seen.
    private var statementStart: Int?
    private var statementLine = 0
    /// End of the statement's last token, so trailing comments are trimmed off.
    private var statementEnd = 0
    private var header = Header.start
    /// `BEGIN … END` / `CASE … END` nesting inside a trigger or routine body; 0 outside.
    private var bodyDepth = 0
    private var bodyStartLine = 0
    private var previousWordWasBegin = false
    /// Open parentheses in the statement, and the line of the outermost one.
    private var parenDepth = 0
    private var parenStartLine = 0

    init(lexer: SQLLexer, file: String?) {
        self.lexer = lexer
        self.file = file
    }

    mutating func run() throws -> [SQLStatement] {
        while let token = lexer.next() {
            guard token.isTerminated else { throw unterminated(token) }
            switch token.kind {
            case .whitespace, .lineComment, .blockComment:
                continue
            case .word:
                word(token)
            case .punctuation where token.range.count == 1:
                switch lexer.bytes[token.range.lowerBound] {
                case UInt8(ascii: ";") where bodyDepth == 0 && parenDepth == 0:
                    finishStatement()
                case UInt8(ascii: "("):
                    // Like psql, a `;` inside parentheses does not end the statement:
                    // PostgreSQL's CREATE RULE … DO (stmt; stmt) needs that.
                    if parenDepth == 0 { parenStartLine = token.line }
                    parenDepth += 1
                    significant(token)
                case UInt8(ascii: ")"):
                    parenDepth = max(parenDepth - 1, 0)
                    significant(token)
                default:
                    significant(token)
                }
            default:
                significant(token)
            }
        }
        if bodyDepth > 0 {
            throw error(
                "unterminated BEGIN … END body", line: bodyStartLine,
                hint: "end the body with `END;`; every `BEGIN` and `CASE` inside it needs its own `END`")
        }
        if parenDepth > 0 {
            throw error(
                "unbalanced parenthesis: this ( is never closed", line: parenStartLine,
                hint: "add the missing `)`; a `;` inside parentheses does not end a statement")
        }
        finishStatement()
        return statements
    }

    /// Records a token that carries meaning.
    private mutating func significant(_ token: SQLToken) {
        if statementStart == nil {
            statementStart = token.range.lowerBound
            statementLine = token.line
        }
        statementEnd = token.range.upperBound
        previousWordWasBegin = false
        if header == .start || header == .afterCreate { header = .other }
    }

    private mutating func finishStatement() {
        if let start = statementStart {
            let text = String(decoding: lexer.bytes[start..<statementEnd], as: UTF8.self)
            statements.append(SQLStatement(sql: text, line: statementLine))
        }
        statementStart = nil
        header = .start
        bodyDepth = 0
        parenDepth = 0
        previousWordWasBegin = false
    }

    /// A keyword or name: tracks the keywords that open and close `BEGIN … END` bodies.
    private mutating func word(_ token: SQLToken) {
        let wasBegin = previousWordWasBegin
        let header = self.header
        significant(token)
        switch header {
        case .start:
            self.header = lexer.isKeyword(token, "CREATE") ? .afterCreate : .other
            return
        case .afterCreate:
            if lexer.isKeyword(token, "TRIGGER") {
                self.header = .trigger
            } else if lexer.isKeyword(token, "FUNCTION") || lexer.isKeyword(token, "PROCEDURE") {
                self.header = .routine
            } else if lexer.isKeyword(token, "OR") || lexer.isKeyword(token, "REPLACE") || lexer.isKeyword(token, "TEMP")
                || lexer.isKeyword(token, "TEMPORARY") || lexer.isKeyword(token, "CONSTRAINT")
            {
                self.header = .afterCreate
            } else {
                self.header = .other
            }
            return
        case .other:
            return
        case .trigger, .routine:
            break
        }

        if bodyDepth == 0 {
            // SQLite: CREATE TRIGGER … BEGIN stmt; … END. PostgreSQL 14+: a SQL-standard
            // routine body is BEGIN ATOMIC stmt; … END, and only that form has a bare BEGIN.
            if header == .trigger, lexer.isKeyword(token, "BEGIN") {
                bodyDepth = 1
                bodyStartLine = token.line
            } else if header == .routine, wasBegin, lexer.isKeyword(token, "ATOMIC") {
                bodyDepth = 1  // bodyStartLine already is the BEGIN's
            } else if header == .routine, lexer.isKeyword(token, "BEGIN") {
                previousWordWasBegin = true
                bodyStartLine = token.line
            }
        } else if lexer.isKeyword(token, "CASE") {
            // CASE … END is the only other construct in these bodies that ends with END.
            bodyDepth += 1
        } else if lexer.isKeyword(token, "END") {
            bodyDepth -= 1
        }
    }

    // MARK: Errors

    /// The error for a string, quoted identifier or block comment left open.
    private func unterminated(_ token: SQLToken) -> CutoverError {
        guard let quote = token.quote else {
            return error(
                "unterminated block comment", line: token.line,
                hint: "close the comment with `*/`; block comments nest in PostgreSQL, so each `/*` inside needs its own `*/`")
        }
        if quote == .dollar {
            let tag = String(decoding: lexer.bytes[token.range.lowerBound..<token.contentRange.lowerBound], as: UTF8.self)
            return error(
                "unterminated dollar-quoted string \(tag)", line: token.line,
                hint: "close it with the same tag, \(tag); tags are case-sensitive and must match exactly")
        }
        let what = token.kind == .string ? "string" : "identifier"
        let mark = String(decoding: [lexer.bytes[token.contentRange.lowerBound - 1]], as: UTF8.self)
        var hint = "Close the \(what) with a matching \(mark); write a \(mark) inside it as \(mark)\(mark)"
        hint += quote == .escapeString ? " or \\\(mark)." : "."
        return error("unterminated quoted \(what) starting with \(mark)", line: token.line, hint: hint)
    }

    private func error(_ message: String, line: Int, hint: String) -> CutoverError {
        CutoverError(.invalidMigration, message, hint: hint, file: file, line: line)
    }
}
