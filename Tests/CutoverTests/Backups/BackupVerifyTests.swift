import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("backup verify restores into a scratch database and compares")
struct BackupVerifyTests {
    @Test("a good backup verifies, is marked verified, and the scratch database is gone", arguments: TestBackend.all)
    func verifies(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager()
        let backup = try await manager.backup().record
        // Writes after the backup do not matter: the backup is compared with its record.
        try await shop.execute("DELETE FROM orders")
        let report = try await manager.verify(backup.id)
        #expect(report.isMatching, "\(report.problems)")
        #expect(report.restored?.rowCounts == backup.rowCounts)
        let stored = try #require(try shop.catalog().backups.first)
        #expect(stored.verifiedAt != nil)
        #expect(stored.verificationError == nil)
        #expect(try await scratchDatabases(shop).isEmpty)
        await shop.cleanUp()
    }

    @Test("a record that disagrees with the restored data is reported table by table", arguments: TestBackend.all)
    func mismatch(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager()
        let backup = try await manager.backup().record
        // Edit the catalog: the record now claims other counts and another schema.
        let path = shop.backupDirectory + "/catalog.json"
        var catalog = try shop.catalog()
        let users = backend.name == "postgres" ? "public.users" : "users"
        catalog.backups[0].rowCounts[users] = 999
        catalog.backups[0].rowCounts["ghost"] = 1
        catalog.backups[0].schemaSHA256 = String(repeating: "0", count: 64)
        try JSONEncoder().encode(catalog).write(to: URL(fileURLWithPath: path))
        let schemaFile = shop.backupDirectory + "/\(backup.id).schema.txt"
        try (String(contentsOfFile: schemaFile, encoding: .utf8) + "table that never was\n").write(toFile: schemaFile, atomically: true, encoding: .utf8)

        let report = try await manager.verify(backup.id)
        #expect(!report.isMatching)
        #expect(report.problems.contains("table \(users) has 200 rows, the backup recorded 999"), "\(report.problems)")
        #expect(report.problems.contains("table ghost (1 row recorded) is missing"))
        #expect(report.problems.contains("schema line missing: table that never was"))
        let stored = try #require(try shop.catalog().backups.first)
        #expect(stored.verifiedAt == nil)
        #expect(stored.verificationError != nil)
        #expect(try await scratchDatabases(shop).isEmpty)
        await shop.cleanUp()
    }

    @Test("a damaged file fails verification without a restore", arguments: TestBackend.all)
    func damaged(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let manager = shop.manager()
        let backup = try await manager.backup().record
        let path = shop.backupDirectory + "/" + backup.file
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count / 2] ^= 0xff
        try data.write(to: URL(fileURLWithPath: path))
        let report = try await manager.verify(backup.id)
        #expect(!report.isMatching)
        #expect(report.restored == nil)
        #expect(report.problems.first?.contains("damaged") == true)
        await shop.cleanUp()
    }

    /// Scratch databases (PostgreSQL) or files (SQLite) left behind by verify.
    private func scratchDatabases(_ shop: BackupFixture) async throws -> [String] {
        if shop.backend.name == "postgres" {
            let base = shop.url.database ?? ""
            return try await PostgresCluster.shared.queryAsSuperuser("SELECT datname FROM pg_database")
                .compactMap { $0.string("datname") }.filter { $0.hasPrefix(base + "_verify_") }
        }
        return try FileManager.default.contentsOfDirectory(atPath: shop.fixture.directory.url.path).filter { $0.contains("_verify_") }
    }
}
