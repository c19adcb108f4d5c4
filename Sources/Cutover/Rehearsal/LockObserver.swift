import CutoverCore
import Logging
import Synchronization

/// Observes, from a second session, the locks the migrating session takes: it samples the
/// lock table every few milliseconds while a statement runs (locks of a statement that runs
/// alone, such as `CREATE INDEX CONCURRENTLY`, are gone when it ends) and reads it once more
/// after the statement (locks taken inside a transaction stay until COMMIT, so short
/// statements are never missed).
///
/// It also reports the locks on data a statement keeps until COMMIT
/// (``WriteLockObservation``): on PostgreSQL the row locks of a statement that changed or
/// locked existing rows (``RowLockingStatement``, with the count the database reported); on
/// SQLite, which has no lock table, the database's write lock, for a statement that changed
/// rows.
package actor LockObserver: StatementObserver {
    private let observer: any Database
    private let sessionID: SQLValue?
    private let dialect: any Dialect
    private let interval: Duration
    private let clock = ContinuousClock()

    private var observations: [StatementObservation] = []
    private var existingRelations: Set<String> = []
    /// Locks held by the current migration's transaction so far: relation → mode.
    private var heldInTransaction: [String: String] = [:]
    /// Observations of the current migration whose locks last until COMMIT.
    private var pendingUntilCommit: [(observation: Int, lock: Int, since: ContinuousClock.Instant)] = []
    /// Observations of the current migration whose write lock lasts until COMMIT.
    private var writeLocksUntilCommit: [(observation: Int, since: ContinuousClock.Instant)] = []
    private var migrationStart = ContinuousClock.now
    private var sampler: Task<[String: (mode: String, first: ContinuousClock.Instant, last: ContinuousClock.Instant)], Never>?
    private var stopSampler: StopFlag?
    private var statementStart = ContinuousClock.now

    /// Creates an observer of `migrating`, using `observer` (another session on the same
    /// database) for its queries.
    package init(migrating: any Database, observer: any Database, interval: Duration = .milliseconds(5)) async throws {
        self.observer = observer
        self.dialect = migrating.dialect
        self.interval = interval
        if let query = migrating.dialect.sessionIDQuery, let id = try await migrating.query(query).first?["id"] {
            sessionID = id
        } else {
            sessionID = nil
        }
    }

    /// Everything seen so far, in run order.
    package func statements() -> [StatementObservation] { observations }

    package func migrationWillStart(_ migration: Migration) async {
        migrationStart = clock.now
        heldInTransaction = [:]
        pendingUntilCommit = []
        writeLocksUntilCommit = []
        if let query = dialect.relationsQuery {
            existingRelations = Set(((try? await observer.query(query)) ?? []).compactMap { $0.string("relation") })
        }
    }

    package func statementWillRun(_ statement: SQLStatement, index: Int, in migration: Migration) async {
        statementStart = clock.now
        guard let query = dialect.heldLocksQuery, let sessionID else { return }
        let observer = self.observer
        let interval = self.interval
        // Stopped by a flag, not by cancellation: cancelling a query closes its session.
        let stop = StopFlag()
        stopSampler = stop
        // The statement is sent only once the sampler has run its first query: on a busy
        // machine a new task may otherwise not start before a short statement has ended.
        let (started, signalStarted) = AsyncStream<Void>.makeStream()
        sampler = Task {
            var seen: [String: (mode: String, first: ContinuousClock.Instant, last: ContinuousClock.Instant)] = [:]
            let clock = ContinuousClock()
            defer { signalStarted.finish() }
            while !stop.isSet {
                if let rows = try? await observer.query(query, [sessionID]) {
                    let now = clock.now
                    for row in rows where row["granted"] == .bool(true) {
                        guard let relation = row.string("relation"), let mode = row.string("mode") else { continue }
                        if let previous = seen[relation] {
                            seen[relation] = (LockImpact.stronger(previous.mode, mode), previous.first, now)
                        } else {
                            seen[relation] = (mode, now, now)
                        }
                    }
                }
                signalStarted.yield()
                try? await clock.sleep(for: interval)
            }
            return seen
        }
        for await _ in started { break }
    }

    package func statementDidRun(
        _ statement: SQLStatement, index: Int, in migration: Migration, duration: Duration, rowsTouched: Int?, error: CutoverError?
    ) async {
        stopSampler?.set()
        let sampled = await sampler?.value ?? [:]
        sampler = nil
        // Locks still held now belong to the open transaction and last until COMMIT.
        var stillHeld: [String: String] = [:]
        if let query = dialect.heldLocksQuery, let sessionID {
            for row in (try? await observer.query(query, [sessionID])) ?? [] where row["granted"] == .bool(true) {
                guard let relation = row.string("relation"), let mode = row.string("mode") else { continue }
                stillHeld[relation] = stillHeld[relation].map { LockImpact.stronger($0, mode) } ?? mode
            }
        }
        var locks: [LockObservation] = []
        var untilCommit: [Int] = []
        for relation in Set(sampled.keys).union(stillHeld.keys).sorted() {
            let mode = [sampled[relation]?.mode, stillHeld[relation]].compactMap { $0 }.reduce("", LockImpact.stronger)
            // Report a lock once: for the statement that first took it (or made it stronger).
            if let earlier = heldInTransaction[relation], LockImpact.stronger(earlier, mode) == earlier { continue }
            let isNew = !existingRelations.contains(relation)
            var held = duration
            if let seen = sampled[relation], stillHeld[relation] == nil { held = seen.last - seen.first }
            if stillHeld[relation] != nil {
                heldInTransaction[relation] = mode
                untilCommit.append(locks.count)
            }
            locks.append(LockObservation(relation: relation, mode: mode, heldMilliseconds: Int(held.milliseconds), isNewRelation: isNew))
        }
        let tableLocks = sampled.mapValues(\.mode).merging(stillHeld, uniquingKeysWith: LockImpact.stronger)
        let dataLock = error == nil ? writeLock(statement, rowsTouched: rowsTouched, tableLocks: tableLocks) : nil
        observations.append(StatementObservation(
            migration: migration.id, migrationName: migration.name, index: index, line: statement.line, sql: statement.sql,
            durationMilliseconds: Int(duration.milliseconds), error: error?.message, locks: locks, rowsTouched: rowsTouched,
            writeLock: dataLock.map { WriteLockObservation(scope: $0.scope, rows: $0.rows, heldMilliseconds: Int((clock.now - $0.since).milliseconds)) }))
        for lock in untilCommit { pendingUntilCommit.append((observations.count - 1, lock, statementStart)) }
        if let dataLock { writeLocksUntilCommit.append((observations.count - 1, dataLock.since)) }
    }

    /// The lock on data that `statement` keeps until COMMIT, and when it was taken; nil
    /// when it keeps none on data others use. On SQLite: the database's write lock, taken at
    /// the start of the migration's write transaction, for a statement that changed rows.
    /// Elsewhere: row locks, taken at the statement's start, for a statement that locks
    /// existing rows (``RowLockingStatement``), held a lock on a relation that existed before
    /// the migration (not a table it created), and did not report 0 rows.
    private func writeLock(
        _ statement: SQLStatement, rowsTouched: Int?, tableLocks: [String: String]
    ) -> (scope: WriteLockObservation.Scope, rows: Int?, since: ContinuousClock.Instant)? {
        if dialect.writeLocksWholeDatabase {
            guard let rowsTouched, rowsTouched > 0 else { return nil }
            return (.database, rowsTouched, migrationStart)
        }
        guard let kind = RowLockingStatement(statement.sql, configuration: dialect.lexerConfiguration) else { return nil }
        let rows = kind == .countedByTag ? rowsTouched : nil
        guard rows != 0, tableLocks.contains(where: { relation, mode in existingRelations.contains(relation) && mode != "AccessShareLock" }) else { return nil }
        return (.rows, rows, statementStart)
    }

    package func migrationDidFinish(_ migration: Migration, committed: Bool) async {
        let now = clock.now
        for pending in pendingUntilCommit {
            observations[pending.observation].locks[pending.lock].heldMilliseconds = Int((now - pending.since).milliseconds)
        }
        for pending in writeLocksUntilCommit {
            observations[pending.observation].writeLock?.heldMilliseconds = Int((now - pending.since).milliseconds)
        }
        pendingUntilCommit = []
        writeLocksUntilCommit = []
        heldInTransaction = [:]
    }
}

/// A one-way flag shared with the sampling task.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
