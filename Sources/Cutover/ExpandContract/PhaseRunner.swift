import CutoverCore
import CutoverOperations
import Logging

/// Runs the actions of one phase of an expand/contract migration, resuming after those an
/// interrupted run already did.
///
/// Each statement runs alone: in its own short transaction with `SET LOCAL lock_timeout`
/// (together with the progress row, so a statement and its record commit together), or, for
/// `CREATE/DROP INDEX CONCURRENTLY`, in autocommit. A statement that meets `lock_timeout` is
/// tried again after a backoff with jitter, so an `ACCESS EXCLUSIVE` lock waits in the queue
/// for at most `lock_timeout` and never holds up the application's queries for longer. When
/// the role may, the transaction also lowers `deadlock_timeout` (``autovacuumYield``), so an
/// autovacuum of the table that blocks the statement is cancelled after 100 ms rather than
/// a second (a table just backfilled is a likely target for one). Index builds start at most
/// ``indexBuildWorkers`` parallel workers (``Dialect/indexBuildWorkersStatement(_:)``; 0 by
/// default: one core for the build, the rest for the application).
struct PhaseRunner {
    let database: any Database
    let store: ExpandContractStore
    let record: ExpandContractRecord
    let lockTimeout: Duration?
    let retry: RetryPolicy
    let logger: Logger
    let events: ExpandContractEventHandler
    /// Runs a backfill action (the batched backfill).
    let backfill: (PlannedAction) async throws -> Void
    /// Watches each statement action (a rehearsal's ``LockObserver``); nil in a real run.
    var observer: (any StatementObserver)? = nil
    /// ``Dialect/autovacuumYieldStatement(after:)``, run in each statement's transaction; nil
    /// when the role may not (or the database has no autovacuum).
    var autovacuumYield: String? = nil
    /// The parallel workers an index build may start (`[safety] index_build_workers`); nil:
    /// the server's setting.
    var indexBuildWorkers: Int? = 0

    /// Runs `actions` from number `done` on.
    func run(_ actions: [PlannedAction], from done: Int) async throws {
        let dialect = database.dialect
        for index in actions.indices where index >= done {
            let action = actions[index]
            events(.action(number: index + 1, total: actions.count, action))
            switch action.kind {
            case .backfill:
                try await backfill(action)
                try await store.setActionsDone(record.id, index + 1)
            case .statement where action.runsInTransaction:
                try await withLockRetries(number: index + 1) {
                    try await database.execute(dialect.beginTransaction)
                    do {
                        for setting in dialect.timeoutStatements(lockTimeout: lockTimeout, statementTimeout: nil, local: true) {
                            try await database.execute(setting)
                        }
                        if let autovacuumYield, [.accessExclusive, .shareRowExclusive, .unknown].contains(action.lock) {
                            try await database.execute(autovacuumYield)
                        }
                        try await observed(action, index: index) { try await database.executeCountingRows(action.sql, []) }
                        try await database.execute(ExpandContractStore.recordProgress, [.text(record.id.normalized), .integer(index + 1)])
                        try await database.execute("COMMIT")
                        await observer?.migrationDidFinish(observedMigration, committed: true)
                    } catch {
                        await observer?.migrationDidFinish(observedMigration, committed: false)
                        throw await database.rollBack(after: error)
                    }
                }
            case .statement:
                try await runConcurrently(action, number: index + 1)
                try await store.setActionsDone(record.id, index + 1)
            default:
                throw CutoverError(.invalidMigration, "unknown action kind \(action.kind.rawValue) in the stored plan", migrationID: record.id)
            }
        }
    }

    /// `CREATE/DROP INDEX CONCURRENTLY`, alone in autocommit. A build finds the index of its
    /// name first: a valid one was built by an interrupted run (done); an INVALID one is what
    /// a failed or interrupted build leaves, dropped before building again. A build that fails
    /// drops its INVALID index before the error is reported.
    private func runConcurrently(_ action: PlannedAction, number: Int) async throws {
        let build = ConcurrentIndexBuild(action.sql)
        let indexName = build?.indexName
        if let indexName {
            switch try await indexValidity(indexName) {
            case true?:
                events(.indexAlreadyBuilt(indexName))
                return
            case false?:
                try await dropIndex(indexName)
                events(.droppedInvalidIndex(indexName))
            case nil:
                break
            }
        }
        try await withLockRetries(number: number) {
            for setting in database.dialect.timeoutStatements(lockTimeout: lockTimeout, statementTimeout: nil, local: false) {
                try await database.execute(setting)
            }
            // By default one process builds the index: the application keeps the other cores.
            if build != nil, let workers = indexBuildWorkers, let statement = database.dialect.indexBuildWorkersStatement(workers) {
                try await database.execute(statement)
            }
            do {
                try await observed(action, index: number - 1) { try await database.executeCountingRows(action.sql, []) }
                await observer?.migrationDidFinish(observedMigration, committed: true)
            } catch {
                await observer?.migrationDidFinish(observedMigration, committed: false)
                if let indexName, try await indexValidity(indexName) == false {
                    try await dropIndex(indexName)
                    events(.droppedInvalidIndex(indexName))
                }
                throw error
            }
        }
    }

    // MARK: - Observing (rehearsal)

    /// The migration as a ``StatementObserver`` sees it: the `.yaml` file's id and name.
    private var observedMigration: Migration {
        Migration(id: record.id, name: record.name, fileName: "\(record.id)_\(record.name).yaml", up: [], down: nil, isTransactional: true, checksum: record.checksum)
    }

    /// Runs `body` (the action's statement), telling ``observer`` before and after; the
    /// statement's line is its 1-based action number.
    private func observed(_ action: PlannedAction, index: Int, _ body: () async throws -> Int?) async throws {
        guard let observer else {
            _ = try await body()
            return
        }
        let statement = SQLStatement(sql: action.sql, line: index + 1)
        let migration = observedMigration
        await observer.migrationWillStart(migration)
        await observer.statementWillRun(statement, index: index, in: migration)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let rows = try await body()
            await observer.statementDidRun(statement, index: index, in: migration, duration: clock.now - start, rowsTouched: rows, error: nil)
        } catch {
            let failure = (error as? CutoverError) ?? CutoverError(.statementFailed, ErrorDescription.of(error))
            await observer.statementDidRun(statement, index: index, in: migration, duration: clock.now - start, rowsTouched: nil, error: failure)
            throw error
        }
    }

    /// true for a valid index of that name in the migration's schema, false for an INVALID one, nil for none.
    private func indexValidity(_ name: String) async throws -> Bool? {
        let rows = try await database.query(
            """
            SELECT i.indisvalid::int AS valid FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = $1 AND n.nspname = $2
            """, [.text(name), .text(record.schema)])
        return rows.first.map { $0.int("valid") == 1 }
    }

    private func dropIndex(_ name: String) async throws {
        try await database.execute("DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(record.schema, name))")
    }

    /// Runs `body`, again after a backoff when it fails on `lock_timeout`.
    private func withLockRetries(number: Int, _ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                try await body()
                return
            } catch let error as CutoverError where database.dialect.isLockTimeout(error) && attempt < retry.retries {
                attempt += 1
                let delay = retry.delay(forRetry: attempt)
                events(.retrying(number: number, attempt: attempt, of: retry.retries, delay: delay, message: error.message))
                logger.notice("lock timeout, retrying", metadata: ["cutover_migration": "\(record.id)", "action": "\(number)", "attempt": "\(attempt)"])
                try await Task.sleep(for: delay)
            } catch var error as CutoverError {
                error.migrationID = error.migrationID ?? record.id
                throw error
            }
        }
    }
}
