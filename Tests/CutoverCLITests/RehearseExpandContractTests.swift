import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover rehearse with .yaml migrations")
struct RehearseExpandContractTests {
    private static let rename = """
        operations:
          - rename_column: { table: t, from: v, to: w }

        """

    @Test("the .yaml migration's phases are in the text and --json output; the target keeps its shape", arguments: TestBackend.all)
    func phases(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, v integer);\nINSERT INTO t VALUES (1, 1), (2, 2);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename)
        let json = try await cli.run("rehearse", "--json")
        #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
        #expect(!json.stderr.contains("not rehearsed yet"), "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["applied"] as? [String] == ["2"])
        let migrations = try #require(object["expand_contract"] as? [[String: Any]])
        #expect(migrations.first?["migration"] as? String == "2")
        let phases = try #require(migrations.first?["phases"] as? [[String: Any]])
        let names = phases.compactMap { $0["name"] as? String }
        #expect(names == (backend.name == "sqlite" ? ["apply"] : ["start", "complete"]), "\(phases)")
        #expect((object["schema_check"] as? [String: Any])?["drift"] as? Bool == false, "\(object)")
        let text = try await cli.run("rehearse")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("2_rename (expand/contract)"), "\(text.stdout)")
        #expect(text.stdout.contains(backend.name == "sqlite" ? "  apply: " : "  complete: "), "\(text.stdout)")
        // The target is untouched: the .yaml migration is still pending there.
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == ["applied", "pending"])
        await cli.cleanUp()
    }

    @Test("--abort-check starts and aborts the .yaml migration on the clone first and reports that the tables came back")
    func abortCheck() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, v integer);\nINSERT INTO t VALUES (1, 1), (2, 2);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename)
        let text = try await cli.run("rehearse", "--abort-check")
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("  abort check: abort brought the tables back as they were before start"), "\(text.stdout)")
        let object = try await cli.json("rehearse", "--abort-check")
        let migration = try #require((object["expand_contract"] as? [[String: Any]])?.first)
        #expect((migration["abort_check"] as? [String: Any])?["restored"] as? Bool == true, "\(migration)")
        let names = (migration["phases"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["start", "abort", "start", "complete"])
        await cli.cleanUp()
    }
}
