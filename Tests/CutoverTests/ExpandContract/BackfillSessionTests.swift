import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// The backfill's session names its migration (`cutover.backfill`), so that the triggers of
/// other migrations on the table leave its no-op updates alone.
@Suite("Expand/contract: the backfill's session")
struct BackfillSessionTests {
    @Test("batches run with cutover.backfill = the migration's id; the application's writes without it")
    func batchSettings() async throws {
        let fx = try await ExpandContractFixture.make(rows: 500, yaml: """
            operations:
              - add_column:
                  table: users
                  column: { name: seen, type: text }
                  up: "'/' || coalesce(current_setting('cutover.backfill', true), '')"

            """)
        defer { Task { await fx.fixture.cleanUp() } }
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id, backfill: .init(initialBatchSize: 50)).phase == .expanded)
        let backfilled = try await fx.query("SELECT _cutover_new_seen AS seen, count(*)::bigint AS n FROM users GROUP BY 1")
        #expect(backfilled.map { $0.string("seen") } == ["/2"], "\(backfilled)")
        #expect(backfilled.first?.int("n") == 500)
        try await fx.asVersion("public") { try await $0.execute("INSERT INTO users (id, name, price) VALUES (9001, 'later', 1)") }
        let later = try await fx.query("SELECT _cutover_new_seen AS seen FROM users WHERE id = 9001").first?.string("seen")
        #expect(later == "/", "\(String(describing: later))")
        #expect(try await fx.deployment.completeExpandContract(ExpandContractFixture.id).phase == .completed)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE seen IS NULL") == 0)
    }
}
