/// Reads SQL text as a sequence of ``SQLToken``s: the one lexer behind the migration
/// splitter, the linter, the SQLite schema reader and the dialects' statement checks.
///
/// The lexer is a single pass over UTF-8 bytes. Every delimiter it looks for is ASCII, and
/// UTF-8 never uses ASCII values inside a multi-byte character, so token boundaries always
/// fall between characters; any non-ASCII character may appear in a name, as both
/// PostgreSQL and SQLite allow. Every byte belongs to exactly one token, whitespace and
/// comments included, so the tokens' ranges tile the text (unless whitespace is left out,
/// see ``init(_:configuration:firstLine:includesWhitespace:)``). The rules that differ
/// between databases come from a ``Configuration``.
///
/// Lexing never fails: a string, quoted identifier or block comment left open runs to the
/// end of the text and is marked ``SQLToken/isTerminated`` false, for the caller to report
/// (the splitter does, with the token's line).
///
/// ```swift
/// var lexer = SQLLexer("SELECT 'a;b'; -- done", configuration: .postgres)
/// while let token = lexer.next() {
///     print(token.kind, lexer.text(of: token))
/// }
/// // word SELECT, whitespace " ", string 'a;b', punctuation ;, whitespace " ", lineComment -- done
/// ```
///
/// ## Topics
/// ### Reading tokens
/// - ``init(_:configuration:firstLine:includesWhitespace:)``
/// - ``next()``
/// - ``tokens(_:configuration:)``
/// ### Token text
/// - ``text(of:)``
/// - ``value(of:)``
/// - ``isKeyword(_:_:)``
public struct SQLLexer: Sendable, Sequence, IteratorProtocol {
    /// The UTF-8 text being read.
    public let bytes: [UInt8]
    /// The lexical rules in force.
    public let configuration: Configuration
    /// The offset of the next token's first byte.
    public internal(set) var position = 0
    /// The line of ``position``.
    var currentLine: Int
    /// Whether whitespace comes out as tokens; without, it only separates them.
    public let includesWhitespace: Bool

    /// Creates a lexer over `sql`.
    ///
    /// - Parameters:
    ///   - sql: The text.
    ///   - configuration: The database's lexical rules.
    ///   - firstLine: The line number of the text's first line, so that tokens carry file
    ///     lines when `sql` is part of a file.
    ///   - includesWhitespace: Whether whitespace comes out as tokens. Readers that only
    ///     skip it run faster without.
    public init(_ sql: String, configuration: Configuration, firstLine: Int = 1, includesWhitespace: Bool = true) {
        bytes = Array(sql.utf8)
        self.configuration = configuration
        currentLine = firstLine
        self.includesWhitespace = includesWhitespace
    }

    /// Every token of `sql`, whitespace and comments included.
    public static func tokens(_ sql: String, configuration: Configuration) -> [SQLToken] {
        Array(SQLLexer(sql, configuration: configuration))
    }

