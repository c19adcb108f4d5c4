import Crypto
import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

@Suite("PostgresDatabase run lock")
struct PostgresRunLockTests {
    /// The pid of the session holding the run lock in the database of `db`.
    func holderPID(_ db: PostgresDatabase) async throws -> Int? {
        try await db.query("""
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objid::int8 = 3176913482 AND classid::int8 = 1412424135
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """).first?.int("pid")
    }

    @Test("the key is the first 8 bytes of SHA-256(\"cutover\")")
    func keyDerivation() {
        let digest = Array(SHA256.hash(data: Array("cutover".utf8)))
        let key = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(PostgresDatabase.runLockKey == Int64(bitPattern: key))
    }

    @Test("the lock is held by the session that runs the migrations; a second runner times out naming it, and gets the lock after release")
    func secondRunnerWaits() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let pid = try #require(try await holderPID(db))
            // The working session itself: its backend must end before the lock is free.
            #expect(try await scalar(db, "SELECT pg_backend_pid()")?.int == Int64(pid))
            let holder = try #require(try await db.query("SELECT application_name FROM pg_stat_activity WHERE pid = \(pid)").first)
            #expect(holder.string("application_name") == "cutover")

            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let started = ContinuousClock.now
            let error = try await #require(throws: CutoverError.self) {
                try await other.acquireRunLock(wait: .milliseconds(300), logger: testLogger)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(300))
            #expect(elapsed < .seconds(60), "bounded by the 300 ms wait, not waiting on (slack for a loaded machine)")
            #expect(error.code == .lockNotAcquired)
            #expect(error.message.contains("pid \(pid)"))
            #expect(error.message.contains("application 'cutover'"))
            #expect(error.message.contains("client 127.0.0.1") || error.message.contains("client ::1"))
            #expect(error.hint?.contains("pg_terminate_backend(\(pid))") == true)
            #expect(error.exitCode == 4)
            // The failed attempt left the other session usable and holding nothing.
            #expect(try await scalar(other, "SELECT 1")?.int == 1)

            await lock.release()
            await lock.release()  // idempotent
            #expect(try await holderPID(db) == nil)
            let second = try await other.acquireRunLock(wait: .zero, logger: testLogger)
            #expect(try await holderPID(db) != nil)
            await second.release()
            #expect(try await holderPID(db) == nil)
            await other.close()
        }
    }

    @Test("the lock lasts while the holder's backend finishes a statement after its client is gone")
    func lockOutlivesClient() async throws {
        try await withSession { db, url in
            try await db.execute("CREATE TABLE marker (id integer)")
            // So that the backend does not notice its vanished client and roll back (it
            // would then end early, and the row this test looks for would never be written).
            try await db.execute("SET client_connection_check_interval = 0")
            _ = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let pid = try #require(try await holderPID(db))
            // The holder's backend runs a statement that commits on its own (autocommit), and
            // its client vanishes meanwhile, as a killed cutover's would.
            let busy = Task { try? await db.execute("DO $$ BEGIN PERFORM pg_sleep(0.7); INSERT INTO marker VALUES (1); END $$") }
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while try await scalar(other, "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active'")?.int != 1, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            await db.close()
            // A second runner gets the lock only once that statement has committed: a lock on
            // a separate session would be free at once, before the row exists.
            let lock = try await other.acquireRunLock(wait: .seconds(20), logger: testLogger)
            #expect(try await scalar(other, "SELECT count(*) FROM marker")?.int == 1)
            await lock.release()
            await busy.value
            await other.close()
        }
    }

    @Test("a waiting runner takes the lock as soon as the holder releases it")
    func waitingRunnerProceeds() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            // A wait limit of ten minutes: a waiter that followed the limit instead of the
            // release would take that long, far beyond the bound below (whose margin is for a
            // machine busy with parallel tests, not a measurement).
            let waiter = Task { try await other.acquireRunLock(wait: .seconds(600), logger: testLogger) }
            try await Task.sleep(for: .milliseconds(400))
            let released = ContinuousClock.now
            await lock.release()
            let second = try await waiter.value
            #expect(ContinuousClock.now - released < .seconds(120))
            await second.release()
            await other.close()
        }
    }

    @Test("cancelling a waiting runner stops it promptly")
    func cancelWaiting() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let waiter = Task { try await other.acquireRunLock(wait: .seconds(600), logger: testLogger) }
            try await Task.sleep(for: .milliseconds(300))
            let cancelled = ContinuousClock.now
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(ContinuousClock.now - cancelled < .seconds(120), "long before the 10 min wait ends (slack for a loaded machine)")
            await lock.release()
            await other.close()
        }
    }

    @Test("runs on different databases do not block each other")
    func perDatabase() async throws {
        try await withSession { first, _ in
            try await withSession(prefix: "other") { second, _ in
                let a = try await first.acquireRunLock(wait: .zero, logger: testLogger)
                let b = try await second.acquireRunLock(wait: .zero, logger: testLogger)
                await a.release()
                await b.release()
            }
        }
    }

    @Test("holding the run lock does not deadlock CREATE INDEX CONCURRENTLY on the main session")
    func concurrentIndexWhileLocked() async throws {
        try await withSession { db, _ in
            let lock = try await db.acquireRunLock(wait: .seconds(5), logger: testLogger)
            try await db.execute("CREATE TABLE big (id bigint, email text)")
            try await db.execute("INSERT INTO big SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20000) g")
            let statement = "CREATE INDEX CONCURRENTLY big_email ON big (email)"
            #expect(db.dialect.cannotRunInTransaction(statement))
            try await withTimeout(seconds: 20) { try await db.execute(statement) }
            let valid = try await scalar(db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_email'::regclass")
            #expect(valid == .bool(true))
            await lock.release()
        }
    }

    @Test("the lock goes with its session when the holder dies")
    func holderDies() async throws {
        try await withSession { db, url in
            let owner = try await PostgresDriver().connect(url, logger: testLogger)
            let held = try await owner.acquireRunLock(wait: .zero, logger: testLogger)
            let pid = try #require(try await holderPID(db))
            try await PostgresCluster.shared.executeAsSuperuser("SELECT pg_terminate_backend(\(pid))")
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let lock = try await other.acquireRunLock(wait: .seconds(5), logger: testLogger)
            await lock.release()
            await held.release()  // its session is gone; release must not fail or hang
            await other.close()
            await owner.close()
        }
    }

    @Test("closing the session frees the lock")
    func closedSession() async throws {
        try await withSession { db, url in
            let owner = try await PostgresDriver().connect(url, logger: testLogger)
            _ = try await owner.acquireRunLock(wait: .zero, logger: testLogger)
            #expect(try await holderPID(db) != nil)
            await owner.close()
            // The server ends the closed session's backend on its own time (seconds on a
            // loaded machine); the lock goes with it.
            let second = try await db.acquireRunLock(wait: .seconds(30), logger: testLogger)
            await second.release()
        }
    }
}
