import CutoverCore
import Foundation
import Logging
import PostgresNIO

extension PostgresDatabase {
    /// The session advisory-lock key that serialises Cutover runs on one database.
    ///
    /// The first 8 bytes of SHA-256("cutover"), read big-endian as a signed 64-bit integer:
    /// `0x542fe1c7bd5bda4a` = 6066315471083002442. It is a constant so that every Cutover
    /// version agrees on it; advisory locks are per database, so runs against different
    /// databases of one server do not wait for each other. In `pg_locks` it appears with
    /// `locktype = 'advisory'`, `classid` = the high 32 bits (1412424135), `objid` = the
    /// low 32 bits (3176913482), `objsubid = 1`.
    public static let runLockKey: Int64 = 0x542f_e1c7_bd5b_da4a

    /// How often a waiting runner asks again.
    static let runLockPollInterval: Duration = .milliseconds(200)

    /// Takes the lock that serialises migration runs on this database, waiting at most `wait`.
    ///
    /// The lock is a session advisory lock held by **this** session, the one that runs the
    /// migrations. A lock held elsewhere would end with its own session the moment a killed
    /// `cutover` drops its sockets, while this session's backend goes on with the statement
    /// it was running and may still commit it: a second runner could then start the same
    /// migration. Here the lock ends only when the backend that does the work has ended, so a
    /// second runner that gets it sees that work committed or rolled back, never in flight.
    /// (With `client_connection_check_interval`, set by ``PostgresDriver``, an orphaned
    /// backend notices its client is gone within about a second and rolls back.)
    ///
    /// `pg_try_advisory_lock` runs in autocommit and leaves no transaction open, so the lock
    /// holds no snapshot and `CREATE INDEX CONCURRENTLY` on this session does not wait for it
    /// (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    ///
    /// ```swift
    /// let lock = try await db.acquireRunLock(wait: .seconds(30), logger: logger)
    /// do { try await applyPendingMigrations(db) } catch { await lock.release(); throw error }
    /// await lock.release()
    /// ```
    ///
    /// - Parameters:
    ///   - wait: how long to keep trying; `.zero` tries once.
    ///   - logger: receives a notice while waiting.
    /// - Returns: the held lock; ``RunLock/release()`` unlocks it. Closing the session (or the
    ///   backend ending for any reason) frees it too.
    /// - Throws: ``CutoverError`` `.lockNotAcquired` naming the holding session (pid,
    ///   application, client, user, since when), or `CancellationError`.
    public func acquireRunLock(wait: Duration, logger: Logger) async throws -> any RunLock {
        let lock = PostgresRunLock(database: self)
        do {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: wait)
            var hasLogged = false
            while true {
                if try await lock.tryLock() { return lock }
                let remaining = clock.now.duration(to: deadline)
                if remaining <= .zero { break }
                if !hasLogged {
                    logger.info("waiting for the migration lock held by another run", metadata: ["cutover_wait": "\(wait)"])
                    hasLogged = true
                }
                try await Task.sleep(for: min(Self.runLockPollInterval, remaining))
            }
            throw try await lockBusyError(waited: wait)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw error
        }
    }

    /// The other session holding the run lock now, if any (``Database/runLockHolder()``).
    public func runLockHolder() async throws -> RunLockHolder? {
        let key = UInt64(bitPattern: Self.runLockKey)
        guard let holder = try await query("""
            SELECT a.pid, a.application_name, a.client_addr::text AS client, a.usename,
                   a.backend_start, a.state
            FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a USING (pid)
            WHERE l.locktype = 'advisory' AND l.granted AND a.pid <> pg_catalog.pg_backend_pid()
              AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
              AND l.classid::int8 = $1 AND l.objid::int8 = $2 AND l.objsubid = 1
            """, [.integer(Int64(key >> 32)), .integer(Int64(key & 0xFFFF_FFFF))]).first,
            let pid = holder.int("pid")
        else { return nil }
        return RunLockHolder(
            pid: pid, application: holder.string("application_name").flatMap { $0.isEmpty ? nil : $0 } ?? "unnamed",
            client: holder.string("client") ?? "local socket", user: holder.string("usename") ?? "unknown",
            since: holder.string("backend_start") ?? "unknown time", state: holder.string("state"))
    }

    /// Who holds the lock, as a `.lockNotAcquired` error.
    private func lockBusyError(waited: Duration) async throws -> CutoverError {
        let waitedText = waited == .zero ? "" : " after waiting \(waited.milliseconds) ms"
        guard let holder = try await runLockHolder() else {
            // Released between the last attempt and this query.
            return CutoverError(
                .lockNotAcquired, "another cutover run held the migration lock on \(settings.endpointDescription)\(waitedText)",
                hint: "it has just finished; run again, or pass --lock-wait to wait longer"
            )
        }
        let state = holder.state.map { ", \($0)" } ?? ""
        return CutoverError(
            .lockNotAcquired,
            "another cutover run holds the migration lock\(waitedText): pid \(holder.pid), application '\(holder.application)', client \(holder.client), user \(holder.user), since \(holder.since)\(state)",
            hint: "wait for it to finish, or pass --lock-wait. The lock is held by the session doing the work, so after a killed run it lasts until that backend has committed or rolled back its statement; if it does not end, SELECT pg_terminate_backend(\(holder.pid)) rolls it back"
        )
    }
}

/// A held run lock: a session advisory lock on the session that runs the migrations.
///
/// Releasing it unlocks; it does not close the session, which belongs to its
/// ``PostgresDatabase``. A session that closes (or whose backend ends) frees the lock.
final class PostgresRunLock: RunLock, @unchecked Sendable {
    // @unchecked: `isReleased` is only read and written under `guardLock`.
    private let database: PostgresDatabase
    private let guardLock = NSLock()
    private var isReleased = false

    init(database: PostgresDatabase) {
        self.database = database
    }

    /// One `pg_try_advisory_lock` attempt; never waits on the server.
    func tryLock() async throws -> Bool {
        let rows = try await database.query("SELECT pg_try_advisory_lock($1) AS locked", [.integer(PostgresDatabase.runLockKey)])
        return rows.first?.values.first == .bool(true)
    }

    /// Unlocks. Safe to call more than once, and after the session has closed.
    func release() async {
        let alreadyReleased = guardLock.withLock {
            defer { isReleased = true }
            return isReleased
        }
        // A closed session has released its lock already.
        guard !alreadyReleased, !database.isClosed else { return }
        _ = try? await database.query("SELECT pg_advisory_unlock($1)", [.integer(PostgresDatabase.runLockKey)])
    }
}