    /// The next token, or nil at the end of the text.
    public mutating func next() -> SQLToken? {
        let count = bytes.count
        if !includesWhitespace { skipWhitespace() }
        guard position < count else { return nil }
        let start = position
        let byte = bytes[start]
        let following: UInt8 = start + 1 < count ? bytes[start + 1] : 0
        let token: SQLToken
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
            let line = currentLine
            skipWhitespace()
            return SQLToken(kind: .whitespace, range: start..<position, line: line)
        case UInt8(ascii: "-") where following == UInt8(ascii: "-"):
            token = lineComment()
        case UInt8(ascii: "/") where following == UInt8(ascii: "*"):
            token = blockComment()
        case UInt8(ascii: "'"):
            token = quoted(.string, .single, from: start, closingWith: byte)
        case UInt8(ascii: "\""):
            token = quoted(.quotedIdentifier, .double, from: start, closingWith: byte)
        case UInt8(ascii: "`") where configuration.backtickQuotesIdentifiers:
            token = quoted(.quotedIdentifier, .backtick, from: start, closingWith: byte)
        case UInt8(ascii: "["):
            token = bracket()
        case UInt8(ascii: "$"):
            token = dollar()
        case UInt8(ascii: ".") where Self.isDigit(following):
            token = number()
        case _ where Self.isDigit(byte):
            token = number()
        case _ where Self.isIdentifierStart(byte):
            token = word(following: following)
        case UInt8(ascii: ":") where following == UInt8(ascii: ":"):
            position += 2
            token = SQLToken(kind: .punctuation, range: start..<position, line: currentLine)
        case _ where isOperatorCharacter(byte):
            token = self.operator()
        default:
            position += 1
            token = SQLToken(kind: .punctuation, range: start..<position, line: currentLine)
        }
        countLines(in: token)
        return token
    }

    /// Moves ``position`` past whitespace, counting its line breaks.
    private mutating func skipWhitespace() {
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            guard Self.isWhitespace(byte) else { return }
            if byte == 0x0A || (byte == 0x0D && (position + 1 >= count || bytes[position + 1] != 0x0A)) { currentLine += 1 }
            position += 1
        }
    }

    /// Moves ``currentLine`` past the line breaks inside `token`. LF, CRLF and a lone CR each end
    /// a line; a CR is judged by the byte after it, wherever that byte belongs.
    private mutating func countLines(in token: SQLToken) {
        switch token.kind {
        case .word, .number, .parameter, .operator, .punctuation, .lineComment, .whitespace: return
        case .blockComment, .string, .quotedIdentifier: break
        }
        let count = bytes.count
        for index in token.range {
            let byte = bytes[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= count || bytes[index + 1] != 0x0A)) { currentLine += 1 }
        }
    }
}

// MARK: - Token text

extension SQLLexer {
    /// The token's text as written.
    public func text(of token: SQLToken) -> String {
        String(decoding: bytes[token.range], as: UTF8.self)
    }

    /// What the token stands for: a quoted identifier's name or a string's contents with the
    /// quotes removed and doubled quotes (and an `E'…'` string's backslashes) undone; the
    /// text as written for every other token.
    public func value(of token: SQLToken) -> String {
        guard let quote = token.quote else { return text(of: token) }
        let content = bytes[token.contentRange]
        let close: UInt8
        switch quote {
        case .dollar, .bracket, .hex: return String(decoding: content, as: UTF8.self)
        case .single, .escapeString: close = UInt8(ascii: "'")
        case .double: close = UInt8(ascii: "\"")
        case .backtick: close = UInt8(ascii: "`")
        }
        guard content.contains(close) || (quote == .escapeString && content.contains(UInt8(ascii: "\\"))) else {
            return String(decoding: content, as: UTF8.self)
        }
        var result: [UInt8] = []
        result.reserveCapacity(content.count)
        var index = content.startIndex
        while index < content.endIndex {
            let byte = content[index]
            if quote == .escapeString, byte == UInt8(ascii: "\\"), index + 1 < content.endIndex {
                result.append(content[index + 1])
                index += 2
            } else {
                result.append(byte)
                // A doubled quote stands for one.
                index += byte == close && index + 1 < content.endIndex && content[index + 1] == close ? 2 : 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `token` is the unquoted word `keyword`, in any letter case. Compares bytes,
    /// without making a string.
    ///
    /// - Parameter keyword: An upper- or lower-case ASCII keyword.
    public func isKeyword(_ token: SQLToken, _ keyword: StaticString) -> Bool {
        guard token.kind == .word, token.range.count == keyword.utf8CodeUnitCount else { return false }
        let key = keyword.utf8Start
        var offset = 0
        for index in token.range {
            if bytes[index] | 0x20 != key[offset] | 0x20 { return false }
            offset += 1
        }
        return true
    }
}

// MARK: - Characters

extension SQLLexer {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Letters, `_` and any byte of a multi-byte UTF-8 character start a name
    /// (PostgreSQL §4.1.1, SQLite).
    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Names continue with letters, digits, `_` and `$` (both databases allow `$`).
    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }

    /// A dollar-quote tag is a name without `$`.
    static func isTagPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    /// The characters operators are made of, by the configured rule.
    func isOperatorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "%"):
            true
        case UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "?"):
            configuration.operators == .postgresRuns
        case UInt8(ascii: "`"):
            configuration.operators == .postgresRuns && !configuration.backtickQuotesIdentifiers
        default:
            false
        }
    }
}
