import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `complete` with a revert window, `revert`, `complete --finalize`, and the next run after
/// the window.
@Suite("Expand/contract revert window: revertible complete, revert, finalize")
struct ExpandContractRevertTests {
    @Test("finalize drops the old shape; refusals name the way out; revert is safe to run again; start works after a revert")
    func finalizeAndRefusals() async throws {
        let fx = try await ExpandContractFixture.make(rows: 200)
        defer { Task { await fx.fixture.cleanUp() } }
        let id = ExpandContractFixture.id
        let before = try await fx.columns()
        try await fx.deployment.startExpandContract(id)
        // revert of a migration that is only expanded: abort is the way.
        let early = await #expect(throws: CutoverError.self) { try await fx.deployment.revertExpandContract(id) }
        #expect(early?.hint?.contains("cutover abort 2") == true)

        #expect(try await fx.deployment.completeExpandContract(id, revertWindow: .seconds(600)).phase == .revertible)
        // The old shape is still there, and the new version still works through its schema.
        #expect(try await fx.columns().contains("name"))
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (9001, 'new one', 12.5)")
        }
        #expect(try await fx.query("SELECT name, price FROM users WHERE id = 9001").first?.int("price") == 13)
        // complete again without --finalize: still revertible; abort refuses and names revert.
        #expect(try await fx.deployment.completeExpandContract(id).phase == .revertible)
        let abort = await #expect(throws: CutoverError.self) { try await fx.deployment.abortExpandContract(id) }
        #expect(abort?.hint?.contains("cutover revert 2") == true)
        #expect(try await fx.deployment.expandContractRecords().first?.phase == .revertible)

        let reverted = try await fx.deployment.revertExpandContract(id)
        #expect(reverted.phase == .reverted)
        #expect(try await fx.deployment.revertExpandContract(id).phase == .reverted)
        #expect(try await fx.columns() == before)
        #expect(try await fx.query("SELECT name FROM users WHERE id = 9001").first?.string("name") == "new one")

        // Started again after the revert, then completed with a window and finalized.
        #expect(try await fx.deployment.startExpandContract(id).phase == .expanded)
        #expect(try await fx.deployment.completeExpandContract(id, revertWindow: .seconds(600)).phase == .revertible)
        let finalized = try await fx.deployment.completeExpandContract(id, finalize: true)
        #expect(finalized.phase == .completed)
        #expect(try await fx.columns() == ["id", "full_name", "price", "status"])
        let late = await #expect(throws: CutoverError.self) { try await fx.deployment.revertExpandContract(id) }
        #expect(late?.hint?.contains("write a new migration") == true)
    }

    @Test("[safety] revert_window applies to complete; the next migrate after the window finalizes, then applies what follows")
    func nextRunFinalizesAfterTheWindow() async throws {
        let fx = try await ExpandContractFixture.make(rows: 100)
        defer { Task { await fx.fixture.cleanUp() } }
        let id = ExpandContractFixture.id
        var config = fx.deployment.config
        config.safety.revertWindow = .seconds(3600)
        let deployment = try Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:])
        try await deployment.startExpandContract(id)
        #expect(try await deployment.completeExpandContract(id).phase == .revertible)

        // A migration after it waits while the window is open.
        try fx.fixture.write("3_later.sql", "CREATE TABLE later (id integer);")
        let waiting = await #expect(throws: CutoverError.self) { try await deployment.migrate() }
        #expect(waiting?.message.contains("revert window") == true, "\(String(describing: waiting))")
        #expect(try await fx.count("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'later'") == 0)

        // The window ends (as if 3600 s had passed): the next run finalizes, then goes on.
        _ = try await fx.query("UPDATE cutover.expand_contract SET revertible_until = now() - interval '1 second'")
        let report = try await deployment.migrate()
        #expect(report.migrate.applied.map(\.id.rawValue) == ["3"])
        #expect(try await deployment.expandContractRecords().first?.phase == .completed)
        #expect(try await fx.columns() == ["id", "full_name", "price", "status"])
    }
}
