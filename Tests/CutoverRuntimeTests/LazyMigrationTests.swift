import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// LazyMigration on a real SQLite file and a real PostgreSQL: rows upgraded when read, SQL and
/// Swift steps, compare-and-set against concurrent writers, batched backfill.
@Suite("LazyMigration: rows upgraded as they are read")
struct LazyMigrationTests {
    /// `people (id, first_name, last_name, full_name, email, row_version)`: 200 rows at version 1.
    static func make(_ backend: TestBackend) async throws -> RuntimeFixture {
        let fx = try await RuntimeFixture.make(backend)
        try fx.fixture.write("1_users.sql", """
            CREATE TABLE people (id integer PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, full_name text, email text, counter integer NOT NULL DEFAULT 0, row_version integer NOT NULL DEFAULT 1);
            """)
        _ = try await fx.deployment.migrate()
        let values = (1...200).map { "(\($0), 'Ada\($0)', 'Lovelace', NULL, 'ADA\($0)@EXAMPLE.COM')" }.joined(separator: ", ")
        _ = try await fx.fixture.query("INSERT INTO people (id, first_name, last_name, full_name, email) VALUES \(values)")
        return fx
    }

    static let migration = LazyMigration(table: "people", steps: [
        .sql(to: 2, set: ["full_name": "first_name || ' ' || last_name"]),
        .swift(to: 3) { row in row["email"] = .text((row["email"]?.string ?? "").lowercased()) },
    ])

    @Test("a read returns the row upgraded through SQL and Swift steps and writes it back once", arguments: TestBackend.all)
    func readUpgrades(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        let row = try #require(try await Self.migration.read(key: .integer(7), on: database))
        #expect(row.string("full_name") == "Ada7 Lovelace")
        #expect(row.string("email") == "ada7@example.com")
        #expect(row.int("row_version") == 3)
        #expect(!row.columns.contains("_cutover_fingerprint"))
        let stored = try await fx.fixture.query("SELECT full_name, email, row_version FROM people WHERE id = 7").first
        #expect(stored?.string("full_name") == "Ada7 Lovelace" && stored?.int("row_version") == 3)
        // The others are untouched; an unknown key is nil.
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE row_version = 1").first?.int("n") == 199)
        #expect(try await Self.migration.read(key: .integer(9999), on: database) == nil)
    }

    @Test("two writers and a lazy reader on the same old row: no write is lost", arguments: TestBackend.all)
    func concurrentWritersLoseNothing(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let url = fx.fixture.url
        let increments = 40
        // Ordinary writes that leave row_version alone, from two sessions, while two readers
        // upgrade the same rows: every increment must survive.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let database = try await TestBackend.open(url, lockWait: .seconds(60))
                    defer { Task { await database.close() } }
                    for _ in 0..<increments {
                        // The email says which increment wrote it: a lost write shows.
                        try await database.execute("UPDATE people SET counter = counter + 1, email = 'W' || (counter + 1) || '@X.COM' WHERE id IN (1, 2, 3)")
                    }
                }
                group.addTask {
                    let database = try await TestBackend.open(url, lockWait: .seconds(60))
                    defer { Task { await database.close() } }
                    for _ in 0..<increments {
                        for id in 1...3 { _ = try await Self.migration.read(key: .integer(Int64(id)), on: database) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let rows = try await fx.fixture.query("SELECT counter, row_version, full_name FROM people WHERE id IN (1, 2, 3) ORDER BY id")
        #expect(rows.map { $0.int("counter") } == [80, 80, 80])
        #expect(rows.map { $0.int("row_version") } == [3, 3, 3])
        #expect(rows.first?.string("full_name") == "Ada1 Lovelace")
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE id IN (1, 2, 3) AND lower(email) = 'w' || counter || '@x.com'").first?.int("n") == 3)
    }

    @Test("a write between the read and the write-back makes the step run again on the new values", arguments: TestBackend.all)
    func compareAndSetRetries(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        let url = fx.fixture.url
        let interfered = Mutex(false)
        // The Swift step writes to the row from another session the first time it runs.
        let meddling = LazyMigration(table: "people", steps: [
            .swift(to: 2) { row in
                let first = interfered.withLock { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first {
                    let other = try await TestBackend.open(url)
                    try await other.execute("UPDATE people SET last_name = 'Byron' WHERE id = 5")
                    await other.close()
                }
                row["full_name"] = .text("\(row["first_name"]?.string ?? "") \(row["last_name"]?.string ?? "")")
            }
        ])
        let row = try #require(try await meddling.read(key: .integer(5), on: database))
        #expect(row.string("full_name") == "Ada5 Byron")
        #expect(row.string("last_name") == "Byron")
    }

    @Test("backfill upgrades every old row in batches with progress, stops when cancelled, and goes on when run again", arguments: TestBackend.all)
    func backfill(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        _ = try await Self.migration.read(key: .integer(100), on: database)

        // Stopped after the first batch.
        let stopper = Task {
            try await Self.migration.backfill(on: database, batchSize: 50) { _ in withUnsafeCurrentTask { $0?.cancel() } }
        }
        await #expect(throws: CancellationError.self) { try await stopper.value }
        let left = try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE row_version < 3").first?.int("n") ?? -1
        #expect(left == 149, "the first batch of 50 was upgraded before the stop")

        let seen = Mutex<[Int]>([])
        let upgraded = try await Self.migration.backfill(on: database, batchSize: 50) { progress in seen.withLock { $0.append(progress.remaining) } }
        #expect(upgraded == 149)
        #expect(seen.withLock { $0 } == [99, 49, 0])
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE row_version = 3 AND full_name = first_name || ' ' || last_name AND email = lower(email)").first?.int("n") == 200)
    }

    @Test("a backfill in batches under two concurrent writers: no write is lost, every row upgraded", arguments: TestBackend.all)
    func backfillUnderWritersLosesNothing(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let url = fx.fixture.url
        let increments = 30
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let database = try await TestBackend.open(url, lockWait: .seconds(60))
                    defer { Task { await database.close() } }
                    for round in 0..<increments {
                        // Spread over the table, so batches meet them.
                        let ids = stride(from: 1 + round % 7, through: 200, by: 7).map(String.init).joined(separator: ", ")
                        try await database.execute("UPDATE people SET counter = counter + 1, email = 'w' || (counter + 1) || '@x.com' WHERE id IN (\(ids))")
                    }
                }
            }
            group.addTask {
                let database = try await TestBackend.open(url, lockWait: .seconds(60))
                defer { Task { await database.close() } }
                // Several passes: a batch may find rows the writers change meanwhile.
                for _ in 0..<3 { try await Self.migration.backfill(on: database, batchSize: 20) }
            }
            try await group.waitForAll()
        }
        let database = try await TestBackend.open(url)
        defer { Task { await database.close() } }
        try await Self.migration.backfill(on: database, batchSize: 20)
        // Every increment counted: two writers, each touching every id of its round once.
        let written = (0..<increments).map { Array(stride(from: 1 + $0 % 7, through: 200, by: 7)).count }.reduce(0, +) * 2
        #expect(try await fx.fixture.query("SELECT sum(counter) AS n FROM people").first?.int("n") == written)
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE row_version = 3 AND full_name = first_name || ' ' || last_name AND email = lower(email)").first?.int("n") == 200)
        // Each written email names its increment: the last increment of each row survived.
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM people WHERE counter > 0 AND lower(email) <> 'w' || counter || '@x.com'").first?.int("n") == 0)
    }
}
