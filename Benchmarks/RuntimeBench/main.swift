import Cutover
import CutoverCore
import CutoverRuntime
import CutoverSQLite
import Foundation
import Logging

/// Issue 15's benchmark: the cost of a cached `FeatureFlags.isEnabled`, SchemaRepair's overhead
/// on the happy path, and lazy row upgrades against a batched backfill — on an SQLite file in a
/// temporary folder, release build. Figures are printed with the machine's; nothing is asserted.
@main
struct RuntimeBench {
    static func main() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-runtime-bench-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB; SQLite file in \(folder)")

        let deployment = try makeDeployment(folder)
        _ = try await deployment.setFlag("new_checkout", enabled: true, percent: 10)
        try await flags(deployment)
        try await repair(deployment, folder: folder)
        try await lazy(folder: folder)
    }

    static func makeDeployment(_ folder: String) throws -> Deployment {
        try FileManager.default.createDirectory(atPath: folder + "/migrations", withIntermediateDirectories: true)
        var config = CutoverCore.Configuration(file: folder + "/cutover.toml", baseDirectory: folder)
        config.environments["bench"] = .init(name: "bench", url: "sqlite:" + folder + "/bench.sqlite3", line: 1)
        return try Deployment(config: config, environment: "bench", drivers: [SQLiteDriver()], processEnvironment: [:])
    }

    static func nanoseconds(_ duration: Duration, per count: Int) -> Double {
        Double(duration.components.seconds) * 1e9 / Double(count) + Double(duration.components.attoseconds) / 1e9 / Double(count)
    }

    static func flags(_ deployment: Deployment) async throws {
        let flags = FeatureFlags(deployment: deployment, refreshInterval: .seconds(3600))
        _ = try await flags.isEnabled("new_checkout")
        let count = 5_000_000
        let clock = ContinuousClock()
        var on = 0
        let plain = try await clock.measure {
            for _ in 0..<count where try await flags.isEnabled("new_checkout") { on += 1 }
        }
        let keyed = try await clock.measure {
            for index in 0..<count where try await flags.isEnabled("new_checkout", for: String(index)) { on += 1 }
        }
        print(String(format: "isEnabled (cached): %.1f ns/op; isEnabled(_:for:) with a 10 %% rollout: %.1f ns/op (%d on)",
                     nanoseconds(plain, per: count), nanoseconds(keyed, per: count), on))
    }

    static func repair(_ deployment: Deployment, folder: String) async throws {
        let repair = SchemaRepair(deployment: deployment)
        let count = 2_000_000
        let clock = ContinuousClock()
        var sum = 0
        let direct = try await clock.measure { for index in 0..<count { sum &+= try await call { index } } }
        let repaired = try await clock.measure { for index in 0..<count { sum &+= try await repair.run { index } } }
        print(String(format: "SchemaRepair.run on the happy path: %.1f ns/op against %.1f ns/op for a plain async call", nanoseconds(repaired, per: count), nanoseconds(direct, per: count)))
        let database = try await SQLiteDriver().open(try DatabaseURL("sqlite:" + folder + "/bench.sqlite3"), logger: .init(label: "bench"))
        let queries = 20_000
        let plainQueries = try await clock.measure { for _ in 0..<queries { _ = try await database.query("SELECT 1 AS x") } }
        let repairedQueries = try await clock.measure { for _ in 0..<queries { _ = try await repair.run { try await database.query("SELECT 1 AS x") } } }
        await database.close()
        print(String(format: "a SELECT 1 on SQLite: %.0f ns plain, %.0f ns through SchemaRepair.run (%.2fx)",
                     nanoseconds(plainQueries, per: queries), nanoseconds(repairedQueries, per: queries),
                     nanoseconds(repairedQueries, per: queries) / nanoseconds(plainQueries, per: queries)))
    }

    @inline(never)
    static func call<T>(_ body: () async throws -> T) async throws -> T { try await body() }

    static func lazy(folder: String) async throws {
        let rows = 50_000
        let migration = LazyMigration(table: "people", steps: [.sql(to: 2, set: ["full_name": "first_name || ' ' || last_name"])])
        var results: [String] = []
        for method in ["single UPDATE (floor)", "LazyMigration.backfill", "one UPDATE per row, autocommit (floor of per-row commits)", "LazyMigration.read of every row"] {
            let url = try DatabaseURL("sqlite:" + folder + "/lazy-\(results.count).sqlite3")
            let database = try await SQLiteDriver().open(url, logger: .init(label: "bench"))
            try await database.execute("CREATE TABLE people (id integer PRIMARY KEY, first_name text, last_name text, full_name text, row_version integer NOT NULL DEFAULT 1)")
            try await database.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows)) INSERT INTO people (id, first_name, last_name) SELECT i, 'first' || i, 'last' || i FROM n")
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                switch method {
                case "single UPDATE (floor)": try await database.execute("UPDATE people SET full_name = first_name || ' ' || last_name, row_version = 2")
                case "LazyMigration.backfill": try await migration.backfill(on: database, batchSize: 1_000)
                case "one UPDATE per row, autocommit (floor of per-row commits)":
                    for id in 1...rows {
                        try await database.execute("UPDATE people SET full_name = first_name || ' ' || last_name, row_version = 2 WHERE id = ?", [.integer(Int64(id))])
                    }
                default: for id in 1...rows { _ = try await migration.read(key: .integer(Int64(id)), on: database) }
                }
            }
            await database.close()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            results.append(String(format: "%@: %.2f s, %.0f rows/s", method, seconds, Double(rows) / seconds))
        }
        print("upgrade of \(rows) rows (SQLite; a lazy read commits its row, a backfill batch commits 1,000 rows):")
        for line in results { print("  " + line) }
    }
}
