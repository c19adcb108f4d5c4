import Cutover
import CutoverCore
import Testing

/// ``PromotionPlan``: which histories may be promoted, and what is applied. Pure, no database.
@Suite("promotion plan")
struct PromotionPlanTests {
    static func migration(_ id: String, checksum: String? = nil) -> Migration {
        Migration(
            id: MigrationID(id)!, name: "m\(id)", fileName: "\(id)_m\(id).sql", up: [SQLStatement(sql: "SELECT 1", line: 1)], down: nil,
            isTransactional: true, checksum: checksum ?? "sum\(id)")
    }

    static func history(_ ids: [String], checksums: [String: String] = [:], phase: HistoryRecord.Phase = .applied) -> [MigrationID: HistoryRecord] {
        Dictionary(uniqueKeysWithValues: ids.map { id in
            (MigrationID(id)!, HistoryRecord(id: MigrationID(id)!, name: "m\(id)", checksum: checksums[id] ?? "sum\(id)", phase: phase))
        })
    }

    static let files = ["1", "2", "3", "10"].map { migration($0) }

    static func plan(source: [MigrationID: HistoryRecord], target: [MigrationID: HistoryRecord], files: [Migration] = files) throws -> PromotionPlan {
        try PromotionPlan(source: source, target: target, migrations: files, sourceName: "staging", targetName: "production")
    }

    @Test("a prefix promotes the rest of the source's history, in numeric id order")
    func prefix() throws {
        let plan = try Self.plan(source: Self.history(["1", "2", "10"]), target: Self.history(["1"]))
        #expect(plan.pending.map(\.rawValue) == ["2", "10"])
        #expect(plan.last?.rawValue == "10")
        let empty = try Self.plan(source: Self.history(["1", "2"]), target: [:])
        #expect(empty.pending.map(\.rawValue) == ["1", "2"])
        let same = try Self.plan(source: Self.history(["1", "2"]), target: Self.history(["1", "2"]))
        #expect(same.pending.isEmpty)
    }

    @Test("failed and rolled-back rows do not count as applied")
    func onlyApplied() throws {
        var target = Self.history(["1"])
        target.merge(Self.history(["2"], phase: .failed)) { first, _ in first }
        let plan = try Self.plan(source: Self.history(["1", "2"]), target: target)
        #expect(plan.pending.map(\.rawValue) == ["2"])
    }

    /// A pair of histories that must be refused, and what the message says.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var source: [String]
        var target: [String]
        var targetChecksums: [String: String] = [:]
        var message: String
        var testDescription: String { "staging \(source), production \(target)" }
    }

    @Test("refuses a target ahead of, beside, or differing from the source", arguments: [
        Refusal(source: ["1"], target: ["1", "2"], message: "production has 2 applied migrations, staging only 1"),
        Refusal(source: ["1", "3"], target: ["1", "2"], message: "2_m2 is applied on production but not on staging"),
        Refusal(source: ["1", "2", "3"], target: ["1", "3"], message: "staging applied 2_m2 before it, which production lacks"),
        Refusal(source: ["1", "2"], target: ["1"], targetChecksums: ["1": "other"], message: "1_m1 was applied from different files"),
    ])
    func refuses(_ refusal: Refusal) throws {
        let error = try #require(throws: CutoverError.self) {
            try Self.plan(source: Self.history(refusal.source), target: Self.history(refusal.target, checksums: refusal.targetChecksums))
        }
        #expect(error.code == .historyMismatch)
        #expect(error.exitCode == 3)
        #expect(error.message.contains(refusal.message), "\(error.message)")
        #expect(error.hint != nil)
    }

    @Test("refuses when a file to promote is missing or changed since the source applied it")
    func files() throws {
        let missing = try #require(throws: CutoverError.self) {
            try Self.plan(source: Self.history(["1", "2", "4"]), target: Self.history(["1"]))
        }
        #expect(missing.code == .validationFailed)
        #expect(missing.message.contains("its file is not in the migrations folder"))
        let changed = try #require(throws: CutoverError.self) {
            try Self.plan(source: Self.history(["1", "2"]), target: Self.history(["1"]), files: [Self.migration("1"), Self.migration("2", checksum: "edited")])
        }
        #expect(changed.code == .validationFailed)
        #expect(changed.message.contains("has changed since it was applied on staging"))
    }
}
