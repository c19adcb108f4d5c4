import CutoverCore
import Testing

/// The lexer alone: each kind of token in both dialects, lines, unterminated constructs and
/// non-ASCII text. What the splitter, the linter and the SQLite schema reader make of the
/// tokens is tested with them.
@Suite struct SQLLexerTests {
    /// The tokens of `sql` other than whitespace (comments included), as kind and text.
    private func significant(_ sql: String, _ configuration: SQLLexer.Configuration = .postgres) -> [Kind] {
        var lexer = SQLLexer(sql, configuration: configuration)
        var result: [Kind] = []
        while let token = lexer.next() {
            if token.kind != .whitespace { result.append(Kind(token.kind, lexer.text(of: token))) }
        }
        return result
    }

    /// Every token of `sql` (whitespace too), with the lexer that read them.
    private func all(_ sql: String, _ configuration: SQLLexer.Configuration = .postgres) -> (SQLLexer, [SQLToken]) {
        var lexer = SQLLexer(sql, configuration: configuration)
        var tokens: [SQLToken] = []
        while let token = lexer.next() { tokens.append(token) }
        return (lexer, tokens)
    }

    private struct Kind: Equatable, CustomStringConvertible {
        var kind: SQLToken.Kind
        var text: String
        init(_ kind: SQLToken.Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
        var description: String { "\(kind) \(text.debugDescription)" }
    }

    // MARK: - Token kinds

    @Test("reads words, quoted names, strings, numbers, parameters, operators, punctuation and comments")
    func everyKind() {
        let sql = "SELECT a1, \"Q\"\"x\" FROM s.t WHERE b <> 'it''s' AND c = $1::int -- note\n/* block */ ;"
        #expect(
            significant(sql) == [
                Kind(.word, "SELECT"), Kind(.word, "a1"), Kind(.punctuation, ","), Kind(.quotedIdentifier, "\"Q\"\"x\""),
                Kind(.word, "FROM"), Kind(.word, "s"), Kind(.punctuation, "."), Kind(.word, "t"), Kind(.word, "WHERE"),
                Kind(.word, "b"), Kind(.operator, "<>"), Kind(.string, "'it''s'"), Kind(.word, "AND"), Kind(.word, "c"),
                Kind(.operator, "="), Kind(.parameter, "$1"), Kind(.punctuation, "::"), Kind(.word, "int"),
                Kind(.lineComment, "-- note"), Kind(.blockComment, "/* block */"), Kind(.punctuation, ";"),
            ])
    }

    @Test("the tokens tile the text: every byte belongs to exactly one token, in order")
    func tokensTileTheText() {
        let texts = [
            "CREATE TABLE \"ü\" (a text DEFAULT E'x\\'y', b int[] CHECK (b[1] > 0)); -- fin",
            "SELECT $fn$ a; $x$ b $fn$, [col], `t`, x'0A', 1.5e-3 /* a /* b */ c */\r\n;",
            "'open", "\"open", "$tag$ open", "/* open", "[open", "E'\\", "", " \t\n",
        ]
        for configuration in [SQLLexer.Configuration.postgres, .sqlite, .anyDialect] {
            for text in texts {
                let (lexer, tokens) = all(text, configuration)
                var next = 0
                for token in tokens {
                    #expect(token.range.lowerBound == next, "a gap or overlap before \(token) in \(text.debugDescription)")
                    next = token.range.upperBound
                }
                #expect(next == lexer.bytes.count)
                #expect(tokens.map { lexer.text(of: $0) }.joined() == text)
            }
        }
    }

    @Test("whitespace can be left out; lines stay right")
    func withoutWhitespace() {
        var lexer = SQLLexer("a\n\n  b\r\nc", configuration: .postgres, firstLine: 10, includesWhitespace: false)
        var seen: [(String, Int)] = []
        while let token = lexer.next() { seen.append((lexer.text(of: token), token.line)) }
        #expect(seen.map(\.0) == ["a", "b", "c"])
        #expect(seen.map(\.1) == [10, 12, 13])
    }

    // MARK: - Strings and quoted names

    @Test("values undo quotes, doubled quotes and an E string's backslashes")
    func values() {
        let (lexer, tokens) = all("'it''s' \"a\"\"b\" E'it\\'s' e'\\\\' $$x''y$$ $fn$ $x$ $fn$ X'0A' 'ü'")
        let strings = tokens.filter { !$0.isTrivia }
        #expect(strings.map { lexer.value(of: $0) } == ["it's", "a\"b", "it's", "\\", "x''y", " $x$ ", "0A", "ü"])
        #expect(strings.map(\.quote) == [.single, .double, .escapeString, .escapeString, .dollar, .dollar, .hex, .single])
        #expect(strings.allSatisfy { $0.isTerminated })
        #expect(lexer.text(of: strings[5]) == "$fn$ $x$ $fn$")
    }

