extension SQLLexer {
    /// The lexical rules that differ between databases. A ``Dialect`` supplies its own
    /// (``Dialect/lexerConfiguration``), so code that reads SQL never asks which database
    /// it is for.
    ///
    /// ```swift
    /// var lexer = SQLLexer(sql, configuration: SQLiteDialect().lexerConfiguration)
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// How `[` is read.
        public enum BracketRule: Sendable, Hashable {
            /// Always punctuation (PostgreSQL's array subscripts and constructors).
            case punctuation
            /// Always opens a `[name]` identifier (SQLite).
            case identifier
            /// Opens an identifier only when a `]` closes it on the same line with no quote,
            /// `$`, comment or `[` in between, so that a script for either database reads
            /// `[name]` as a name and `ARRAY['a]']` as an array.
            case identifierWhenClosedOnSameLine
        }

        /// How operators are cut out of the text.
        public enum OperatorRule: Sendable, Hashable {
            /// PostgreSQL: a run of `+ - * / < > = ~ ! @ # % ^ & | ` ?`, cut before `--` or
            /// `/*`, and not ending in `+` or `-` unless it holds one of `~ ! @ # % ^ & | ` ?`
            /// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-OPERATORS).
            case postgresRuns
            /// SQLite: the fixed operators `<=`, `>=`, `<>`, `!=`, `==`, `||`, `<<`, `>>`,
            /// `->`, `->>`; every other operator character alone
            /// (https://www.sqlite.org/lang_expr.html#operators_and_parse_affecting_attributes).
            case sqlite
        }

        /// Whether `/* /* */ */` is one comment (PostgreSQL, the SQL standard) or ends at the
        /// first `*/` (SQLite).
        public var nestsBlockComments: Bool
        /// Whether a lone carriage return ends a `--` comment, as in PostgreSQL; in SQLite
        /// only a line feed does.
        public var lineCommentEndsAtCarriageReturn: Bool
        /// Whether `$tag$…$tag$` is a string (PostgreSQL). Without it, `$name` is a parameter.
        public var hasDollarQuotes: Bool
        /// Whether `E'…'` is a string with backslash escapes (PostgreSQL).
        public var hasEscapeStrings: Bool
        /// Whether `` `name` `` is a quoted identifier (SQLite, MySQL).
        public var backtickQuotesIdentifiers: Bool
        /// How `[` is read.
        public var brackets: BracketRule
        /// How operators are cut.
        public var operators: OperatorRule

        /// Creates a set of rules.
        public init(
            nestsBlockComments: Bool, lineCommentEndsAtCarriageReturn: Bool, hasDollarQuotes: Bool, hasEscapeStrings: Bool,
            backtickQuotesIdentifiers: Bool, brackets: BracketRule, operators: OperatorRule
        ) {
            self.nestsBlockComments = nestsBlockComments
            self.lineCommentEndsAtCarriageReturn = lineCommentEndsAtCarriageReturn
            self.hasDollarQuotes = hasDollarQuotes
            self.hasEscapeStrings = hasEscapeStrings
            self.backtickQuotesIdentifiers = backtickQuotesIdentifiers
            self.brackets = brackets
            self.operators = operators
        }

        /// PostgreSQL's lexical rules (https://www.postgresql.org/docs/current/sql-syntax-lexical.html).
        public static let postgres = Configuration(
            nestsBlockComments: true, lineCommentEndsAtCarriageReturn: true, hasDollarQuotes: true, hasEscapeStrings: true,
            backtickQuotesIdentifiers: false, brackets: .punctuation, operators: .postgresRuns)

        /// SQLite's lexical rules (https://www.sqlite.org/lang_keywords.html,
        /// https://www.sqlite.org/lang_comment.html).
        public static let sqlite = Configuration(
            nestsBlockComments: false, lineCommentEndsAtCarriageReturn: false, hasDollarQuotes: false, hasEscapeStrings: false,
            backtickQuotesIdentifiers: true, brackets: .identifier, operators: .sqlite)

        /// A migration file, which is split before anyone knows its database: every quoting
        /// construct of both databases, so that no `;` inside one ends a statement. A nested
        /// `/*` in a SQLite file then only needs one more `*/`.
        public static let anyDialect = Configuration(
            nestsBlockComments: true, lineCommentEndsAtCarriageReturn: true, hasDollarQuotes: true, hasEscapeStrings: true,
            backtickQuotesIdentifiers: true, brackets: .identifierWhenClosedOnSameLine, operators: .postgresRuns)
    }
}
