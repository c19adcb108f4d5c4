extension LintToken {
    /// The tokens of one statement as the recogniser reads them, from ``SQLLexer``:
    /// comments and whitespace dropped, words upper-cased, names and strings unquoted.
    ///
    /// The statement has already been split by ``SQLSplitter``, which reports unterminated
    /// strings and comments; here an unterminated construct simply runs to the end of the
    /// text, so a statement built by hand can never make the linter fail.
    ///
    /// - Parameters:
    ///   - sql: One statement.
    ///   - configuration: The database's lexical rules.
    ///   - foldsQuotedIdentifiers: Whether quoted names compare case-insensitively too, as
    ///     in SQLite (https://www.sqlite.org/lang_keywords.html): they are then lower-cased.
    static func tokens(in sql: String, configuration: SQLLexer.Configuration, foldsQuotedIdentifiers: Bool) -> [LintToken] {
        var lexer = SQLLexer(sql, configuration: configuration)
        var tokens: [LintToken] = []
        tokens.reserveCapacity(lexer.bytes.count / 4)
        while let token = lexer.next() {
            switch token.kind {
            case .whitespace, .lineComment, .blockComment:
                continue
            case .word:
                // Keywords are ASCII: upper-case only ASCII letters, and keep other names' bytes.
                var upper = Array(lexer.bytes[token.range])
                for index in upper.indices where upper[index] >= UInt8(ascii: "a") && upper[index] <= UInt8(ascii: "z") {
                    upper[index] -= 0x20
                }
                tokens.append(LintToken(kind: .word, text: String(decoding: upper, as: UTF8.self)))
            case .quotedIdentifier:
                let name = lexer.value(of: token)
                tokens.append(LintToken(kind: .quotedIdentifier, text: foldsQuotedIdentifiers ? name.lowercased() : name))
            case .string:
                tokens.append(LintToken(kind: .string, text: lexer.value(of: token)))
            case .number:
                tokens.append(LintToken(kind: .number, text: lexer.text(of: token)))
            case .parameter:
                tokens.append(LintToken(kind: .parameter, text: lexer.text(of: token)))
            case .operator, .punctuation:
                tokens.append(LintToken(kind: .symbol, text: lexer.text(of: token)))
            }
        }
        return tokens
    }
}
