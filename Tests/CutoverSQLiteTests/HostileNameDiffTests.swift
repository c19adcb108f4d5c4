import CutoverCore
import CutoverSQLite
import CutoverTestSupport
import Foundation
import Logging
import Testing

/// Tables and columns with hostile names on real SQLite files: the text `cutover diff --sql`
/// prints, split again by ``SQLSplitter`` and run statement by statement, does what the
/// script's statements say — `canary` survives — and leaves both files with the same schema.
@Suite("diff --sql with hostile names on SQLite")
struct SQLiteHostileNameDiffTests {
    static let pieces = [
        "'", "\"", "\r", "\n", "\r\n", "*/", "/*", "$$", "--", ";", "\\", "é", "🙂", "\t", " ", "[", "]", "`", "BEGIN", "END;",
        "DROP TABLE canary;", "x",
    ]

    static func open(_ directory: TemporaryDirectory, _ name: String) async throws -> any Database {
        try await SQLiteDriver().open(try DatabaseURL("sqlite:" + directory.path(name)), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    /// The statements that create `tables` (name → columns) and `canary`.
    static func statements(_ tables: [(name: String, columns: [String])]) -> [String] {
        ["CREATE TABLE canary (id INTEGER)"]
            + tables.map { table in
                "CREATE TABLE \(SQLText.quotedIdentifier(table.name)) (\(table.columns.map { SQLText.quotedIdentifier($0) + " TEXT" }.joined(separator: ", ")))"
            }
    }

    @Test("the printed script splits into its statements, keeps canary, and makes the schemas equal", arguments: Array(UInt64(1)...12))
    func roundTrip(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        func name(_ tag: String) -> String {
            (0..<Int.random(in: 1...5, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined() + "_" + tag
        }
        let attack = "evil\rDROP TABLE canary;\r--_\(seed)"
        let shared = (name: name("s"), columns: [name("c1"), name("c2"), name("c3")])
        let a = [(name: shared.name, columns: Array(shared.columns.prefix(2))), (name: attack, columns: [name("a1")]), (name: name("a"), columns: [name("a2")])]
        let b = [(name: shared.name, columns: Array(shared.columns.suffix(2))), (name: name("b"), columns: [name("b1"), name("b2")])]
        let directory = try TemporaryDirectory()
        let dbA = try await Self.open(directory, "a.sqlite3")
        let dbB = try await Self.open(directory, "b.sqlite3")
        for statement in Self.statements(a) { try await dbA.execute(statement) }
        for statement in Self.statements(b) { try await dbB.execute(statement) }
        let target = try await dbB.introspectSchema()
        let script = try SchemaDiff(from: try await dbA.introspectSchema(), to: target).script(for: SQLiteDialect(), configuration: .init(annotate: { _ in ["lint: \(attack)"] }))
        let run = try await script.runPrinted(on: dbA)
        #expect(run.splitMatches, "seed \(seed):\n\(script.text)")
        #expect(run.failure == nil, "seed \(seed): \(run.failure ?? "")\n\(script.text)")
        let canary = try await dbA.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'canary'")
        #expect(canary.first?.int("n") == 1, "seed \(seed): canary was dropped\n\(script.text)")
        let after = try await dbA.introspectSchema()
        #expect(SchemaDiff(from: after, to: target).isEmpty, "seed \(seed): \(SchemaDiff(from: after, to: target).text)\n\(script.text)")
        await dbA.close()
        await dbB.close()
        directory.remove()
    }
}
