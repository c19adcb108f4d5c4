import CutoverCore
import Logging

/// A statement failed while applying a migration.
struct StatementFailure: RollbackErrorCarrying {
    var index: Int
    var statement: SQLStatement
    var error: CutoverError

    /// The failed rollback after the statement, kept on ``error``.
    var rollbackError: (any Error)? {
        get { error.rollbackError }
        set { error.rollbackError = newValue }
    }
}

extension Migrator {
    // MARK: - Transactional migrations

    /// Applies a migration and its history row in one transaction, retrying the whole
    /// transaction after a lock timeout. Returns false when another runner applied it first.
    func applyInTransaction(_ migration: Migration, startedAt: String) async throws -> Bool {
        var attempt = 0
        var announced = false
        if let batch = OneRoundTripBatch(migration, for: self, startedAt: startedAt) {
            announced = true
            do {
                events(.migrationStarted(id: migration.id, name: migration.name, statements: migration.up.count, resumingAt: 0))
                try await withHeartbeat(migration, line: nil) { try await database.execute(batch.statement) }
                try await reapplySessionTimeouts(after: migration.up)
                return true
            } catch let error as CutoverError where error.code == .statementFailed {
                // Nothing of the batch remains (it ran as one transaction). Run the statements
                // one by one below: that names the failing statement and line, records the
                // failure, retries lock timeouts, and skips a migration another runner applied
                // meanwhile (the batch's guard failed); the batch counts as the first attempt.
                logger.debug("batch failed; applying statement by statement", metadata: ["cutover_migration": "\(migration.fileName)", "error": "\(error.message)"])
                if dialect.isLockTimeout(error), configuration.retry.retries > 0 {
                    attempt = 1
                    let delay = configuration.retry.delay(forRetry: attempt)
                    events(.retrying(id: migration.id, attempt: attempt, of: configuration.retry.retries, delay: delay, message: error.message))
                    try await Task.sleep(for: delay)
                }
            }
        }
        while true {
            do {
                defer { announced = false }
                return try await applyOnce(migration, startedAt: startedAt, announced: announced)
            } catch let failure as StatementFailure {
                if dialect.isLockTimeout(failure.error), attempt < configuration.retry.retries {
                    attempt += 1
                    let delay = configuration.retry.delay(forRetry: attempt)
                    events(.retrying(id: migration.id, attempt: attempt, of: configuration.retry.retries, delay: delay, message: failure.error.message))
                    logger.notice("lock timeout, retrying", metadata: ["cutover_migration": "\(migration.fileName)", "attempt": "\(attempt)"])
                    try await Task.sleep(for: delay)
                    continue
                }
                guard let error = try await recordFailure(migration, failure, startedAt: startedAt, statementsDone: 0, attempts: attempt + 1) else { return false }
                throw error
            }
        }
    }

