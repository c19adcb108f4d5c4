extension SQLLexer {
    /// Up to `count` leading words of `sql` (keywords, names and numbers), upper-cased,
    /// skipping comments and punctuation. Stops at the first string, quoted identifier or
    /// `(`: what follows is not a keyword prefix.
    ///
    /// ```swift
    /// SQLLexer.leadingWords(of: "/* x */ create index concurrently i ON t (a)", count: 3, configuration: .postgres)
    /// // ["CREATE", "INDEX", "CONCURRENTLY"]
    /// ```
    public static func leadingWords(of sql: String, count: Int, configuration: Configuration) -> [String] {
        var words: [String] = []
        guard count > 0 else { return words }
        var lexer = SQLLexer(sql, configuration: configuration)
        while let token = lexer.next() {
            switch token.kind {
            case .word, .number:
                words.append(lexer.text(of: token).uppercased())
                if words.count == count { return words }
            case .string, .quotedIdentifier:
                return words
            case .punctuation where lexer.bytes[token.range.lowerBound] == UInt8(ascii: "("):
                return words
            default:
                continue
            }
        }
        return words
    }
}

extension Dialect {
    /// Up to `count` leading words of `sql`, upper-cased, read with this dialect's lexical
    /// rules (``SQLLexer/leadingWords(of:count:configuration:)``).
    func leadingWords(of sql: String, count: Int) -> [String] {
        SQLLexer.leadingWords(of: sql, count: count, configuration: lexerConfiguration)
    }
}
