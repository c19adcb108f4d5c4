/// Cuts a SQL script into statements at top-level semicolons, for SQLite and PostgreSQL.
///
/// Databases execute one statement at a time (PostgreSQL's extended protocol, SQLite's
/// `sqlite3_prepare`), and Cutover reports failures by statement and line, so migration
/// files are split before they run. The splitter is a lexer, not a parser: it knows just
/// enough of both dialects to tell a terminating `;` from one inside something else:
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
public struct SQLSplitter: Sendable {
    /// Creates a splitter.
    public init() {}

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
    public func split(_ sql: String, startingLine: Int = 1, file: String? = nil) throws -> [SQLStatement] {
        var scanner = Scanner(bytes: Array(sql.utf8), lineOffset: startingLine - 1, file: file)
        return try scanner.run()
    }
}

// MARK: - Scanner

/// Single pass over the UTF-8 bytes. Every construct the splitter cares about is
/// delimited by ASCII bytes, and UTF-8 never uses ASCII values inside multi-byte
/// sequences, so slicing at those bytes always yields valid UTF-8.
private struct Scanner {
    /// What kind of statement the leading keywords announce; decides whether `BEGIN`
    /// opens a body.
    private enum Header {
        case start, afterCreate, trigger, routine, other
    }

    let bytes: [UInt8]
    let lineOffset: Int
    let file: String?

    private var statements: [SQLStatement] = []
    private var position = 0
    /// Byte index of the statement's first token, nil while only comments were seen.
    private var statementStart: Int?
    private var statementLine = 0
    /// End of the statement's last token, so trailing comments are trimmed off.
    private var statementEnd = 0
    private var header = Header.start
    /// `BEGIN … END` / `CASE … END` nesting inside a trigger or routine body; 0 outside.
    private var bodyDepth = 0
    private var bodyStart = 0
    private var previousWordWasBegin = false
    /// Open parentheses in the statement, and where the outermost one opened.
    private var parenDepth = 0
    private var parenStart = 0
    // Incremental line counting: queries are almost always at increasing offsets.
    private var lineCursor = 0
    private var lineAtCursor = 1

    init(bytes: [UInt8], lineOffset: Int, file: String?) {
        self.bytes = bytes
        self.lineOffset = lineOffset
        self.file = file
    }

