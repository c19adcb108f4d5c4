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
        let digest = SHA256.hash(Array("cutover".utf8))
        let key = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(PostgresDatabase.runLockKey == Int64(bitPattern: key))
    }

    @Test("a second runner times out naming the holder, and gets the lock after release")
    func secondRunnerWaits() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let pid = try #require(try await holderPID(db))
            let holder = try #require(try await db.query("SELECT application_name FROM pg_stat_activity WHERE pid = \(pid)").first)
            #expect(holder.string("application_name") == "cutover-lock")

            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let started = ContinuousClock.now
            let error = try await #require(throws: CutoverError.self) {
                try await other.acquireRunLock(wait: .milliseconds(300), logger: testLogger)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(300))
            #expect(elapsed < .seconds(10), "bounded by the 300 ms wait, with slack for a loaded machine")
            #expect(error.code == .lockNotAcquired)
            #expect(error.message.contains("pid \(pid)"))
            #expect(error.message.contains("application 'cutover-lock'"))
            #expect(error.message.contains("client 127.0.0.1") || error.message.contains("client ::1"))
            #expect(error.hint?.contains("pg_terminate_backend(\(pid))") == true)
            #expect(error.exitCode == 4)

            // The failed attempt leaves no session behind (the backend exits just after the
            // client has closed the socket, so allow it a moment).
            var lockSessions = 0
            for _ in 0..<40 {
                lockSessions = try await db.query(
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'cutover-lock' AND datname = current_database()"
                ).count
                if lockSessions == 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(lockSessions == 1)

            await lock.release()
            await lock.release()  // idempotent
            let second = try await other.acquireRunLock(wait: .zero, logger: testLogger)
            #expect(try await holderPID(db) != nil)
            await second.release()
            #expect(try await holderPID(db) == nil)
            await other.close()
        }
    }

    @Test("a waiting runner takes the lock as soon as the holder releases it")
    func waitingRunnerProceeds() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let waiter = Task { try await other.acquireRunLock(wait: .seconds(30), logger: testLogger) }
            try await Task.sleep(for: .milliseconds(400))
            let released = ContinuousClock.now
            await lock.release()
            let second = try await waiter.value
            // Far below the 30 s wait limit: it followed the release, not the limit (the
            // margin is for a machine busy with parallel tests).
            #expect(ContinuousClock.now - released < .seconds(6))
            await second.release()
            await other.close()
        }
    }

    @Test("cancelling a waiting runner stops it promptly")
    func cancelWaiting() async throws {
        try await withSession { db, url in
            let lock = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let waiter = Task { try await other.acquireRunLock(wait: .seconds(30), logger: testLogger) }
            try await Task.sleep(for: .milliseconds(300))
            let cancelled = ContinuousClock.now
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(ContinuousClock.now - cancelled < .seconds(6))
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
            let held = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            let pid = try #require(try await holderPID(db))
            try await PostgresCluster.shared.executeAsSuperuser("SELECT pg_terminate_backend(\(pid))")
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let lock = try await other.acquireRunLock(wait: .seconds(5), logger: testLogger)
            await lock.release()
            await held.release()  // its session is gone; release must not fail or hang
            await other.close()
        }
    }

    @Test("dropping a lock without release frees it")
    func droppedLock() async throws {
        try await withSession { db, url in
            var lock: (any RunLock)? = try await db.acquireRunLock(wait: .zero, logger: testLogger)
            #expect(lock != nil)
            #expect(try await holderPID(db) != nil)
            lock = nil
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            let second = try await other.acquireRunLock(wait: .seconds(5), logger: testLogger)
            await second.release()
            await other.close()
        }
    }
}
