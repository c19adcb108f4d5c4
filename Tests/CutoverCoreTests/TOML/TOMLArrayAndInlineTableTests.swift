import CutoverCore
import Testing

/// Arrays and inline tables.
@Suite struct TOMLArrayAndInlineTableTests {
    @Test("arrays: nested, mixed, over lines, with comments and a trailing comma", arguments: [
        ("[]", []),
        ("[ 1, 2, 3 ]", [.integer(1), .integer(2), .integer(3)]),
        ("[\"red\", 'yellow', \"\"\"green\"\"\"]", [.string("red"), .string("yellow"), .string("green")]),
        ("[ [ 1, 2 ], [3, 4, 5] ]", [.array([.integer(1), .integer(2)]), .array([.integer(3), .integer(4), .integer(5)])]),
        ("[ [ 1, 2 ], [\"a\", 'b'] ]", [.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]),
        ("[ 0.1, 1, \"x\", true ]", [.float(0.1), .integer(1), .string("x"), .bool(true)]),
        ("[\n  1,\n  2, # two\n]", [.integer(1), .integer(2)]),
        ("[ # opening comment\n\n  1 # one\n  , 2\n\n# before the end\n]", [.integer(1), .integer(2)]),
        ("[\r\n  1,\r\n  2,\r\n]", [.integer(1), .integer(2)]),
        ("[1,2,]", [.integer(1), .integer(2)]),
        ("[[],[[]]]", [.array([]), .array([.array([])])]),
        ("[ { a = 1 }, { a = 2 } ]", [.table(TOMLTable(["a": .integer(1)])), .table(TOMLTable(["a": .integer(2)]))]),
        ("[\"]\", ',', \"#\"]", [.string("]"), .string(","), .string("#")]),
    ] as [(String, [TOMLValue])])
    func arrays(text: String, expected: [TOMLValue]) throws {
        #expect(try TOMLFixture.value(text) == .array(expected))
    }

    @Test("arrays TOML refuses", arguments: [
        InvalidTOML("x = [1,,2]", mentions: "expected a value in the array, found ','"),
        InvalidTOML("x = [,]", mentions: "expected a value in the array, found ','"),
        InvalidTOML("x = [1 2]", mentions: "expected ',' or ']' in the array"),
        InvalidTOML("x = [1,\n2,\n", mentions: "the array opened here is not closed with ']'"),
        InvalidTOML("a = 1\nx = [1, 2", line: 2, mentions: "not closed with ']'"),
        InvalidTOML("x = [1, oops]", mentions: "'oops' is not a valid value"),
        InvalidTOML("x = [1]]", mentions: "unexpected text ']'"),
        InvalidTOML("x = [\n  1, # \u{1} comment\n]", line: 2, mentions: "control character U+0001 in a comment"),
    ])
    func badArrays(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("inline tables with dotted keys, nested tables and arrays", arguments: [
        ("{}", [:]),
        ("{ first = \"Tom\", last = \"Preston-Werner\" }", ["first": .string("Tom"), "last": .string("Preston-Werner")]),
        ("{x=1,y=2}", ["x": .integer(1), "y": .integer(2)]),
        ("{ a = 1, b.c = \"x\" }", ["a": .integer(1), "b": .table(TOMLTable(["c": .string("x")]))]),
        ("{ type.name = \"pug\", type.age = 3 }", ["type": .table(TOMLTable(["name": .string("pug"), "age": .integer(3)]))]),
        ("{ a = { b = { c = 1 } } }", ["a": .table(TOMLTable(["b": .table(TOMLTable(["c": .integer(1)]))]))]),
        ("{ list = [\n  1,\n  2,\n], \"quoted key\" = true }", ["list": .array([.integer(1), .integer(2)]), "quoted key": .bool(true)]),
    ] as [(String, KeyValuePairs<String, TOMLValue>)])
    func inlineTables(text: String, expected: KeyValuePairs<String, TOMLValue>) throws {
        #expect(try TOMLFixture.value(text) == .table(TOMLTable(expected)))
    }

    @Test("inline tables TOML refuses", arguments: [
        InvalidTOML("x = { a = 1, }", mentions: "a comma after the last key of an inline table"),
        InvalidTOML("x = { a = 1,\n b = 2 }", mentions: "expected a key, found the end of the line"),
        InvalidTOML("x = { a = 1\n}", mentions: "an inline table must end on the line it starts"),
        InvalidTOML("x = { a = 1 b = 2 }", mentions: "expected ',' or '}' in the inline table"),
        InvalidTOML("x = { a = 1", mentions: "the inline table opened here is not closed with '}'"),
        InvalidTOML("x = { a = 1, a = 2 }", mentions: "the key 'x.a' is set twice"),
        InvalidTOML("x = { a.b = 1, a = 2 }", mentions: "set twice"),
        InvalidTOML("x = { , }", mentions: "expected a key"),
        InvalidTOML("a = { b = 1 }\na.c = 2", line: 2, mentions: "'a' is an inline table, which cannot be extended"),
        InvalidTOML("a = { b = 1 }\n[a]", line: 2, mentions: "'a' is an inline table, which cannot be extended"),
        InvalidTOML("a = { b = { c = 1 } }\n[a.b.d]", line: 2, mentions: "'a' is an inline table"),
        InvalidTOML("[t]\na = {}\n[t.a.b]", line: 3, mentions: "'t.a' is an inline table"),
        InvalidTOML("a = [{ b = 1 }]\n[[a]]", line: 2, mentions: "'a' is a plain array"),
        InvalidTOML("a = [{ b = 1 }]\n[a.c]", line: 2, mentions: "'a' is an array, not a table"),
    ])
    func badInlineTables(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("inline tables and arrays nested beyond the limit name the key", arguments: ["{ a = ", "[", "[{ a = "])
    func nestingLimit(opening: String) {
        let text = "[env.dev]\nx = " + String(repeating: opening, count: TOMLParser.maximumNesting + 1) + "\n"
        TOMLFixture.expectInvalid(text, line: 2, mentions: "nested more than \(TOMLParser.maximumNesting) deep in the value of 'env.dev.x")
    }

    @Test("inline tables nested up to the limit still parse")
    func nestingAtTheLimit() throws {
        let depth = TOMLParser.maximumNesting
        let text = String(repeating: "{ a = ", count: depth - 1) + "{}" + String(repeating: " }", count: depth - 1)
        var value = try #require(try TOMLFixture.value(text))
        var levels = 1
        while case .table(let table) = value, let inner = table["a"] {
            levels += 1
            value = inner
        }
        #expect(levels == depth)
    }
}
