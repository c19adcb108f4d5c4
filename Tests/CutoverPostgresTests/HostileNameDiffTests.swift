import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

/// Tables, columns and comments with hostile names (quotes, CR, LF, `*/`, `/*`, `$$`, `--`,
/// `;`, backslashes, Unicode) on a real PostgreSQL: the text `cutover diff --sql` prints,
/// split again by ``SQLSplitter`` and run statement by statement (as psql would), does
/// exactly what the script's statements say — the `canary` table survives — and leaves the
/// two databases with the same schema, every name intact.
///
/// Reproduce a failure with `CUTOVER_PROPERTY_SEED=<seed> swift test --filter HostileNameDiffTests`.
@Suite("diff --sql with hostile names on PostgreSQL")
struct HostileNameDiffTests {
    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["CUTOVER_PROPERTY_SEED"].flatMap(UInt64.init) { return [seed] }
        return Array(1...12)
    }

    /// NUL is left out: PostgreSQL stores none in names or text (SQLTextTests cover it).
    static let pieces = [
        "'", "\"", "\r", "\n", "\r\n", "*/", "/*", "$$", "$a$", "--", ";", "\\", "é", "🙂", "\t", " ", "E'", "BEGIN", "END;",
        "DROP TABLE canary;", "x", "Y",
    ]

    /// A name of at most 63 bytes (PostgreSQL's NAMEDATALEN - 1) ending in `_tag`.
    static func hostileName(_ random: inout SeededGenerator, tag: String) -> String {
        while true {
            let count = Int.random(in: 1...5, using: &random)
            let name = (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined() + "_" + tag
            if name.utf8.count <= 63 { return name }
        }
    }

    /// The statements that create `tables` (name → columns, each with a comment) and `canary`.
    static func statements(_ tables: [(name: String, columns: [String], comment: String)]) -> [String] {
        var statements = ["CREATE TABLE canary (id integer)"]
        for table in tables {
            let name = "public." + SQLText.quotedIdentifier(table.name)
            statements.append("CREATE TABLE \(name) (\(table.columns.map { SQLText.quotedIdentifier($0) + " text" }.joined(separator: ", ")))")
            statements.append("COMMENT ON TABLE \(name) IS \(SQLText.escapedLiteral(table.comment))")
            for column in table.columns {
                statements.append("COMMENT ON COLUMN \(name).\(SQLText.quotedIdentifier(column)) IS \(SQLText.escapedLiteral(table.comment + column))")
            }
        }
        return statements
    }

    @Test("the printed script splits into its statements, keeps canary, and makes the schemas equal", arguments: seeds)
    func roundTrip(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        func name(_ tag: String) -> String { Self.hostileName(&random, tag: tag) }
        // The name from the report, and random ones.
        let attack = "evil\rDROP TABLE canary;\r--_\(seed)"
        let shared = (name: name("s"), columns: [name("c1"), name("c2"), name("c3")], comment: name("m"))
        let onlyA = [(name: attack, columns: [name("a1")], comment: name("ma")), (name: name("a"), columns: [name("a2"), name("a3")], comment: "*/ \r-- '")]
        let onlyB = [(name: name("b"), columns: [name("b1"), name("b2")], comment: name("mb")), (name: name("bb"), columns: [name("b3")], comment: "\\'; DROP TABLE canary; --")]
        let sharedA = (name: shared.name, columns: Array(shared.columns.prefix(2)), comment: shared.comment)
        let sharedB = (name: shared.name, columns: Array(shared.columns.suffix(2)), comment: name("m2"))
        try await withSession(prefix: "hostile_a") { dbA, _ in
            try await withSession(prefix: "hostile_b") { dbB, _ in
                for statement in Self.statements([sharedA] + onlyA) { try await dbA.execute(statement) }
                for statement in Self.statements([sharedB] + onlyB) { try await dbB.execute(statement) }
                let target = try await dbB.introspect(options: .init())
                let diff = SchemaDiff(from: try await dbA.introspect(options: .init()), to: target)
                let script = try diff.script(for: PostgresDialect(), configuration: .init(annotate: { _ in ["lint: \(attack)"] }))
                #expect(script.isComplete)

                // The printed text, split as psql or a migration file would.
                let run = try await script.runPrinted(on: dbA)
                #expect(run.splitMatches, "seed \(seed):\n\(script.text)")
                if let failure = run.failure {
                    Issue.record("seed \(seed): \(failure)\n\(script.text)")
                    return
                }
                #expect(try await scalar(dbA, "SELECT to_regclass('public.canary') IS NOT NULL AS present") == .bool(true), "seed \(seed): canary was dropped\n\(script.text)")
                let after = try await dbA.introspect(options: .init())
                #expect(SchemaDiff(from: after, to: target).isEmpty, "seed \(seed): \(SchemaDiff(from: after, to: target).text)\n\(script.text)")
                let names = Set(after.tables.map(\.name.name))
                #expect(names == Set(["canary", shared.name] + onlyB.map(\.name)), "seed \(seed): \(names.map(\.debugDescription))")
            }
        }
    }
}
