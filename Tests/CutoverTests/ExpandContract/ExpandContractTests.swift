import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// `start` → both versions served → backfill → `complete`, and `abort`, on a real PostgreSQL.
@Suite("Expand/contract: start, backfill, complete and abort on PostgreSQL")
struct ExpandContractTests {
    @Test("after start, the old version reads and writes name/price and the new one full_name/price numeric/status; complete leaves the new shape")
    func bothVersionsServed() async throws {
        let fx = try await ExpandContractFixture.make()
        defer { Task { await fx.fixture.cleanUp() } }
        let log = ExpandContractEventLog()

        let record = try await fx.deployment.startExpandContract(
            ExpandContractFixture.id, backfill: .init(initialBatchSize: 100), events: log.handler)
        #expect(record.phase == .expanded)
        #expect(record.versionSchema == "public_2")

        // The backfill visited every row, in several batches, and converted each one.
        let progress = log.progress
        #expect(progress.count > 1)
        #expect(progress.last?.isFinished == true)
        #expect(progress.last?.rowsDone == 2_500)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_2 OR _cutover_new_price IS NULL OR _cutover_new_status IS NULL") == 0)
        let premium = try await fx.count("SELECT count(*) AS n FROM users WHERE price > 100")
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_new_status = 'premium'") == premium)

        // The old version: the table as it was.
        try await fx.asVersion("public") { old in
            try await old.execute("INSERT INTO users (id, name, price) VALUES (10001, 'old writer', 150)")
            try await old.execute("UPDATE users SET name = 'renamed by old', price = 7 WHERE id = 1")
            let row = try #require(try await old.query("SELECT name, price FROM users WHERE id = 2").first)
            #expect(row.string("name") == "user 2")
            #expect(row.int("price") == 2)
        }
        // The new version: its own names and types, through the version schema.
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO users (id, full_name, price, status) VALUES (10002, 'new writer', 12.6, 'vip')")
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (10003, 'new default', 1)")
            let old = try #require(try await new.query("SELECT full_name, price::text AS price, status FROM users WHERE id = 10001").first)
            #expect(old.string("full_name") == "old writer")
            #expect(old.string("price") == "150.00")
            #expect(old.string("status") == "premium")
            let updated = try #require(try await new.query("SELECT full_name, price::text AS price FROM users WHERE id = 1").first)
            #expect(updated.string("full_name") == "renamed by old")
            #expect(updated.string("price") == "7.00")
        }
        // What the new version wrote, seen by the old one through `down`.
        try await fx.asVersion("public") { old in
            let row = try #require(try await old.query("SELECT name, price FROM users WHERE id = 10002").first)
            #expect(row.string("name") == "new writer")
            #expect(row.int("price") == 13)
        }

