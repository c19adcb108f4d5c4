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
    /// The lock is a session advisory lock held by a second, dedicated session (its
    /// `application_name` ends in `-lock`) that never opens a transaction. That matters for
    /// `CREATE INDEX CONCURRENTLY` on the main session: CIC waits until every transaction
    /// that holds a snapshot has ended, so a lock session sitting inside a transaction would
    /// make the run wait for itself forever. An idle session holds no snapshot, so CIC does
    /// not wait for it (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    /// A process that dies releases the lock with its session.
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
    /// - Returns: the held lock; ``RunLock/release()`` unlocks it and closes its session.
    /// - Throws: ``CutoverError`` `.lockNotAcquired` naming the holding session (pid,
    ///   application, client, user, since when), connection errors from opening the lock
    ///   session, or `CancellationError`.
    public func acquireRunLock(wait: Duration, logger: Logger) async throws -> any RunLock {
        let lockConnection: PostgresConnection
        do {
            lockConnection = try await settings.connect(applicationName: settings.applicationName + "-lock", logger: logger)
        } catch {
            // Cancelled while connecting: report the cancellation, not the closed socket.
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
        let lock = PostgresRunLock(connection: lockConnection, logger: logger)
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
            throw try await lockBusyError(on: lockConnection, waited: wait)
        } catch {
            await lock.close()
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            if let error = error as? CutoverError { throw error }
            throw statementError(error, sql: "SELECT pg_try_advisory_lock($1)")
        }
    }

    /// Who holds the lock, as a `.lockNotAcquired` error.
    private func lockBusyError(on connection: PostgresConnection, waited: Duration) async throws -> CutoverError {
        guard !connection.isClosed else {
            throw CutoverError(
                .connectionFailed, "the run-lock session was closed while waiting for the lock", hint: "the server ended the session; run again"
            )
        }
        let key = UInt64(bitPattern: Self.runLockKey)
        let sql = """
            SELECT a.pid, a.application_name, a.client_addr::text AS client, a.usename,
                   a.backend_start, a.state_change, a.query
            FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a USING (pid)
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
              AND l.classid::int8 = $1 AND l.objid::int8 = $2 AND l.objsubid = 1
            """
        var binds = PostgresBindings()
        binds.append(Int64(key >> 32))
        binds.append(Int64(key & 0xFFFF_FFFF))
        var holder: Row?
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            holder = Row(columns: row.map(\.columnName), values: row.map(PostgresValueDecoder.value))
        }
        let waitedText = waited == .zero ? "" : " after waiting \(waited.milliseconds) ms"
        guard let holder, let pid = holder.int("pid") else {
            // Released between the last attempt and this query.
            return CutoverError(
                .lockNotAcquired, "another cutover run held the migration lock on \(settings.endpointDescription)\(waitedText)",
                hint: "it has just finished; run again, or pass --lock-wait to wait longer"
            )
        }
        let application = holder.string("application_name").flatMap { $0.isEmpty ? nil : $0 } ?? "unnamed"
        let client = holder.string("client") ?? "local socket"
        let user = holder.string("usename") ?? "unknown"
        let since = holder.string("backend_start") ?? "unknown time"
        return CutoverError(
            .lockNotAcquired,
            "another cutover run holds the migration lock\(waitedText): pid \(pid), application '\(application)', client \(client), user \(user), since \(since)",
            hint: "wait for it to finish, or pass --lock-wait; if that process is gone, SELECT pg_terminate_backend(\(pid))"
        )
    }
}

/// A held run lock: the dedicated session and its advisory lock. Dropping it without
/// ``release()`` closes the session, which frees the lock too.
final class PostgresRunLock: RunLock, @unchecked Sendable {
    // @unchecked: `isReleased` is only read and written under `guardLock`.
    private let connection: PostgresConnection
    private let logger: Logger
    private let guardLock = NSLock()
    private var isReleased = false

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// One `pg_try_advisory_lock` attempt; never waits on the server.
    func tryLock() async throws -> Bool {
        // A query on a closed postgres-nio connection would never complete.
        guard !connection.isClosed else {
            throw CutoverError(
                .connectionFailed, "the run-lock session was closed while waiting for the lock",
                hint: "the server ended the session; run again"
            )
        }
        var binds = PostgresBindings()
        binds.append(PostgresDatabase.runLockKey)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT pg_try_advisory_lock($1) AS locked", binds: binds), logger: logger
        )
        var locked = false
        for try await row in rows {
            if let cell = row.first, case .bool(let value) = PostgresValueDecoder.value(cell) { locked = value }
        }
        return locked
    }

    /// Unlocks and closes the lock session. Safe to call more than once.
    func release() async {
        let alreadyReleased = guardLock.withLock {
            defer { isReleased = true }
            return isReleased
        }
        // A closed session has released its lock already, and a query on it would hang.
        guard !alreadyReleased, !connection.isClosed else { return }
        var binds = PostgresBindings()
        binds.append(PostgresDatabase.runLockKey)
        // Unlocking explicitly (rather than only closing) frees the lock at once even if
        // the close is slow; closing the session would release it too.
        if let rows = try? await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock($1)", binds: binds), logger: logger) {
            _ = try? await rows.collect()
        }
        await close()
    }

    func close() async {
        try? await connection.close()
    }

    deinit {
        // Dropping the lock without release() ends its session, which frees the lock.
        let connection = self.connection
        if !connection.isClosed {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }
}
