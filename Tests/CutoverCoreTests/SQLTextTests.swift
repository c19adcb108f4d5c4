import CutoverCore
import Foundation
import Testing

@Suite struct SQLTextTests {
    @Test("identifiers are double-quoted with their quotes doubled")
    func quotedIdentifiers() {
        #expect(SQLText.quotedIdentifier("users") == "\"users\"")
        #expect(SQLText.quotedIdentifier("a\"b") == "\"a\"\"b\"")
        #expect(SQLText.quotedIdentifier("x'y;z") == "\"x'y;z\"")
        #expect(PostgresDialect().quoteIdentifier("a\"b") == SQLText.quotedIdentifier("a\"b"))
        #expect(SQLiteDialect().quoteIdentifier("a\"b") == SQLText.quotedIdentifier("a\"b"))
    }

    @Test("readable identifiers stay bare only when plain lower case and no keyword")
    func readableIdentifiers() {
        #expect(SQLText.identifier("users") == "users")
        #expect(SQLText.identifier("_tmp$1") == "_tmp$1")
        #expect(SQLText.identifier("Users") == "\"Users\"")
        #expect(SQLText.identifier("order") == "\"order\"")
        #expect(SQLText.identifier("user") == "\"user\"")
        #expect(SQLText.identifier("1st") == "\"1st\"")
        #expect(SQLText.identifier("x'y;z") == "\"x'y;z\"")
        #expect(SQLText.identifier("") == "\"\"")
        #expect(SQLText.identifier("naïve") == "\"naïve\"")
        #expect(SQLText.qualified("app", "Users") == "app.\"Users\"")
        #expect(SQLText.qualified(nil, "a\"b") == "\"a\"\"b\"")
    }

    @Test("literals double quotes; the PostgreSQL form escapes backslashes with E''")
    func literals() {
        #expect(SQLText.literal("it's") == "'it''s'")
        #expect(SQLText.escapedLiteral("it's") == "'it''s'")
        #expect(SQLText.escapedLiteral("a'b\\c") == "E'a\\'b\\\\c'")
        #expect(SQLiteDialect().literal(.text("it's")) == "'it''s'")
    }

    @Test("NUL, which no database keeps in a name, is replaced visibly")
    func nul() {
        #expect(SQLText.quotedIdentifier("a\0b") == "\"a\u{FFFD}b\"")
        #expect(SQLText.literal("a\0b") == "'a\u{FFFD}b'")
        #expect(SQLText.comment("a\0b") == "a\\0b")
    }

    @Test("comments stay on one line and cannot close or open a block comment")
    func comments() {
        #expect(SQLText.comment("evil\rDROP TABLE canary;\r--") == "evil\\rDROP TABLE canary;\\r--")
        #expect(SQLText.comment("a\nb\r\nc") == "a\\nb\\r\\nc")
        #expect(SQLText.comment("x */ DROP TABLE t; /* y") == "x * / DROP TABLE t; / * y")
        #expect(SQLText.comment("a*/\u{301}b /*/") == "a* /\u{301}b / * /")
        #expect(SQLText.comment("x\r\n--") == "x\\r\\n--")
        #expect(SQLText.comment("esc\u{1B}[2J bell\u{7} del\u{7F} nel\u{85} ls\u{2028}") == "esc\\u{1B}[2J bell\\u{7} del\\u{7F} nel\\u{85} ls\\u{2028}")
        #expect(SQLText.comment("plain é 🙂 ' \" $$ \\") == "plain é 🙂 ' \" $$ \\")
        #expect(SQLText.lineComments("one\ntwo\rthree") == ["-- one", "-- two\\rthree"])
    }

