import CutoverCore
import Foundation
import Testing

/// The seed inputs of the migration-file fuzz target (`Fuzz/corpus/FuzzMigrationFile`), run
/// with the harness's checks on every test run, so a lexer or splitter change that breaks
/// one shows up without running the fuzzer.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/FuzzMigrationFile")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }

    @Test("the corpus is where the test looks for it")
    func corpusExists() {
        #expect(Self.inputs.count >= 2, "no inputs in \(Self.corpus.path)")
    }

    @Test("each seed input parses or fails with an error, and an accepted file keeps its checksum", arguments: inputs)
    func seed(_ name: String) throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
        let text = String(decoding: data, as: UTF8.self)
        do {
            let migration = try MigrationFileParser().parse(fileName: "20261124120000_fuzz.sql", contents: text)
            #expect(!migration.up.isEmpty)
            #expect(migration.checksum == Checksum.of(fileContents: text))
        } catch let error as CutoverError {
            #expect(error.code == .invalidMigration)
        }
    }

    @Test("the seed with every kind of body splits into its statements")
    func bodies() throws {
        let text = try String(contentsOf: Self.corpus.appendingPathComponent("bodies.sql"), encoding: .utf8)
        let migration = try MigrationFileParser().parse(fileName: "20261124120000_fuzz.sql", contents: text)
        #expect(migration.up.map(\.line) == [2, 8, 9])
        #expect(migration.up.last?.sql == "SELECT \"quoted;ident\", E'\\'' FROM t")
    }
}