    mutating func run() throws -> [SQLStatement] {
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            let next: UInt8 = position + 1 < count ? bytes[position + 1] : 0
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                position += 1
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                skipLineComment()
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                try skipBlockComment()
            case UInt8(ascii: ";") where bodyDepth == 0 && parenDepth == 0:
                finishStatement()
                position += 1
            case UInt8(ascii: "("):
                // Like psql, a `;` inside parentheses does not end the statement:
                // PostgreSQL's CREATE RULE … DO (stmt; stmt) needs that.
                if parenDepth == 0 { parenStart = position }
                parenDepth += 1
                singleByteToken()
            case UInt8(ascii: ")"):
                parenDepth = max(parenDepth - 1, 0)
                singleByteToken()
            case UInt8(ascii: "'"):
                let start = position
                try skipQuoted(close: byte, backslashEscapes: false, what: "string")
                token(start)
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                let start = position
                try skipQuoted(close: byte, backslashEscapes: false, what: "identifier")
                token(start)
            case UInt8(ascii: "["):
                let start = position
                position = bracketIdentifierEnd() ?? position + 1
                token(start)
            case UInt8(ascii: "$"):
                let start = position
                try skipDollar()
                token(start)
            case _ where Self.isIdentifierStart(byte) || Self.isDigit(byte):
                try word()
            default:
                singleByteToken()
            }
        }
        if bodyDepth > 0 {
            throw error(
                "unterminated BEGIN … END body", at: bodyStart,
                hint: "End the body with `END;`. Every `BEGIN` and `CASE` inside it needs its own `END`.")
        }
        if parenDepth > 0 {
            throw error(
                "unbalanced parenthesis: this ( is never closed", at: parenStart,
                hint: "Add the missing `)`; a `;` inside parentheses does not end a statement.")
        }
        finishStatement()
        return statements
    }

    // MARK: Tokens

    /// Records a significant token spanning `start..<position`.
    private mutating func token(_ start: Int) {
        if statementStart == nil {
            statementStart = start
            statementLine = line(at: start)
        }
        statementEnd = position
        previousWordWasBegin = false
        if header == .start || header == .afterCreate { header = .other }
    }

    private mutating func singleByteToken() {
        position += 1
        token(position - 1)
    }

    private mutating func finishStatement() {
        if let start = statementStart {
            let text = String(decoding: bytes[start..<statementEnd], as: UTF8.self)
            statements.append(SQLStatement(sql: text, line: statementLine))
        }
        statementStart = nil
        header = .start
        bodyDepth = 0
        parenDepth = 0
        previousWordWasBegin = false
    }

    /// An unquoted word: keyword, identifier or number. Tracks the keywords that open and
    /// close `BEGIN … END` bodies, and recognises the `E` of an `E'…'` string.
    private mutating func word() throws {
        let start = position
        position += 1
        while position < bytes.count, Self.isIdentifierPart(bytes[position]) { position += 1 }
        let range = start..<position

        // PostgreSQL: E'…' (either case) is an escape string constant, where `\'` is a quote.
        if position - start == 1, bytes[start] | 0x20 == UInt8(ascii: "e"),
            position < bytes.count, bytes[position] == UInt8(ascii: "'")
        {
            try skipQuoted(close: UInt8(ascii: "'"), backslashEscapes: true, what: "string")
            token(start)
            return
        }

        let wasBegin = previousWordWasBegin
        let header = self.header
        token(start)
        switch header {
        case .start:
            self.header = matches(range, "CREATE") ? .afterCreate : .other
            return
        case .afterCreate:
            if matches(range, "TRIGGER") {
                self.header = .trigger
            } else if matches(range, "FUNCTION") || matches(range, "PROCEDURE") {
                self.header = .routine
            } else if matches(range, "OR") || matches(range, "REPLACE") || matches(range, "TEMP")
                || matches(range, "TEMPORARY") || matches(range, "CONSTRAINT")
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
            if header == .trigger, matches(range, "BEGIN") {
                bodyDepth = 1
                bodyStart = start
            } else if header == .routine, wasBegin, matches(range, "ATOMIC") {
                bodyDepth = 1  // bodyStart already points at the BEGIN
            } else if header == .routine, matches(range, "BEGIN") {
                previousWordWasBegin = true
                bodyStart = start
            }
        } else if matches(range, "CASE") {
            // CASE … END is the only other construct in these bodies that ends with END.
            bodyDepth += 1
        } else if matches(range, "END") {
            bodyDepth -= 1
        }
    }

    /// Case-insensitive comparison of an ASCII keyword with `bytes[range]`.
    private func matches(_ range: Range<Int>, _ keyword: StaticString) -> Bool {
        guard range.count == keyword.utf8CodeUnitCount else { return false }
        let key = keyword.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] | 0x20 != key[offset] | 0x20 {
            return false
        }
        return true
    }

    // MARK: Comments

    /// `--` to the end of the line (SQL standard; both databases).
    private mutating func skipLineComment() {
        position += 2
        while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
    }

    /// `/* … */`. Block comments nest, as the SQL standard specifies and PostgreSQL
    /// implements (§4.1.5), so `/* a /* b */ c */` is one comment. SQLite does not nest
    /// them, but a nested `/*` in a SQLite file is rare and then only needs one more `*/`.
    private mutating func skipBlockComment() throws {
        let start = position
        var depth = 0
        let count = bytes.count
        while position + 1 < count {
            let byte = bytes[position]
            let next = bytes[position + 1]
            if byte == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if byte == UInt8(ascii: "*"), next == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                position += 1
            }
        }
        throw error(
            "unterminated block comment", at: start,
            hint: "Close the comment with `*/`. Block comments nest in PostgreSQL, so each `/*` inside needs its own `*/`.")
    }

    // MARK: Quoted text

    /// A quoted string or identifier; the closing quote doubled stands for itself
    /// (`'it''s'`, `"a""b"`). With `backslashEscapes` (PostgreSQL `E'…'`), a backslash
    /// escapes the next byte, so `E'it\'s'` is one string.
    private mutating func skipQuoted(close: UInt8, backslashEscapes: Bool, what: String) throws {
        let start = position
        position += 1
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == close {
                if position + 1 < count, bytes[position + 1] == close {
                    position += 2
                    continue
                }
                position += 1
                return
            }
            position += backslashEscapes && byte == UInt8(ascii: "\\") ? 2 : 1
        }
        position = count
        let quote = String(UnicodeScalar(close))
        var hint = "Close the \(what) with a matching \(quote); write a \(quote) inside it as \(quote)\(quote)"
        hint += backslashEscapes ? " or \\\(quote)." : "."
        throw error("unterminated quoted \(what) starting with \(quote)", at: start, hint: hint)
    }

    /// SQLite accepts `[name]` as a quoted identifier (MS Access / SQL Server compatibility).
    /// Returns the index after `]`, or nil when the `[` is better read as PostgreSQL's array
    /// subscript or constructor (anything that could hide a quote, `$`, comment or newline).
    private func bracketIdentifierEnd() -> Int? {
        var index = position + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "]"):
                return index > position + 1 ? index + 1 : nil
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "$"),
                UInt8(ascii: "["), 0x0A, 0x0D:
                return nil
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                return nil
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// PostgreSQL dollar quoting (§4.1.2.4): `$tag$ … $tag$`, where the tag is empty or an
    /// identifier that does not start with a digit, and the same tag must close it. `$1`
    /// is a positional parameter; a lone `$` is an operator character.
    private mutating func skipDollar() throws {
        let start = position
        var index = position + 1
        if index < bytes.count, Self.isIdentifierStart(bytes[index]) {
            index += 1
            while index < bytes.count, Self.isTagPart(bytes[index]) { index += 1 }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "$") else {
            // `$1`, `$name` (SQLite parameter) or a bare `$`: one ordinary token.
            position = index
            if position == start + 1 {
                while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
                position = max(position, start + 1)
            }
            return
        }
        let tag = bytes[start...index]
        var search = index + 1
        let last = bytes.count - tag.count
        while search <= last {
            if bytes[search] == UInt8(ascii: "$"), bytes[search..<search + tag.count].elementsEqual(tag) {
                position = search + tag.count
                return
            }
            search += 1
        }
        position = bytes.count
        let tagText = String(decoding: tag, as: UTF8.self)
        throw error(
            "unterminated dollar-quoted string \(tagText)", at: start,
            hint: "Close it with the same tag, \(tagText); tags are case-sensitive and must match exactly.")
    }

    // MARK: Characters and lines

    /// Letters, `_` and any non-ASCII byte start an identifier (PostgreSQL §4.1.1, SQLite).
    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Identifiers continue with letters, digits, `_` and `$` (both databases allow `$`).
    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }

    /// A dollar-quote tag may not contain `$` itself.
    private static func isTagPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    /// The file line of byte `index`; LF, CRLF and a lone CR each end a line.
    private mutating func line(at index: Int) -> Int {
        if index < lineCursor {
            lineCursor = 0
            lineAtCursor = 1
        }
        while lineCursor < index {
            let byte = bytes[lineCursor]
            if byte == 0x0A || (byte == 0x0D && (lineCursor + 1 >= bytes.count || bytes[lineCursor + 1] != 0x0A)) {
                lineAtCursor += 1
            }
            lineCursor += 1
        }
        return lineAtCursor + lineOffset
    }

    private mutating func error(_ message: String, at index: Int, hint: String) -> CutoverError {
        CutoverError(.invalidMigration, message, hint: hint, file: file, line: line(at: index))
    }
}
