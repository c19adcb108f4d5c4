/// One lexical token of SQL text, as ``SQLLexer`` reads it: what it is and where it is.
///
/// A token holds no text of its own, only byte offsets into the UTF-8 text the lexer read,
/// so lexing a long migration allocates nothing per token. Ask the lexer for the text:
/// ``SQLLexer/text(of:)`` (as written) or ``SQLLexer/value(of:)`` (a name or string with
/// its quotes and escapes removed).
///
/// ```swift
/// var lexer = SQLLexer("SELECT \"a\"\"b\" -- note", configuration: .postgres, includesWhitespace: false)
/// while let token = lexer.next() {
///     print(token.kind, lexer.value(of: token))
/// }
/// // word SELECT, quotedIdentifier a"b, lineComment -- note
/// ```
public struct SQLToken: Sendable, Hashable {
    /// What a token is.
    public enum Kind: Sendable, Hashable {
        /// An unquoted keyword or identifier (`SELECT`, `users`, `a$1`).
        case word
        /// A quoted identifier: `"…"`, and SQLite's `` `…` `` and `[…]`.
        case quotedIdentifier
        /// A string constant: `'…'`, `E'…'`, `X'…'`, or a dollar-quoted `$tag$…$tag$`.
        case string
        /// A numeric constant (`42`, `1.5e-3`, `.5`, `0x1F`, `1_000`).
        case number
        /// A positional or named parameter: `$1`, `$name`.
        case parameter
        /// An operator: a run of operator characters in PostgreSQL (`<>`, `||`, `@>`),
        /// one of SQLite's operators (`<=`, `||`, `->>`).
        case `operator`
        /// `(`, `)`, `,`, `;`, `.`, `[`, `]`, `:`, `::`, and any byte no other rule takes.
        case punctuation
        /// `-- …` up to the end of the line (the line break is not part of it).
        case lineComment
        /// `/* … */`, nested where the dialect nests them.
        case blockComment
        /// Spaces, tabs, line breaks, form feeds and vertical tabs.
        case whitespace
    }

    /// How a quoted token is delimited.
    public enum Quote: Sendable, Hashable {
        /// `'…'`, a doubled `''` standing for one quote.
        case single
        /// PostgreSQL's `E'…'`: a backslash escapes the next character too.
        case escapeString
        /// `X'…'`, a hexadecimal blob (SQLite) or bit string (PostgreSQL).
        case hex
        /// `$tag$…$tag$` (PostgreSQL); the body is taken literally.
        case dollar
        /// `"…"`, a doubled `""` standing for one quote.
        case double
        /// SQLite's `` `…` ``, a doubled ``` `` ``` standing for one backtick.
        case backtick
        /// SQLite's `[…]`, taken literally.
        case bracket
    }

    /// The token's bytes in the UTF-8 text, quotes and comment markers included.
    public var range: Range<Int>
    // Stored in 32 bits each, so that a token fits in four registers and the lexer hands
    // it over without a trip through memory: the splitter reads millions of them.
    private var storedLine: Int32
    /// The length of the opening quote, prefix or dollar tag.
    private var openingLength: Int32
    /// What the token is.
    public var kind: Kind
    /// The quoting of a string or quoted identifier; nil for every other token.
    public var quote: Quote?
    /// False when a quoted token or block comment runs to the end of the text unclosed.
    public var isTerminated: Bool

    /// The 1-based line of the token's first byte (counted from the lexer's first line).
    public var line: Int { Int(storedLine) }

    /// The bytes between the quotes (or dollar tags) of a quoted token; ``range`` otherwise.
    /// Up to the end of the text when the token is not terminated.
    public var contentRange: Range<Int> {
        guard let quote, isTerminated else { return (range.lowerBound + Int(openingLength))..<range.upperBound }
        let closingLength = quote == .dollar ? Int(openingLength) : 1
        return (range.lowerBound + Int(openingLength))..<(range.upperBound - closingLength)
    }

    /// Creates a token; ``SQLLexer`` makes them.
    ///
    /// - Parameters:
    ///   - kind: What the token is.
    ///   - quote: How a string or quoted identifier is quoted.
    ///   - range: The token's bytes.
    ///   - openingLength: The length of a quoted token's opening quote, prefix or tag;
    ///     its closing quote is one byte, or the same tag.
    ///   - line: The line of the first byte.
    ///   - isTerminated: Whether the token is closed.
    public init(kind: Kind, quote: Quote? = nil, range: Range<Int>, openingLength: Int = 0, line: Int, isTerminated: Bool = true) {
        self.kind = kind
        self.quote = quote
        self.range = range
        self.storedLine = Int32(truncatingIfNeeded: line)
        self.openingLength = Int32(truncatingIfNeeded: openingLength)
        self.isTerminated = isTerminated
    }

    /// Whitespace and comments: what separates the tokens that carry meaning.
    public var isTrivia: Bool {
        switch kind {
        case .whitespace, .lineComment, .blockComment: true
        default: false
        }
    }
}
