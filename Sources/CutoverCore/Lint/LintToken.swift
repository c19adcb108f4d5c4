/// One lexical token of a SQL statement, as the lint recogniser sees it.
///
/// Comments and whitespace are not tokens. Words keep an upper-cased copy for keyword
/// matching; identifiers are compared the way PostgreSQL folds them: unquoted names in
/// lower case, quoted names exactly as written
/// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS).
struct LintToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// An unquoted keyword or identifier; ``LintToken/text`` is upper-cased.
        case word
        /// `"…"` (or SQLite `` `…` `` / `[…]`); ``LintToken/text`` is the name, unescaped.
        case quotedIdentifier
        /// `'…'`, `E'…'` or `$tag$…$tag$`; ``LintToken/text`` is the contents.
        case string
        /// A numeric literal as written.
        case number
        /// `$1`.
        case parameter
        /// Punctuation `( ) , . ; [ ]`, `::`, or a run of operator characters.
        case symbol
    }

    var kind: Kind
    var text: String

    /// Whether this is the unquoted keyword `keyword` (given in upper case).
    @inline(__always)
    func isKeyword(_ keyword: String) -> Bool { kind == .word && text == keyword }

    /// Whether this is the punctuation or operator `symbol`.
    @inline(__always)
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

    /// The identifier this token names: unquoted words fold to lower case, quoted names
    /// stay as written; nil for other tokens.
    var identifier: String? {
        switch kind {
        case .word: text.lowercased()
        case .quotedIdentifier: text
        default: nil
        }
    }
}