        let completed = try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(completed.phase == .completed)
        #expect(try await fx.columns() == ["id", "full_name", "price", "status"])
        #expect(try await fx.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'price'").first?.string("t") == "numeric(12,2)")
        #expect(try await fx.query("SELECT attnotnull::int AS n FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'status'").first?.int("n") == 1)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE indexrelid = 'users_full_name_idx'::regclass AND indisvalid") == 1)
        // The new version goes on reading its schema after complete.
        try await fx.asVersion("public_2, public") { new in
            let row = try #require(try await new.query("SELECT full_name, status FROM users WHERE id = 10002").first)
            #expect(row.string("full_name") == "new writer")
            #expect(row.string("status") == "vip")
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (10004, 'after complete', 3)")
        }
        // Completing again does nothing.
        #expect(try await fx.deployment.completeExpandContract(ExpandContractFixture.id).phase == .completed)
        #expect(try await fx.deployment.expandContractRecords().map(\.phase) == [.completed])
    }

    @Test("abort puts the table back as it was, keeps the writes of both versions, and can run twice; start works again after it")
    func abortUndoesStart() async throws {
        let fx = try await ExpandContractFixture.make(rows: 300)
        defer { Task { await fx.fixture.cleanUp() } }
        let before = try await fx.columns()
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (5000, 'written by new', 40)")
        }

        let aborted = try await fx.deployment.abortExpandContract(ExpandContractFixture.id)
        #expect(aborted.phase == .aborted)
        #expect(try await fx.columns() == before)
        #expect(try await fx.query("SELECT name, price FROM users WHERE id = 5000").first?.string("name") == "written by new")
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'public_2'") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_proc WHERE proname LIKE '\\_cutover\\_%'") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE relname = 'users_full_name_idx'") == 0)
        #expect(try await fx.deployment.abortExpandContract(ExpandContractFixture.id).phase == .aborted)

        // Started again, it plans afresh and backfills every row again.
        let log = ExpandContractEventLog()
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id, events: log.handler).phase == .expanded)
        #expect(log.progress.last?.rowsDone == 301)
    }

    @Test("a backfill stopped half-way resumes from its last batch and converts every row")
    func backfillResumes() async throws {
        let fx = try await ExpandContractFixture.make(rows: 3_000)
        defer { Task { await fx.fixture.cleanUp() } }
        let log = ExpandContractEventLog()
        let deployment = fx.deployment
        // Cancel the run after its third batch, as a SIGINT would.
        let run = Task {
            try await deployment.startExpandContract(ExpandContractFixture.id, backfill: .init(targetBatchDuration: .seconds(10), initialBatchSize: 200)) { event in
                log.handler(event)
                if case .backfillProgress(let progress) = event, progress.rowsDone >= 600 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await #expect(throws: CancellationError.self) { try await run.value }
        #expect(try await fx.deployment.expandContractRecords().first?.phase == .expanding)
        let left = try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_2")
        #expect(left == 2_400)
        // status shows where the backfill stopped.
        let states = try await TestBackend.patientPostgres.withSession(fx.fixture.url, logger: Logger(label: "test")) { database in
            try await deployment.expandContractStates(on: database)
        }
        #expect(states.first?.expandContract?.versionSchema == "public_2")
        #expect(states.first?.backfills.map(\.table) == ["users"])
        #expect(states.first?.backfills.first?.rowsDone == 600)
        #expect(states.first?.backfills.first?.isDone == false)

        let resumed = ExpandContractEventLog()
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id, events: resumed.handler).phase == .expanded)
        // The second run started after the recorded 600 rows.
        #expect(resumed.progress.first.map { $0.rowsDone > 600 } == true)
        #expect(resumed.progress.last?.rowsDone == 3_000)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_2 OR _cutover_new_price IS NULL") == 0)
    }

    /// A throttle that always asks for an hour's pause, counting how often it is asked.
    final class AlwaysBusy: BackfillThrottle {
        let asked = Mutex(0)
        func pause(on database: any Database, after batch: Duration) async throws -> Duration {
            asked.withLock { $0 += 1 }
            return .seconds(3600)
        }
    }

    @Test("start --no-backfill leaves the rows and the index builds after them to `backfill`, which converts and builds them; a throttle that is always busy slows it without stopping it")
    func backfillLater() async throws {
        let fx = try await ExpandContractFixture.make(rows: 1_000)
        defer { Task { await fx.fixture.cleanUp() } }
        var options = Deployment.BackfillOptions(initialBatchSize: 100)
        options.runsBackfill = false
        let started = try await fx.deployment.startExpandContract(ExpandContractFixture.id, backfill: options)
        #expect(started.phase == .expanding)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_2") == 1_000)
        // The plain index on the backfilled table waits for the backfill.
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE relname = 'users_full_name_idx'") == 0)
        // Both versions are served already.
        try await fx.asVersion("public_2, public") { try await $0.execute("INSERT INTO users (id, full_name, price) VALUES (9000, 'new', 1)") }

        let throttle = AlwaysBusy()
        let log = ExpandContractEventLog()
        let done = try await fx.deployment.backfillExpandContract(
            ExpandContractFixture.id, backfill: .init(targetBatchDuration: .seconds(10), initialBatchSize: 100, throttle: throttle, maxPause: .milliseconds(15)),
            events: log.handler)
        #expect(done.phase == .expanded)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_2 OR _cutover_new_price IS NULL") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE indexrelid = 'users_full_name_idx'::regclass AND indisvalid") == 1)
        // Asked after every batch but the last; its hour-long pauses were cut to maxPause.
        let batches = log.progress.count
        #expect(batches >= 3)
        #expect(throttle.asked.withLock { $0 } == batches - 1)
        #expect(try await fx.deployment.backfillExpandContract(ExpandContractFixture.id).phase == .expanded)

        let notStarted = await #expect(throws: CutoverError.self) { try await fx.deployment.backfillExpandContract(MigrationID("7")!) }
        #expect(notStarted?.message.contains("not started") == true)
    }

    @Test("a CREATE INDEX CONCURRENTLY that fails leaves no INVALID index; start resumes after the data is fixed")
    func failedIndexBuildCleansUp() async throws {
        let yaml = """
            operations:
              - create_index: { name: users_name_key, table: users, columns: [name], unique: true }

            """
        let fx = try await ExpandContractFixture.make(rows: 200, yaml: yaml)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.asVersion("public") { try await $0.execute("UPDATE users SET name = 'user 1' WHERE id = 2") }

        let error = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(ExpandContractFixture.id) }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.migrationID == ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE relname = 'users_name_key'") == 0)
        #expect(try await fx.deployment.expandContractRecords().first?.phase == .expanding)

        try await fx.asVersion("public") { try await $0.execute("UPDATE users SET name = 'user 2' WHERE id = 2") }
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id).phase == .expanded)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE indexrelid = 'users_name_key'::regclass AND indisvalid") == 1)
    }

    @Test("refusals: complete before start, a second migration in flight, a file edited after start, SQLite")
    func refusals() async throws {
        let fx = try await ExpandContractFixture.make(rows: 10)
        defer { Task { await fx.fixture.cleanUp() } }
        let notStarted = await #expect(throws: CutoverError.self) { try await fx.deployment.completeExpandContract(ExpandContractFixture.id) }
        #expect(notStarted?.message.contains("not started") == true)
        #expect(notStarted?.code == .invalidArgument)

        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        try fx.fixture.write("3_more.yaml", "operations:\n  - rename_column: { table: users, from: price, to: cost }\n")
        let second = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(MigrationID("3")!) }
        #expect(second?.message.contains("cannot be in flight together with 2 (reshape, expanded): both change public.users") == true, "\(String(describing: second))")
        #expect(second?.hint?.contains("cutover complete 2") == true)

        try fx.fixture.write("2_reshape.yaml", ExpandContractFixture.reshape + "  - rename_column: { table: users, from: id, to: key }\n")
        let edited = await #expect(throws: CutoverError.self) { try await fx.deployment.completeExpandContract(ExpandContractFixture.id) }
        #expect(edited?.message.contains("was changed after `cutover start`") == true)
        #expect(edited?.code == .invalidMigration)
    }
}
