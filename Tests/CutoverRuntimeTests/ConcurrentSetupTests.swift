import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Testing

/// App instances creating Cutover's own objects at once (the flags table, the record
/// versions table and triggers) on a database that has none: each waits for the others under
/// the setup lock instead of failing in the catalog ("tuple concurrently updated").
@Suite("Cutover's own objects created by twenty instances at once")
struct ConcurrentSetupTests {
    @Test("RecordHistory.enable called by several instances at once all succeed, and versions are kept", arguments: TestBackend.all)
    func enableTogether(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        // Eight instances (the catalog race shows with two; the whole suite runs at once on 2
        // cores, and twenty sessions per test there add up); four on SQLite, which serves one node.
        let instances = backend.name == "sqlite" ? 4 : 8
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<instances { group.addTask { try await RecordHistory(deployment: fx.deployment, table: "users").enable() } }
            for try await key in group { #expect(key == ["id"]) }
        }
        _ = try await fx.fixture.query("INSERT INTO users VALUES (1, 'ada')")
        _ = try await fx.fixture.query("UPDATE users SET name = 'grace' WHERE id = 1")
        #expect(try await RecordHistory(deployment: fx.deployment, table: "users").versions(of: 1).count == 2)
    }

    @Test("several instances setting switches at once on a database without the flags table all succeed", arguments: TestBackend.all)
    func flagsTogether(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        try await withThrowingTaskGroup(of: FeatureFlag.self) { group in
            for index in 0..<8 { group.addTask { try await fx.deployment.setFlag("switch_\(index)", enabled: index % 2 == 0) } }
            try await group.waitForAll()
        }
        #expect(try await fx.deployment.flags().count == 8)
    }
}