    @Test("E'…' has backslash escapes in PostgreSQL only")
    func escapeStrings() {
        #expect(significant("E'a\\'b'") == [Kind(.string, "E'a\\'b'")])
        #expect(significant("E'a\\'b'", .sqlite) == [Kind(.word, "E"), Kind(.string, "'a\\'"), Kind(.word, "b"), Kind(.string, "'")])
        // A longer word ending in e is a name followed by an ordinary string.
        #expect(significant("type'a\\'") == [Kind(.word, "type"), Kind(.string, "'a\\'")])
    }

    @Test("dollar quotes: empty or named tags, matched exactly; $1 and $name are parameters")
    func dollarQuotes() {
        #expect(significant("$$a;b$$") == [Kind(.string, "$$a;b$$")])
        #expect(significant("$Fn$ $fn$ $Fn$") == [Kind(.string, "$Fn$ $fn$ $Fn$")])
        #expect(significant("$1 $name $") == [Kind(.parameter, "$1"), Kind(.parameter, "$name"), Kind(.punctuation, "$")])
        // A tag cannot start with a digit: `$1$` is a parameter and a lone `$`.
        #expect(significant("$1$") == [Kind(.parameter, "$1"), Kind(.punctuation, "$")])
        // SQLite has no dollar quoting: `$a` is a parameter there.
        #expect(significant("$a$ b", .sqlite) == [Kind(.parameter, "$a"), Kind(.punctuation, "$"), Kind(.word, "b")])
    }

    @Test("SQLite quotes names with backticks and brackets; PostgreSQL reads them as an operator and subscripts")
    func sqliteQuoting() {
        #expect(significant("`a``b` [c d]", .sqlite) == [Kind(.quotedIdentifier, "`a``b`"), Kind(.quotedIdentifier, "[c d]")])
        let (lexer, tokens) = all("`a``b` [c d]", .sqlite)
        #expect(tokens.filter { !$0.isTrivia }.map { lexer.value(of: $0) } == ["a`b", "c d"])
        #expect(significant("a[1]") == [Kind(.word, "a"), Kind(.punctuation, "["), Kind(.number, "1"), Kind(.punctuation, "]")])
        #expect(significant("`") == [Kind(.operator, "`")])
    }

