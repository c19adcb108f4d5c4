import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

/// Random schema pairs on PostgreSQL: the DDL that `SchemaDiff` renders must turn the first
/// into the second exactly.
///
/// Reproduce a failure with `CUTOVER_PROPERTY_SEED=<seed> swift test --filter SchemaDiffPropertyTests`;
/// `CUTOVER_PROPERTY_RUNS=<n>` runs more seeds.
@Suite("schema diff property: random pairs on PostgreSQL")
struct SchemaDiffPropertyTests {
    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["CUTOVER_PROPERTY_SEED"].flatMap(UInt64.init) { return [seed] }
        let runs = environment["CUTOVER_PROPERTY_RUNS"].flatMap(Int.init) ?? 30
        return (1...UInt64(max(1, runs))).map { $0 * 7919 }
    }

    /// Seeds run four at a time: each holds two sessions, and a test run shares the
    /// server's connection limit with every other suite.
    @Test("applying the --sql output to A leaves no difference from B")
    func roundTrips() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = Self.seeds[...]
            for _ in 0..<4 {
                guard let seed = pending.popFirst() else { break }
                group.addTask { try await Self.roundTrip(seed: seed) }
            }
            while try await group.next() != nil {
                guard let seed = pending.popFirst() else { continue }
                group.addTask { try await Self.roundTrip(seed: seed) }
            }
        }
    }

    static func roundTrip(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let a = RandomSchema.random(.postgresql, using: &random)
        let b = a.mutated(changes: Int.random(in: 1...6, using: &random), using: &random)
        try await withSession(prefix: "prop_a") { dbA, _ in
            try await withSession(prefix: "prop_b") { dbB, _ in
                for statement in a.statements() { try await dbA.execute(statement) }
                for statement in b.statements() { try await dbB.execute(statement) }
                let target = try await dbB.introspect(options: .init())
                let diff = SchemaDiff(from: try await dbA.introspect(options: .init()), to: target)
                #expect(!diff.isEmpty, "seed \(seed): the mutations do not show in the diff")
                let script = try diff.script(for: PostgresDialect())
                #expect(script.isComplete, "seed \(seed): \(script.unsupported)")
                for group in script.transactions {
                    try await dbA.execute("BEGIN")
                    for statement in group {
                        do {
                            try await dbA.execute(statement.sql)
                        } catch {
                            Issue.record("seed \(seed): \(statement.sql) failed: \(error)\nscript:\n\(script.text)\ndiff:\n\(diff.text)")
                            try await dbA.execute("ROLLBACK")
                            return
                        }
                    }
                    try await dbA.execute("COMMIT")
                }
                let remaining = SchemaDiff(from: try await dbA.introspect(options: .init()), to: target).text
                #expect(remaining == "schemas are identical", "seed \(seed)\ndiff:\n\(diff.text)\nscript:\n\(script.text)")
            }
        }
    }
}
