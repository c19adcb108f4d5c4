import CutoverCore
import Testing

/// Whole documents: comments everywhere, blank lines, CRLF line ends, and the characters TOML
/// refuses between values. The other TOML suites cover one kind of construct each.
@Suite struct TOMLParserTests {
    /// The same document with LF and with CRLF line ends.
    static let lineEnds = ["\n", "\r\n"]

    @Test("a document using every construct, with comments everywhere", arguments: lineEnds)
    func everyConstruct(lineEnd: String) throws {
        let text = """
            # This is a TOML document  
            title = "TOML Example" # after a value
            literal = 'C:\\path'
            "quoted key" = "x\\ty\\u00e9"
            c.d = true   
            multi = \"\"\"
            one \\
              two\"\"\"
            raw = '''
            a\\b'''

            [owner]   # after a header
            name = "Tom"
            dob = 1979-05-27T07:32:00-08:00

            [ database . "connection" ]
            ports = [ 8000, 8001, 8002 ] # after an array
            data = [ ["delta", "phi"], [3.14] ]
            temp_targets = { cpu = 79.5, case = 72.0 } # after an inline table
            hex = 0xDEAD_BEEF
            nothing = nan
            when = 07:32:00
            list = [
              # inside an array
              "one",  # after an item
              "two",
            ]

            [[products]]
            name = "Hammer"
            [[products]] # a second one
            sku = 284_758_393
            """.replacing("\n", with: lineEnd)
        let root = try TOMLFixture.parse(text)
        #expect(root["title"] == .string("TOML Example"))
        #expect(root["literal"] == .string("C:\\path"))
        #expect(root["quoted key"] == .string("x\ty\u{e9}"))
        #expect(TOMLFixture.value(at: ["c", "d"], in: root) == .bool(true))
        #expect(root["multi"] == .string("one two"))
        #expect(root["raw"] == .string("a\\b"))
        #expect(TOMLFixture.value(at: ["owner", "name"], in: root) == .string("Tom"))
        #expect(TOMLFixture.value(at: ["owner", "dob"], in: root)?.typeName == "an offset date-time")
        let connection = ["database", "connection"]
        #expect(TOMLFixture.value(at: connection + ["ports"], in: root) == .array([.integer(8000), .integer(8001), .integer(8002)]))
        #expect(TOMLFixture.value(at: connection + ["data"], in: root) == .array([.array([.string("delta"), .string("phi")]), .array([.float(3.14)])]))
        #expect(TOMLFixture.value(at: connection + ["temp_targets", "case"], in: root) == .float(72))
        #expect(TOMLFixture.value(at: connection + ["hex"], in: root) == .integer(0xDEAD_BEEF))
        #expect(TOMLFixture.value(at: connection + ["when"], in: root)?.typeName == "a local time")
        #expect(TOMLFixture.value(at: connection + ["list"], in: root) == .array([.string("one"), .string("two")]))
        guard case .array(let products)? = root["products"] else { Issue.record("no [[products]]"); return }
        #expect(products == [.table(TOMLTable(["name": .string("Hammer")])), .table(TOMLTable(["sku": .integer(284_758_393)]))])
        #expect(root.entry("products")?.line == 29)
    }

    @Test("documents that are empty or only comments and blanks", arguments: [
        "", "\n", "\r\n", "# only a comment", "  \t\n\n# one\n   # two\n", "\u{FEFF}# after a byte order mark\n",
    ])
    func empty(text: String) throws {
        #expect(try TOMLFixture.parse(text).entries.isEmpty)
    }

    @Test("comments hold any text but control characters", arguments: [
        "x = 1 # ünïcödé, \"quotes\", 'ticks', [brackets], # again",
        "# = not a key\nx = 1", "x = 1 #\tafter a tab",
    ])
    func comments(text: String) throws {
        #expect(try TOMLFixture.parse(text)["x"] == .integer(1))
    }

    @Test("control characters and stray carriage returns are refused with their line", arguments: [
        InvalidTOML("x = 1\n# a \u{7} bell", line: 2, mentions: "control character U+0007 in a comment"),
        InvalidTOML("x = 1 # \u{7F}", mentions: "control character U+007F in a comment"),
        InvalidTOML("a = 1\r\nb = 2\rc = 3", line: 2, mentions: "a carriage return (\\r) that is not followed by a line feed"),
        InvalidTOML("a = 1\n\rb = 2", line: 2, mentions: "carriage return"),
        InvalidTOML("a = 1\n# x\r", line: 2, mentions: "control character U+000D in a comment"),
        InvalidTOML("x = 1\n\u{1}", line: 2, mentions: "expected a key"),
    ])
    func controlCharacters(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("lines are counted the same with CRLF line ends", arguments: lineEnds)
    func crlfLines(lineEnd: String) {
        let text = ["a = 1", "", "[t]", "s = \"\"\"", "x", "\"\"\"", "b = [", "1", "]", "c = oops"].joined(separator: lineEnd)
        TOMLFixture.expectInvalid(text, line: 10, mentions: "'oops' is not a valid value")
    }
}
