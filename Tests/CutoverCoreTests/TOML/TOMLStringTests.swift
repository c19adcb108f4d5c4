import CutoverCore
import Testing

/// The four kinds of TOML string, their escapes, and the strings TOML refuses.
@Suite struct TOMLStringTests {
    @Test("basic strings", arguments: [
        (#""abc""#, "abc"),
        ("\"\"", ""),
        ("\"tab\there\"", "tab\there"),
        ("\"# not a comment\"", "# not a comment"),
        (#""'single' quotes""#, "'single' quotes"),
        (#""é 😀 日本""#, "é 😀 日本"),
    ])
    func basic(text: String, expected: String) throws {
        #expect(try TOMLFixture.value(text) == .string(expected))
    }

    @Test("every escape of a basic string", arguments: [
        (#"\b"#, "\u{08}"), (#"\t"#, "\t"), (#"\n"#, "\n"), (#"\f"#, "\u{0C}"), (#"\r"#, "\r"),
        (#"\""#, "\""), (#"\\"#, "\\"), (#"\u00E9"#, "é"), (#"\u00e9"#, "é"), (#"\U0001F600"#, "😀"),
        (#"\u0000"#, "\u{0}"), (#"\U0010FFFF"#, "\u{10FFFF}"), (#"a\tb\\c\"d"#, "a\tb\\c\"d"),
    ])
    func escapes(escaped: String, expected: String) throws {
        #expect(try TOMLFixture.value("\"\(escaped)\"") == .string(expected))
        #expect(try TOMLFixture.value("\"\"\"\(escaped)\"\"\"") == .string(expected), "in a multi-line string")
    }

    @Test("unknown and malformed escapes are refused, naming the line", arguments: [
        InvalidTOML(#"x = "\x41""#, mentions: "unknown escape '\\x'"),
        InvalidTOML(#"x = "\e""#, mentions: "unknown escape '\\e'"),
        InvalidTOML(#"x = "\a""#, mentions: "unknown escape"),
        InvalidTOML(#"x = "C:\path""#, mentions: "unknown escape '\\p'"),
        InvalidTOML(#"x = "\ ""#, mentions: "unknown escape"),
        InvalidTOML("a = 1\n" + #"x = "\u12""#, line: 2, mentions: "4 hexadecimal digits"),
        InvalidTOML(#"x = "\u12G4""#, mentions: "4 hexadecimal digits"),
        InvalidTOML(#"x = "\U1F600""#, mentions: "8 hexadecimal digits"),
        InvalidTOML(#"x = "\uD800""#, mentions: "not a Unicode scalar value"),
        InvalidTOML(#"x = "\U00110000""#, mentions: "not a Unicode scalar value"),
        InvalidTOML("a = 1\nx = \"\"\"\nline\n\\q\"\"\"", line: 4, mentions: "unknown escape '\\q'"),
    ])
    func badEscapes(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("literal strings take backslashes and quotes as written", arguments: [
        (#"'C:\Users\nodejs\templates'"#, #"C:\Users\nodejs\templates"#),
        (#"'\\ServerX\admin$\system32\'"#, #"\\ServerX\admin$\system32\"#),
        (#"'Tom "Dubs" Preston-Werner'"#, #"Tom "Dubs" Preston-Werner"#),
        (#"'<\i\c*\s*>'"#, #"<\i\c*\s*>"#),
        ("''", ""),
    ])
    func literal(text: String, expected: String) throws {
        #expect(try TOMLFixture.value(text) == .string(expected))
    }

    @Test("multi-line basic strings", arguments: [
        ("\"\"\"\nRoses are red\nViolets are blue\"\"\"", "Roses are red\nViolets are blue"),
        ("\"\"\"\r\nfirst\r\nsecond\"\"\"", "first\nsecond"),
        ("\"\"\"one line\"\"\"", "one line"),
        ("\"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"", "The quick brown fox jumps over the lazy dog."),
        ("\"\"\"\\\n       The quick brown \\\n       fox.\\\n       \"\"\"", "The quick brown fox."),
        ("\"\"\"trailing blanks after the backslash \\   \n  are trimmed too\"\"\"", "trailing blanks after the backslash are trimmed too"),
        ("\"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"", "Here are two quotation marks: \"\". Simple enough."),
        ("\"\"\"Here are three quotation marks: \"\"\\\".\"\"\"", "Here are three quotation marks: \"\"\"."),
        ("\"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"", "\"This,\" she said, \"is just a pointless statement.\""),
        ("\"\"\"ends in two quotes\"\"\"\"\"", "ends in two quotes\"\""),
        ("\"\"\"\n\n  kept # not a comment\n\"\"\"", "\n  kept # not a comment\n"),
        ("\"\"\"tab\there\"\"\"", "tab\there"),
    ])
    func multiLineBasic(text: String, expected: String) throws {
        #expect(try TOMLFixture.value(text) == .string(expected))
    }

    @Test("multi-line literal strings", arguments: [
        ("'''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n'''", "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"),
        (#"'''I [dw]on't need \d{2} apples'''"#, #"I [dw]on't need \d{2} apples"#),
        ("'''no \\\n trimming'''", "no \\\n trimming"),
        ("'''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''", "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\""),
        ("''''That,' she said, 'is still pointless.''''", "'That,' she said, 'is still pointless.'"),
        ("'''\r\nCRLF\r\nread as LF'''", "CRLF\nread as LF"),
    ])
    func multiLineLiteral(text: String, expected: String) throws {
        #expect(try TOMLFixture.value(text) == .string(expected))
    }

    @Test("a line after a multi-line string has the right number", arguments: [
        "x = \"\"\"\na\nb\"\"\"\ny = oops", "x = '''\na\nb'''\ny = oops", "x = \"\"\"a\\\n\n  b\"\"\"\ny = oops",
    ])
    func linesAfterMultiLineStrings(text: String) {
        TOMLFixture.expectInvalid(text, line: 4, mentions: "'oops' is not a valid value")
    }

    @Test("strings that are not closed name the line they open on", arguments: [
        InvalidTOML("x = \"abc\ny = 1", mentions: "string not closed before the end of the line"),
        InvalidTOML("x = 'abc\ny = 1", mentions: "string not closed before the end of the line"),
        InvalidTOML("x = \"abc", mentions: "string not closed"),
        InvalidTOML("a = 1\nx = \"\"\"abc\n\ny = 1\n", line: 2, mentions: "not closed with \"\"\""),
        InvalidTOML("a = 1\nx = '''abc\n\ny = 1\n", line: 2, mentions: "not closed with '''"),
        InvalidTOML("x = \"\"\"abc\"\"\"\"\"\"", mentions: "6 quotes in a row"),
        InvalidTOML("x = '''abc''''''", mentions: "6 quotes in a row"),
        InvalidTOML("x = \"abc\" \"def\"", mentions: "unexpected text"),
    ])
    func unclosed(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("control characters other than tab are refused in strings", arguments: [
        InvalidTOML("x = \"a\u{1}b\"", mentions: "U+0001"),
        InvalidTOML("x = 'a\u{1F}b'", mentions: "U+001F"),
        InvalidTOML("x = \"a\u{7F}b\"", mentions: "U+007F"),
        InvalidTOML("x = \"a\rb\"", mentions: "U+000D"),
        InvalidTOML("x = \"\"\"\nok\na\u{8}b\"\"\"", line: 3, mentions: "U+0008"),
        InvalidTOML("x = '''\na\rb'''", line: 2, mentions: "U+000D"),
    ])
    func controlCharacters(invalid: InvalidTOML) {
        invalid.expectRefused()
    }
}