    @Test("a script's comments cannot end early, whatever the names in them")
    func scriptComments() throws {
        let name = "evil\rDROP TABLE canary;\r--"
        let table = Schema.Table(name: .init(name, schema: "public"), columns: [.init(name: "id", type: "integer")])
        let script = try SchemaDiff(from: Schema(dialect: "postgresql", tables: [table]), to: Schema(dialect: "postgresql")).script(for: PostgresDialect())
        let statements = try SQLSplitter().split(script.text)
        #expect(statements.map(\.sql) == ["DROP TABLE \"public\".\"evil\rDROP TABLE canary;\r--\""], "\(script.text)")
    }
}

/// Random hostile names through every schema renderer: the script's text, split again by
/// ``SQLSplitter``, gives back exactly the rendered statements — no name or comment ends a
/// quote or a comment early — and each name appears only in its quoted form.
///
/// Reproduce a failure with the seed it prints.
@Suite struct HostileNameRenderingTests {
    static let pieces = [
        "'", "\"", "\r", "\n", "\r\n", "\0", "*/", "/*", "$$", "$x$", "--", ";", "\\", "é", "🙂", "\u{2028}", "\t",
        "DROP TABLE canary;", "BEGIN", "END;", "(", ")", "[", "]", "`", "x", "Y", " ",
    ]

    static func hostileName(_ random: inout SplitMix64, index: Int) -> String {
        let count = Int.random(in: 1...6, using: &random)
        return (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined() + "_\(index)"
    }

    static func table(_ random: inout SplitMix64, index: Int, dialect: String) -> Schema.Table {
        let name = hostileName(&random, index: index)
        let columns = (0..<Int.random(in: 1...3, using: &random)).map { column in
            Schema.Column(
                name: hostileName(&random, index: column), type: dialect == "sqlite" ? "TEXT" : "text",
                comment: dialect == "sqlite" ? nil : hostileName(&random, index: column))
        }
        return Schema.Table(
            name: .init(name, schema: dialect == "sqlite" ? nil : "public"), columns: columns,
            comment: dialect == "sqlite" ? nil : hostileName(&random, index: index))
    }

    static func checkRoundTrip(_ script: SchemaScript, seed: UInt64) throws {
        let split = try SQLSplitter().split(script.text)
        let expected = script.statements.map { statement in
            var sql = statement.sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while sql.hasSuffix(";") { sql.removeLast() }
            return sql
        }
        #expect(split.map(\.sql) == expected, "seed \(seed):\n\(script.text)")
    }

    @Test("PostgreSQL and SQLite scripts split back into exactly their statements", arguments: ["postgresql", "sqlite"])
    func roundTrip(dialect: String) throws {
        for seed in UInt64(1)...200 {
            var random = SplitMix64(seed: seed)
            let before = (0..<3).map { Self.table(&random, index: $0, dialect: dialect) }
            var after = Array(before.prefix(1)) + (3..<5).map { Self.table(&random, index: $0, dialect: dialect) }
            after[0].columns.append(Schema.Column(name: Self.hostileName(&random, index: 9), type: dialect == "sqlite" ? "TEXT" : "text"))
            after[0].columns.removeFirst()
            let a = Schema(dialect: dialect, tables: before)
            let b = Schema(dialect: dialect, tables: after)
            let note = Self.hostileName(&random, index: 0)
            for (from, to) in [(Schema(dialect: dialect), b), (a, Schema(dialect: dialect)), (a, b), (b, a)] {
                let renderer: any Dialect = dialect == "sqlite" ? SQLiteDialect() : PostgresDialect()
                let script = try SchemaDiff(from: from, to: to).script(for: renderer, configuration: .init(annotate: { _ in [note] }))
                try Self.checkRoundTrip(script, seed: seed)
                for table in to.tables where !from.tables.contains(where: { $0.name == table.name }) {
                    let create = script.statements.first { $0.sql.hasPrefix("CREATE TABLE") && $0.sql.contains(SQLText.quotedIdentifier(table.name.name)) }
                    #expect(create != nil, "seed \(seed): no CREATE TABLE for \(table.name.name.debugDescription)\n\(script.text)")
                }
            }
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing seed reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
