import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `start` of the last of several pending `.yaml` migrations expands them as one step (a
/// weekly release train in one deploy window; pgroll #725).
@Suite("Expand/contract chains: several pending migrations started, completed and aborted as one step")
struct ExpandContractChainTests {
    static let rename = "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n"
    /// Reads `full_name`: the name the version before it (2's) gives the column.
    static let initial = "operations:\n  - add_column:\n      table: users\n      column: { name: initial, type: text }\n      up: \"left(full_name, 1)\"\n"

    @Test("start 3 expands 2 and 3 as one step: one version schema, both versions served; abort of either undoes both; complete finishes both")
    func chainStartsAsOneStep() async throws {
        let fx = try await ExpandContractFixture.make(rows: 300, yaml: Self.rename)
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("3_initial.yaml", Self.initial)
        let before = try await fx.columns()

        let started = try await fx.deployment.startExpandContract(MigrationID("3")!)
        #expect(started.phase == .expanded)
        #expect(started.chain.map(\.rawValue) == ["2", "3"])
        #expect(started.versionSchema == "public_3")
        #expect(try await fx.deployment.expandContractRecords().map(\.phase) == [.expanded, .expanded])
        // The old version writes name; the new one reads full_name and initial, and writes them.
        try await fx.asVersion("public") { old in
            try await old.execute("INSERT INTO users (id, name, price) VALUES (7001, 'Zed', 1)")
        }
        let seen = try await fx.asVersion("public_3, public") { new in
            try await new.execute("INSERT INTO users (id, full_name, price, initial) VALUES (7002, 'Amy', 2, 'A')")
            return try await new.query("SELECT full_name, initial FROM users WHERE id IN (7001, 1) ORDER BY id")
        }
        #expect(seen.map { $0.string("full_name") } == ["user 1", "Zed"])
        #expect(seen.map { $0.string("initial") } == ["u", "Z"])

        // Abort through the first id undoes the whole chain; it may start again.
        #expect(try await fx.deployment.abortExpandContract(MigrationID("2")!).phase == .aborted)
        #expect(try await fx.deployment.expandContractRecords().map(\.phase) == [.aborted, .aborted])
        #expect(try await fx.columns() == before)
        #expect(try await fx.query("SELECT name FROM users WHERE id = 7002").first?.string("name") == "Amy")

        #expect(try await fx.deployment.startExpandContract(MigrationID("3")!).chain.count == 2)
        // complete of a follower's id completes the chain.
        #expect(try await fx.deployment.completeExpandContract(MigrationID("2")!).phase == .completed)
        #expect(try await fx.deployment.expandContractRecords().map(\.phase) == [.completed, .completed])
        #expect(try await fx.columns() == ["id", "full_name", "price", "initial"])
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE initial IS NULL OR initial <> left(full_name, 1)") == 0)

        // A .sql migration between two pending .yaml ones cannot be part of an expand phase.
        try fx.fixture.write("4_nick.yaml", "operations:\n  - add_column: { table: users, column: { name: nick, type: text } }\n")
        try fx.fixture.write("5_plain.sql", "CREATE TABLE plain (id integer);")
        try fx.fixture.write("6_more.yaml", "operations:\n  - add_column: { table: users, column: { name: more, type: text } }\n")
        let refused = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(MigrationID("6")!) }
        #expect(refused?.message.contains("5_plain.sql lies between them") == true, "\(String(describing: refused))")
    }
}
