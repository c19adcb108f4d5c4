import CutoverCore
import Testing

/// Keys, `[tables]`, `[[arrays of tables]]`, and TOML's rules on defining each once.
@Suite struct TOMLKeyAndTableTests {
    @Test("bare, quoted and dotted keys", arguments: [
        ("key = 1", ["key"]),
        ("bare_key-2 = 1", ["bare_key-2"]),
        ("1234 = 1", ["1234"]),
        (#""quoted key" = 1"#, ["quoted key"]),
        (#""ʎǝʞ" = 1"#, ["ʎǝʞ"]),
        ("'key2' = 1", ["key2"]),
        (#"'quoted "value"' = 1"#, [#"quoted "value""#]),
        (#""a\tb" = 1"#, ["a\tb"]),
        ("\"\" = 1", [""]),
        ("a.b.c = 1", ["a", "b", "c"]),
        (#"site."google.com" = 1"#, ["site", "google.com"]),
        (#"fruit . color = 1"#, ["fruit", "color"]),
        ("3.14159 = 1", ["3", "14159"]),
        (#"a."b.c".'d' = 1"#, ["a", "b.c", "d"]),
    ])
    func keys(text: String, path: [String]) throws {
        let root = try TOMLFixture.parse(text)
        #expect(TOMLFixture.value(at: path, in: root) == .integer(1))
    }

    @Test("dotted keys build tables that later dotted keys extend")
    func dottedKeysShareTables() throws {
        let root = try TOMLFixture.parse("""
            apple.type = "fruit"
            orange.type = "fruit"
            apple.skin = "thin"
            apple.color.hue = "red"
            """)
        #expect(TOMLFixture.value(at: ["apple", "type"], in: root) == .string("fruit"))
        #expect(TOMLFixture.value(at: ["apple", "skin"], in: root) == .string("thin"))
        #expect(TOMLFixture.value(at: ["apple", "color", "hue"], in: root) == .string("red"))
        #expect(TOMLFixture.value(at: ["orange", "type"], in: root) == .string("fruit"))
        guard case .table(let apple)? = root["apple"] else { Issue.record("apple is not a table"); return }
        #expect(apple.entries.map(\.key) == ["type", "skin", "color"])
        #expect(apple.line == 1)
    }

    @Test("keys TOML refuses", arguments: [
        InvalidTOML("name = 1\nname = 2", line: 2, mentions: "the key 'name' is set twice (first on line 1)"),
        InvalidTOML("spelling = 1\n\"spelling\" = 2", line: 2, mentions: "set twice"),
        InvalidTOML("a.b = 1\na.b = 2", line: 2, mentions: "the key 'a.b' is set twice"),
        InvalidTOML("a = 1\na.b = 2", line: 2, mentions: "'a' is an integer, not a table"),
        InvalidTOML("a.b = 1\na = 2", line: 2, mentions: "set twice"),
        InvalidTOML("= 1", mentions: "expected a key"),
        InvalidTOML("a b = 1", mentions: "expected '=' after the key 'a'"),
        InvalidTOML("a.= 1", mentions: "expected a key"),
        InvalidTOML("a..b = 1", mentions: "expected a key"),
        InvalidTOML("é = 1", mentions: "expected a key"),
        InvalidTOML("key =", mentions: "the key 'key' has no value"),
        InvalidTOML("key = # comment", mentions: "has no value"),
        InvalidTOML("key", mentions: "expected '='"),
        InvalidTOML("a = 1 b = 2", mentions: "unexpected text 'b = 2'"),
        InvalidTOML("\"\"\"key\"\"\" = 1", mentions: "a key cannot be a multi-line string"),
    ])
    func badKeys(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("table headers, dotted and quoted, with blanks", arguments: [
        ("[a.b]\nx = 1", ["a", "b", "x"]),
        (#"[ a . "b" ]"# + "\nx = 1", ["a", "b", "x"]),
        (#"[dog."tater.man"]"# + "\nx = 1", ["dog", "tater.man", "x"]),
        ("[ j . \"ʞ\" . 'l' ]\nx = 1", ["j", "ʞ", "l", "x"]),
        ("[\tg .  h  . i ]\nx = 1", ["g", "h", "i", "x"]),
        ("[x.y.z.w]\n[x]\nx = 1", ["x", "x"]),
        ("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nx = 1", ["fruit", "apple", "texture", "x"]),
        ("[a]\nb.c.x = 1", ["a", "b", "c", "x"]),
    ])
    func headers(text: String, path: [String]) throws {
        let root = try TOMLFixture.parse(text)
        #expect(TOMLFixture.value(at: path, in: root) == .integer(1))
    }

    @Test("an empty table is a table; a super-table named only by a header is one too")
    func emptyTables() throws {
        let root = try TOMLFixture.parse("[empty]\n[x.y.z]\n")
        #expect(root["empty"] == .table(TOMLTable()))
        guard case .table(let x)? = root["x"], case .table(let y)? = x["y"], case .table(let z)? = y["z"] else { Issue.record("x.y.z is not a table"); return }
        #expect(z.entries.isEmpty)
        #expect(z.line == 2)
        #expect(x.line == 2)
    }

    @Test("tables TOML refuses to define twice or to extend", arguments: [
        InvalidTOML("[fruit]\napple = 1\n\n[fruit]\norange = 2", line: 4, mentions: "table [fruit] is defined twice (first on line 1)"),
        InvalidTOML("[a.b]\n[a]\n[a]", line: 3, mentions: "table [a] is defined twice"),
        InvalidTOML("[fruit]\napple = \"red\"\n[fruit.apple]", line: 3, mentions: "'fruit.apple' is a string, not a table"),
        InvalidTOML("[fruit]\napple.color = \"red\"\n[fruit.apple]", line: 3, mentions: "table [fruit.apple] was already defined by dotted keys on line 2"),
        InvalidTOML("a.b = 1\n[a]", line: 2, mentions: "already defined by dotted keys"),
        InvalidTOML("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", line: 4, mentions: "'a.b' is a table defined by a [header] (line 1)"),
        InvalidTOML("[a.b]\n[a]\nb.x = 1", line: 3, mentions: "'a.b' is a table defined by a [header] (line 1)"),
        InvalidTOML("[a]\nb = 1\n[a.b.c]", line: 3, mentions: "'a.b' is an integer, not a table"),
        InvalidTOML("[]", mentions: "expected a key"),
        InvalidTOML("[a", mentions: "expected ']' to close the table header [a"),
        InvalidTOML("[a]b = 1", mentions: "unexpected text 'b = 1'"),
        InvalidTOML("[a.]", mentions: "expected a key"),
    ])
    func badTables(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("arrays of tables: [[name]] appends a table; [name.sub] goes into the last one")
    func arraysOfTables() throws {
        let root = try TOMLFixture.parse("""
            [[fruits]]
            name = "apple"

            [fruits.physical]  # a sub-table of the last [[fruits]]
            color = "red"

            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"

            [[fruits]]
            name = "banana"

            [[empty]]
            [[empty]]
            """)
        guard case .array(let fruits)? = root["fruits"], fruits.count == 2,
            case .table(let apple) = fruits[0], case .table(let banana) = fruits[1]
        else { Issue.record("fruits is not an array of two tables: \(String(describing: root["fruits"]))"); return }
        #expect(apple["name"] == .string("apple"))
        #expect(TOMLFixture.value(at: ["physical", "color"], in: apple) == .string("red"))
        guard case .array(let varieties)? = apple["varieties"] else { Issue.record("no varieties"); return }
        #expect(varieties.count == 2)
        #expect(banana["name"] == .string("banana"))
        #expect(banana["physical"] == nil)
        guard case .array(let empty)? = root["empty"] else { Issue.record("no [[empty]]"); return }
        #expect(empty.count == 2)
    }

    @Test("arrays of tables TOML refuses", arguments: [
        InvalidTOML("fruits = []\n[[fruits]]", line: 2, mentions: "'fruits' is a plain array, which [[fruits]] cannot add to"),
        InvalidTOML("[[fruits]]\n[fruits]", line: 2, mentions: "'fruits' is an array of tables"),
        InvalidTOML("[fruits]\n[[fruits]]", line: 2, mentions: "'fruits' is a table (line 1), not an array of tables"),
        InvalidTOML("[[a]]\nb.c = 1\n[a.b]", line: 3, mentions: "already defined by dotted keys"),
        InvalidTOML("[[a]\n", mentions: "expected ']]'"),
        InvalidTOML("[ [a]]\n", mentions: "expected a key"),
        InvalidTOML("[[a]]\n[[a.b]]\nx = 1\n[a.b]", line: 4, mentions: "'a.b' is an array of tables"),
    ])
    func badArraysOfTables(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("an entry's line is where its key was written")
    func lines() throws {
        let root = try TOMLFixture.parse("\n# comment\na = 1\n\n[t]\nb = [\n  1,\n]\nc.d = 2\n")
        #expect(root.entry("a")?.line == 3)
        #expect(root.entry("t")?.line == 5)
        guard case .table(let t)? = root["t"] else { Issue.record("t is not a table"); return }
        #expect(t.line == 5)
        #expect(t.entry("b")?.line == 6)
        #expect(t.entry("c")?.line == 9)
    }
}