    private func applyOnce(_ migration: Migration, startedAt: String, announced: Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let applied = try await applyInOneTransaction(migration, startedAt: startedAt, start: start, announced: announced)
            if applied {
                await configuration.observer?.migrationDidFinish(migration, committed: true)
                // Code may change session settings as any statement may.
                if migration.body != nil { try await applySessionTimeouts() } else { try await reapplySessionTimeouts(after: migration.up) }
            }
            return applied
        } catch {
            await configuration.observer?.migrationDidFinish(migration, committed: false)
            throw error
        }
    }

    private func applyInOneTransaction(_ migration: Migration, startedAt: String, start: ContinuousClock.Instant, announced: Bool) async throws -> Bool {
        let clock = ContinuousClock()
        return try await inWriteTransaction {
            // The first write claims the migration (``HistoryStore/saveUnlessApplied(_:)``):
            // a runner that committed it first is seen here and we skip it, and one still
            // writing it makes this claim wait for its outcome. The row is written again with
            // the duration once the statements have run.
            // The timeouts are in force for the whole session (``applySessionTimeouts()``).
            guard try await history.saveUnlessApplied(appliedRecord(migration, startedAt: startedAt, durationMilliseconds: 0)) else { return false }
            if !announced { events(.migrationStarted(id: migration.id, name: migration.name, statements: migration.up.count, resumingAt: 0)) }
            await configuration.observer?.migrationWillStart(migration)
            for (index, statement) in migration.up.enumerated() {
                try await run(statement, index: index, of: migration)
            }
            if let body = migration.body { try await run(body, of: migration) }
            let duration = Int((clock.now - start).milliseconds)
            // The claim above announced it already, in this transaction.
            try await history.save(appliedRecord(migration, startedAt: startedAt, durationMilliseconds: duration), announces: false)
            return true
        }
    }

    /// Runs one statement, turning a database error into a ``StatementFailure``.
    func run(_ statement: SQLStatement, index: Int, of migration: Migration) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        logger.debug("statement", metadata: ["cutover_migration": "\(migration.fileName)", "line": "\(statement.line)", "sql": "\(statement.sql)"])
        await configuration.observer?.statementWillRun(statement, index: index, in: migration)
        let rowsTouched: Int?
        do {
            rowsTouched = try await withHeartbeat(migration, line: statement.line) { try await database.executeCountingRows(statement.sql, []) }
        } catch let error as CutoverError where error.code == .statementFailed {
            await configuration.observer?.statementDidRun(statement, index: index, in: migration, duration: clock.now - start, rowsTouched: nil, error: error)
            throw StatementFailure(index: index, statement: statement, error: error)
        }
        let duration = clock.now - start
        await configuration.observer?.statementDidRun(statement, index: index, in: migration, duration: duration, rowsTouched: rowsTouched, error: nil)
        events(.statementFinished(id: migration.id, index: index, total: migration.up.count, line: statement.line, duration: duration))
    }

    /// Runs the code of a migration registered in Swift, turning its error into a
    /// ``StatementFailure`` as a failed statement's (a lock timeout is retried the same way).
    private func run(_ body: MigrationBody, of migration: Migration) async throws {
        let code = SQLStatement(sql: "(the Swift code of \(migration.id)_\(migration.name))", line: 0)
        logger.debug("registered migration", metadata: ["cutover_migration": "\(migration.fileName)"])
        do {
            try await withHeartbeat(migration, line: nil) { try await body.run(database) }
        } catch let error as CancellationError {
            throw error
        } catch {
            let failure = error as? CutoverError
                ?? CutoverError(.statementFailed, "\(error)", hint: "fix the code registered for \(migration.id)_\(migration.name) and run the migrations again")
            throw StatementFailure(index: 0, statement: code, error: failure)
        }
    }

    // MARK: - No-transaction migrations

    /// Applies a `-- cutover:no-transaction` migration statement by statement, resuming after
    /// the statements an earlier run finished. Statements that may run in a transaction run
    /// in one together with their progress update, so progress is exact; the others
    /// (`CREATE INDEX CONCURRENTLY`, `VACUUM`) run alone and progress is recorded right after.
    /// Returns the index it resumed at, or nil when another runner finished the migration.
    func applyStatementByStatement(_ migration: Migration, startedAt: String) async throws -> Int? {
        let clock = ContinuousClock()
        let start = clock.now
        var record = HistoryRecord(
            id: migration.id, name: migration.name, checksum: migration.checksum, phase: .running, startedAt: startedAt,
            appliedBy: RunnerIdentity.appliedBy, toolVersion: CutoverVersion.current, statementsTotal: migration.up.count)
        // Claim the migration in a write transaction that re-reads its row, so a concurrent
        // SQLite runner's progress is neither repeated nor reset.
        let claimed: (resumeAt: Int, isRerun: Bool)? = try await inWriteTransaction { [record] in
            let previous = try await history.record(migration.id)
            if previous?.phase == .applied { return nil }
            var claim = record
            claim.statementsDone = min(previous?.statementsDone ?? 0, migration.up.count)
            guard try await history.saveUnlessApplied(claim) else { return nil }
            return (claim.statementsDone, previous != nil)
        }
        guard let (resumeAt, isRerun) = claimed else { return nil }
        record.statementsDone = resumeAt
        events(.migrationStarted(id: migration.id, name: migration.name, statements: migration.up.count, resumingAt: resumeAt))
        await configuration.observer?.migrationWillStart(migration)
        var index = resumeAt
        while index < migration.up.count {
            let statement = migration.up[index]
            do {
                // The statement an earlier run was in when it stopped may have left a
                // half-built index behind, or even finished it after that run died.
                if isRerun, index == resumeAt, try await settleInterruptedIndex(statement, index: index, of: migration) {
                    index += 1
                    continue
                }
                try await runWithRetries(statement, index: index, of: migration)
            } catch let failure as StatementFailure {
                await configuration.observer?.migrationDidFinish(migration, committed: false)
                guard let error = try await recordFailure(migration, failure, startedAt: startedAt, statementsDone: index, attempts: nil) else { return nil }
                throw error
            }
            index += 1
        }
        record.phase = .applied
        record.statementsDone = migration.up.count
        record.finishedAt = RunnerIdentity.now()
        record.durationMilliseconds = Int((clock.now - start).milliseconds)
        // Only one of several cooperating SQLite runners records (and reports) the finish.
        let finished = try await inWriteTransaction { [record] in try await history.saveUnlessApplied(record) }
        await configuration.observer?.migrationDidFinish(migration, committed: true)
        return finished ? resumeAt : nil
    }

    private func runWithRetries(_ statement: SQLStatement, index: Int, of migration: Migration) async throws {
        var attempt = 0
        while true {
            do {
                if dialect.cannotRunInTransaction(statement.sql) {
                    try await runAlone(statement, index: index, of: migration)
                } else {
                    try await inWriteTransaction {
                        // Another SQLite runner may have done this statement meanwhile.
                        if mustRecheckHistory, let done = try await history.record(migration.id)?.statementsDone, done > index { return }
                        for setting in dialect.timeoutStatements(lockTimeout: configuration.lockTimeout, statementTimeout: configuration.statementTimeout, local: true) {
                            try await database.execute(setting)
                        }
                        try await run(statement, index: index, of: migration)
                        try await setProgress(migration, done: index + 1)
                    }
                }
                return
            } catch let failure as StatementFailure
                where dialect.isLockTimeout(failure.error) && attempt < configuration.retry.retries && !dialect.cannotRunInTransaction(statement.sql)
            {
                // A statement that runs alone is not retried: a failed CREATE INDEX CONCURRENTLY
                // leaves an INVALID index behind, and running it again would fail on it.
                attempt += 1
                let delay = configuration.retry.delay(forRetry: attempt)
                events(.retrying(id: migration.id, attempt: attempt, of: configuration.retry.retries, delay: delay, message: failure.error.message))
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Runs a statement that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`) under
    /// the session timeouts, set again first (an earlier statement may have changed them),
    /// then records progress.
    private func runAlone(_ statement: SQLStatement, index: Int, of migration: Migration) async throws {
        try await applySessionTimeouts()
        try await run(statement, index: index, of: migration)
        try await setProgress(migration, done: index + 1)
    }

    func setProgress(_ migration: Migration, done: Int) async throws {
        try await database.execute(
            "UPDATE \(dialect.historyTable) SET statements_done = \(dialect.placeholder(1)) WHERE id = \(dialect.placeholder(2))",
            [.integer(Int64(done)), .text(migration.id.normalized)])
    }

    // MARK: - Failures

    /// Records a `failed` row and builds the error the user sees: which statement, which
    /// line, what the database said, what was and was not applied, and how to go on.
    /// nil when the history already records the migration as applied (another run finished
    /// it): a `failed` row never replaces an `applied` one, and the migration is skipped.
    func recordFailure(_ migration: Migration, _ failure: StatementFailure, startedAt: String, statementsDone: Int, attempts: Int?) async throws -> CutoverError? {
        let record = HistoryRecord(
            id: migration.id, name: migration.name, checksum: migration.checksum, phase: .failed, startedAt: startedAt,
            finishedAt: RunnerIdentity.now(), appliedBy: RunnerIdentity.appliedBy, toolVersion: CutoverVersion.current,
            statementsDone: statementsDone, statementsTotal: migration.up.count, failedStatement: failure.statement.sql,
            failedLine: failure.statement.line, errorMessage: failure.error.message, errorSQLState: failure.error.databaseCode?.text)
        do {
            if try await !history.saveUnlessApplied(record) {
                logger.notice("the migration failed here but another run has applied it", metadata: ["cutover_migration": "\(migration.fileName)", "error": "\(failure.error.message)"])
                return nil
            }
        } catch {
            logger.error("could not record the failure in the history", metadata: ["error": "\(error)"])
        }
        var hint: String
        if migration.isTransactional {
            hint = "nothing of this migration was applied (its transaction was rolled back); fix the statement and run `cutover migrate` again"
        } else {
            hint = statementsDone == 0
                ? "no statement of this migration was applied; "
                : "statements 1–\(statementsDone) of \(migration.up.count) were applied and recorded; "
            hint += "fix statement \(failure.index + 1) and run `cutover migrate` again: it resumes there"
            let leftovers = await leftoverObjects()
            if !leftovers.isEmpty {
                hint += ". Left behind: INVALID index \(leftovers.joined(separator: ", ")); the rerun drops an INVALID index the failed statement built and builds it again"
            }
        }
        if let attempts, attempts > 1 { hint += " (gave up after \(attempts) attempts on lock timeouts)" }
        if failure.error.meansObjectAlreadyExists {
            hint += ". What it creates is already there: if this database was set up outside Cutover (by hand, another tool, a restored dump), "
                + "record the migrations it already has as applied with `cutover baseline \(migration.id)` instead of running them"
        }
        let codeSuffix = failure.error.databaseCode.map { " [\($0)]" } ?? ""
        return CutoverError(
            .migrationFailed,
            // File and line lead the printed error (`file:line: …`): the message names neither again.
            "statement \(failure.index + 1) of \(migration.up.count) failed: \(failure.error.message)\(codeSuffix)",
            hint: hint, file: migration.fileName, line: failure.statement.line, migrationID: migration.id,
            statement: failure.statement.sql, databaseCode: failure.error.databaseCode, underlying: failure.error,
            rollbackError: failure.error.rollbackError)
    }

    private func leftoverObjects() async -> [String] {
        guard let query = dialect.leftoverObjectsQuery else { return [] }
        return ((try? await database.query(query)) ?? []).compactMap { $0.string("name") }
    }
}
