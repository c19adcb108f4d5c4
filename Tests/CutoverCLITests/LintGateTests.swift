import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("lint blocks migrate and validate")
struct LintGateTests {
    @Test("a non-concurrent index on an existing table stops migrate (exit 3) until allowed")
    func blocksUntilAllowed() async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"2s\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer, a integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_index.sql", "CREATE INDEX t_a ON t (a);")
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("require-concurrent-index-creation"))
        #expect(refused.stderr.contains("2_index.sql:1"))
        #expect(try await cli.run("validate").status == 3)
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.last?["state"] as? String == "pending")
        try cli.fixture.write("2_index.sql", "-- cutover:allow require-concurrent-index-creation\nCREATE INDEX t_a ON t (a);")
        let allowed = try await cli.run("migrate")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        await cli.cleanUp()
    }
}
