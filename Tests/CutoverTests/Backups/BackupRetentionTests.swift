import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("keep = N removes old backups only once a newer one is verified")
struct BackupRetentionTests {
    private func record(_ minute: Int, verified: Bool = false, env: String = "prod") -> BackupRecord {
        let stamp = String(format: "2026-11-24T20:%02d:00.000Z", minute)
        return BackupRecord(
            id: "m\(minute)", env: env, database: "", createdAt: stamp, reason: "manual", file: "m\(minute).dump", format: "x",
            sizeBytes: 1, sha256: "", durationMilliseconds: 1, lastMigration: nil, toolVersion: "", dumpTool: "", serverVersion: nil,
            schemaSHA256: "", rowCounts: [:], verifiedAt: verified ? stamp : nil)
    }

    @Test("nothing beyond keep is removed while no newer backup is verified")
    func unverified() {
        let plan = BackupRetention(keep: 2).plan((1...5).map { record($0) })
        #expect(plan.remove.isEmpty)
        #expect(plan.heldBack.map(\.id) == ["m3", "m2", "m1"])
    }

    @Test("backups older than a verified one and beyond keep are removed")
    func olderThanVerified() {
        let plan = BackupRetention(keep: 2).plan([record(1), record(2, verified: true), record(3), record(4), record(5)])
        // m3 is beyond keep but has no newer verified backup (m4, m5 are not verified).
        #expect(plan.heldBack.map(\.id) == ["m3", "m2"])
        #expect(plan.remove.map(\.id) == ["m1"])
    }

    @Test("the newest verified backup is never removed, however old")
    func newestVerifiedStays() {
        let records = [record(1, verified: true), record(2), record(3), record(4)]
        let plan = BackupRetention(keep: 1).plan(records.shuffled())
        #expect(!plan.remove.contains { $0.id == "m1" })
        #expect(plan.remove.isEmpty)
        let later = BackupRetention(keep: 1).plan(records + [record(5, verified: true)])
        #expect(later.remove.map(\.id) == ["m4", "m3", "m2", "m1"])
        #expect(later.heldBack.isEmpty)
    }

    @Test("keep counts each environment on its own", arguments: TestBackend.all)
    func integration(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager(keep: 2)
        var ids: [String] = []
        for _ in 0..<4 {
            let report = try await manager.backup()
            #expect(report.removed.isEmpty, "nothing is verified yet")
            ids.append(report.record.id)
        }
        let held = try manager.prune()
        #expect(held.heldBack.map(\.id) == [ids[1], ids[0]])
        #expect(try shop.catalog().backups.count == 4)

        // Verifying the second-newest lets the two older than it go; the newest two stay.
        let verification = try await manager.verify(ids[2])
        #expect(verification.isMatching, "\(verification.problems)")
        #expect(verification.removed.map(\.id) == [ids[1], ids[0]])
        #expect(try shop.catalog().backups.map(\.id).sorted() == [ids[2], ids[3]].sorted())
        for id in ids.prefix(2) {
            #expect(!FileManager.default.fileExists(atPath: shop.backupDirectory + "/\(id).schema.txt"))
        }

        // A fifth backup pushes the verified one beyond keep: it stays (nothing newer is verified).
        let fifth = try await manager.backup()
        #expect(fifth.removed.isEmpty)
        #expect(fifth.heldBack.map(\.id) == [ids[2]])
        #expect(try shop.catalog().backups.count == 3)
        await shop.cleanUp()
    }
}