    @Test("a script for either database reads [name] as a name only when it closes on the same line")
    func anyDialectBrackets() {
        #expect(significant("[a b]", .anyDialect) == [Kind(.quotedIdentifier, "[a b]")])
        #expect(
            significant("ARRAY['a]']", .anyDialect) == [
                Kind(.word, "ARRAY"), Kind(.punctuation, "["), Kind(.string, "'a]'"), Kind(.punctuation, "]"),
            ])
        #expect(significant("[a\nb]", .anyDialect).first == Kind(.punctuation, "["))
    }

    // MARK: - Numbers and operators

    @Test("numbers with fractions, exponents and name characters; a dot alone is punctuation")
    func numbers() {
        #expect(
            significant("42 1.5 .5 1e10 1.5e-3 0x1F 1_000 1.") == [
                Kind(.number, "42"), Kind(.number, "1.5"), Kind(.number, ".5"), Kind(.number, "1e10"), Kind(.number, "1.5e-3"),
                Kind(.number, "0x1F"), Kind(.number, "1_000"), Kind(.number, "1"), Kind(.punctuation, "."),
            ])
        // The e of a number is never the prefix of an escape string.
        #expect(significant("1e'a'") == [Kind(.number, "1e"), Kind(.string, "'a'")])
    }

    @Test("PostgreSQL operators are runs that do not end in + or - without a special character")
    func postgresOperators() {
        #expect(significant("a<>b") == [Kind(.word, "a"), Kind(.operator, "<>"), Kind(.word, "b")])
        #expect(significant("j @> '{}'") == [Kind(.word, "j"), Kind(.operator, "@>"), Kind(.string, "'{}'")])
        #expect(significant("x=-1") == [Kind(.word, "x"), Kind(.operator, "="), Kind(.operator, "-"), Kind(.number, "1")])
        #expect(significant("x @- y") == [Kind(.word, "x"), Kind(.operator, "@-"), Kind(.word, "y")])
        // A comment start ends the run.
        #expect(significant("a=--c") == [Kind(.word, "a"), Kind(.operator, "="), Kind(.lineComment, "--c")])
        #expect(significant("a+/*c*/") == [Kind(.word, "a"), Kind(.operator, "+"), Kind(.blockComment, "/*c*/")])
    }

    @Test("SQLite operators are its fixed set")
    func sqliteOperators() {
        #expect(
            significant("a<=b||c->>'$.d' != -1", .sqlite) == [
                Kind(.word, "a"), Kind(.operator, "<="), Kind(.word, "b"), Kind(.operator, "||"), Kind(.word, "c"),
                Kind(.operator, "->>"), Kind(.string, "'$.d'"), Kind(.operator, "!="), Kind(.operator, "-"), Kind(.number, "1"),
            ])
        #expect(significant("a < = b", .sqlite) != significant("a <= b", .sqlite))
    }

    // MARK: - Comments

    @Test("block comments nest in PostgreSQL, not in SQLite")
    func nestedComments() {
        #expect(significant("/* a /* b */ c */ d") == [Kind(.blockComment, "/* a /* b */ c */"), Kind(.word, "d")])
        #expect(significant("/* a /* b */ c */ d", .sqlite).prefix(2) == [Kind(.blockComment, "/* a /* b */"), Kind(.word, "c")])
    }

    @Test("a line comment ends at a line feed; at a lone carriage return too in PostgreSQL")
    func lineComments() {
        #expect(significant("-- a\rb") == [Kind(.lineComment, "-- a"), Kind(.word, "b")])
        #expect(significant("-- a\rb", .sqlite) == [Kind(.lineComment, "-- a\rb")])
        #expect(significant("-- a\nb", .sqlite) == [Kind(.lineComment, "-- a"), Kind(.word, "b")])
    }

    // MARK: - Lines and unterminated constructs

    @Test("each token knows its line; LF, CRLF and a lone CR each end one, also inside strings and comments")
    func lines() {
        let (lexer, tokens) = all("a\nb\r\nc\rd 'x\ny' e /* \n\n */ f $$\r\n$$ g", .postgres)
        let lines = Dictionary(uniqueKeysWithValues: tokens.filter { $0.kind == .word }.map { (lexer.text(of: $0), $0.line) })
        #expect(lines == ["a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 7, "g": 8])
    }

    @Test("an unterminated string, name, dollar quote or comment runs to the end, with the line it started on")
    func unterminated() {
        let cases: [(String, SQLLexer.Configuration, SQLToken.Kind)] = [
            ("a\n'open\n", .postgres, .string), ("a\n\"open", .postgres, .quotedIdentifier), ("a\nE'x\\'", .postgres, .string),
            ("a\n$tag$ x $TAG$", .postgres, .string), ("a\n/* /* */", .postgres, .blockComment), ("a\n`open", .sqlite, .quotedIdentifier),
            ("a\n[open", .sqlite, .quotedIdentifier), ("a\n/* x", .sqlite, .blockComment),
        ]
        for (sql, configuration, kind) in cases {
            let (lexer, tokens) = all(sql, configuration)
            let last = tokens.last
            #expect(last?.kind == kind, "\(sql.debugDescription)")
            #expect(last?.isTerminated == false, "\(sql.debugDescription)")
            #expect(last?.line == 2, "\(sql.debugDescription)")
            #expect(last?.range.upperBound == lexer.bytes.count)
        }
        // A value still reads what there is.
        let (lexer, tokens) = all("'it''s")
        #expect(lexer.value(of: tokens[0]) == "it's")
    }

    // MARK: - Unicode

    @Test("non-ASCII letters are name characters; tokens never cut a character")
    func unicode() {
        let sql = "SELECT café, \"名前\", 'héllo wörld' FROM ünïcode -- ✓ done\n; 🙂"
        #expect(
            significant(sql) == [
                Kind(.word, "SELECT"), Kind(.word, "café"), Kind(.punctuation, ","), Kind(.quotedIdentifier, "\"名前\""),
                Kind(.punctuation, ","), Kind(.string, "'héllo wörld'"), Kind(.word, "FROM"), Kind(.word, "ünïcode"),
                Kind(.lineComment, "-- ✓ done"), Kind(.punctuation, ";"), Kind(.word, "🙂"),
            ])
        let (lexer, tokens) = all(sql)
        #expect(lexer.value(of: tokens.first { $0.kind == .quotedIdentifier }!) == "名前")
        #expect(tokens.last?.line == 2)
    }

    // MARK: - Helpers built on tokens

    @Test("keywords compare in any letter case, and only unquoted")
    func keywords() {
        let (lexer, tokens) = all("create \"CREATE\" Created")
        let words = tokens.filter { !$0.isTrivia }
        #expect(words.map { lexer.isKeyword($0, "CREATE") } == [true, false, false])
    }

    @Test("leading words skip comments and stop at a string, quoted name or parenthesis")
    func leadingWords() {
        #expect(
            SQLLexer.leadingWords(of: "/* x */ create index -- y\n concurrently i ON t (a)", count: 3, configuration: .postgres) == [
                "CREATE", "INDEX", "CONCURRENTLY",
            ])
        #expect(SQLLexer.leadingWords(of: "SELECT set_config('a', 'b', false)", count: 5, configuration: .postgres) == ["SELECT", "SET_CONFIG"])
        #expect(SQLLexer.leadingWords(of: "vacuum", count: 0, configuration: .sqlite) == [])
        #expect(SQLLexer.leadingWords(of: "DROP TABLE \"x\" CASCADE", count: 5, configuration: .postgres) == ["DROP", "TABLE"])
    }

    @Test("each dialect supplies its lexical rules")
    func dialects() {
        #expect(PostgresDialect().lexerConfiguration == .postgres)
        #expect(SQLiteDialect().lexerConfiguration == .sqlite)
        #expect(SQLLexer.Configuration.sqlite.backtickQuotesIdentifiers && !SQLLexer.Configuration.postgres.backtickQuotesIdentifiers)
    }
}
