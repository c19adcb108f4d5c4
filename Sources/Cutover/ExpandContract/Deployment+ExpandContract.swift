import CutoverCore
import CutoverOperations
import Logging

/// Expand/contract migrations (`migrations/<id>_<name>.yaml`) on PostgreSQL: the expand phase
/// (`start`, with its backfill), the contract phase (`complete`) and its undoing (`abort`).
///
/// ```swift
/// let id = MigrationID("20261201120000")!
/// try await deployment.startExpandContract(id)      // old and new versions both served
/// // … roll out the application version that sets search_path to public_20261201120000 …
/// try await deployment.completeExpandContract(id)   // the old shape is dropped
/// ```
///
/// Each phase runs under the run lock, statement by statement (see ``ExpandContractEvent``),
/// recording its progress, so an interrupted phase resumes where it stopped when run again.
/// Several migrations may be in flight when they change different tables, or when a later one
/// only adds columns, indexes or constraints to a table an earlier one converts: each `start` layers a
/// version schema on top of the latest (showing every change so far), `complete` goes in id
/// order and `abort` in reverse. Pending migrations started together form a chain (one step).
extension Deployment {
    /// Options of the expand phase's backfill.
    public struct BackfillOptions: Sendable {
        /// The duration a batch aims at by default: 25 ms. A batch holds its rows' locks until
        /// it commits, and an application transaction that meets one of them waits that long
        /// plus the flush of the batch's WAL. Measured under pgbench on 2 cores
        /// (Benchmarks/README, sessions 3 and 4): with 100-ms batches such waits reached
        /// 300–380 ms; with 25-ms batches no slow transaction waited on a batch's lock, and
        /// the backfill's rate with nothing else running stayed at 0.64–1.04 of one `UPDATE`.
        public static let defaultTargetBatchDuration: Duration = .milliseconds(25)

        /// The duration a batch aims at; the batch size adapts to it.
        public var targetBatchDuration: Duration
        /// A pause between batches.
        public var delay: Duration
        /// The first batch's rows.
        public var initialBatchSize: Int
        /// Asked between batches whether the database can take the next one; nil never pauses.
        public var throttle: (any BackfillThrottle)?
        /// The longest pause the throttle may ask for after one batch, so a busy database slows
        /// the backfill down without stopping it.
        public var maxPause: Duration
        /// False stops the expand phase before its backfill (phase `expanding`); `cutover
        /// backfill ID` (``backfillExpandContract(_:backfill:events:)``) runs it later, with
        /// the plain index builds on the backfilled tables that follow it in the plan.
        public var runsBackfill: Bool

        /// Creates options.
        public init(
            targetBatchDuration: Duration = defaultTargetBatchDuration, delay: Duration = .zero, initialBatchSize: Int = 1_000,
            throttle: (any BackfillThrottle)? = PrimaryLoadThrottle(), maxPause: Duration = .seconds(2), runsBackfill: Bool = true
        ) {
            self.targetBatchDuration = targetBatchDuration
            self.delay = delay
            self.initialBatchSize = initialBatchSize
            self.throttle = throttle
            self.maxPause = maxPause
            self.runsBackfill = runsBackfill
        }
    }

    /// The expand phase: runs the start actions of migration `id` and backfills the rows that
    /// existed before its triggers. Run again after an interruption, it resumes.
    ///
    /// - Parameters:
    ///   - id: the migration (its `.yaml` file in the migrations folder).
    ///   - schema: the schema holding the tables.
    ///   - backfill: how the backfill's batches are sized and paced.
    ///   - enforcesLint: true (the default) refuses a fresh start while the hand-written SQL
    ///     of the migrations it starts has a lint error (as `migrate` does); false reports such
    ///     findings as ``LintDisposition/overridden`` and goes on (`cutover start --no-lint`).
    ///     Every finding is sent as ``ExpandContractEvent/lintFinding(_:_:)``; a resumed start
    ///     is not linted again.
    ///   - events: progress.
    /// - Returns: the migration's row, phase ``ExpandContractPhase/expanded``.
    /// - Throws: `CutoverError`: `.invalidMigration` (file and line) for an operation that does
    ///   not fit the tables, `.validationFailed` (before any change) for a lint error,
    ///   `.invalidArgument` when another migration is in flight or this one
    ///   is already completed, `.statementFailed` for a failing statement (the phase can be run
    ///   again, or undone with ``abortExpandContract(_:events:)``).
    @discardableResult
    public func startExpandContract(
        _ id: MigrationID, schema: String = "public", backfill: BackfillOptions = BackfillOptions(), enforcesLint: Bool = true,
        events: @escaping ExpandContractEventHandler = { _ in }
    ) async throws -> ExpandContractRecord {
        try await startExpandContract(id, schema: schema, backfill: backfill, runBy: .start, lintGate: enforcesLint, events: events)
    }

    /// ``startExpandContract(_:schema:backfill:enforcesLint:events:)``, recording who runs it.
    /// - Parameter lintGate: nil when the caller gated the lint findings already (`migrate`
    ///   does, for every `.yaml` migration of its run); else whether lint errors stop a fresh start.
    func startExpandContract(
        _ id: MigrationID, schema: String = "public", backfill: BackfillOptions = BackfillOptions(), runBy: ExpandContractRecord.RunBy,
        lintGate: Bool? = nil, events: @escaping ExpandContractEventHandler
    ) async throws -> ExpandContractRecord {
        let file = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        return try await withExpandContractSession { database, store in
            let records = try await finalizeEndedRevertWindows(database: database, store: store, events: events)
            let own = records.first { $0.id == id }
            var record: ExpandContractRecord
            if let own, let existing = records.first(where: { $0.id == own.leaderID }), existing.phase == .expanding || existing.phase == .expanded {
                try Self.requireUnchanged(try loadFiles(of: existing), since: existing)
                record = existing
                if existing.phase == .expanded { return existing }
            } else {
                if let own, !own.phase.isUndone {
                    throw CutoverError(
                        .invalidArgument, "\(file.path): migration \(id) is \(own.phase), it cannot start",
                        hint: own.phase == .aborting ? "finish the abort first: cutover abort \(own.leaderID)" : "it is done; write a new migration for a new change")
                }
                record = try await plannedStart(id, schema: schema, runBy: runBy, records: records, database: database)
                if let enforcing = lintGate {
                    // The chain's hand-written SQL, before anything is changed.
                    let findings = try expandContractLintFindings(record.chain.isEmpty ? [id] : record.chain, serverVersion: database.serverVersion)
                    try gateLint(findings, enforcing: enforcing) { event in
                        if case .lintFinding(let finding, let disposition) = event { events(.lintFinding(finding, disposition)) }
                    }
                }
                try await store.begin(record)
                // The others of the chain: rows that follow the leader's phase.
                for follower in record.chain.dropLast() {
                    let followerFile = try ExpandContractFile.load(id: follower, folder: config.migrationsDirectory)
                    try await store.begin(ExpandContractRecord(
                        id: follower, name: followerFile.migration.name, checksum: followerFile.checksum, phase: .expanding, schema: schema,
                        versionSchema: record.versionSchema, plan: .init(start: [], complete: [], abort: []), actionsDone: 0, runBy: runBy,
                        chain: record.chain))
                }
            }
            let settings = Backfill.Settings(
                targetBatchDuration: backfill.targetBatchDuration, initialBatchSize: max(backfill.initialBatchSize, 1), delay: backfill.delay,
                throttle: backfill.throttle, maxPause: backfill.maxPause)
            if !backfill.runsBackfill, let first = record.plan.start.firstIndex(where: { $0.kind == .backfill }) {
                // Everything but the backfill: the phase stays `expanding` until `cutover backfill`.
                try await runPhase(.expanding, then: nil, record: record, database: database, store: store, backfill: settings, until: first, events: events)
                record.actionsDone = max(record.actionsDone, first)
                return record
            }
            try await runPhase(.expanding, then: .expanded, record: record, database: database, store: store, backfill: settings, events: events)
            record.phase = .expanded
            record.actionsDone = record.plan.start.count
            return record
        }
    }

    /// Runs, or resumes, the backfill of a migration whose expand phase was started without it
    /// (`cutover start --no-backfill`) or interrupted: the rest of the expand phase, then phase
    /// ``ExpandContractPhase/expanded``. Nothing to do for an expanded migration.
    ///
    /// - Parameters:
    ///   - id: a migration whose phase is `expanding` or `expanded`.
    ///   - backfill: how the batches are sized, paced and throttled.
    ///   - events: progress.
    /// - Returns: the migration's row.
    /// - Throws: `CutoverError` `.invalidArgument` for a migration not started, completed or aborted.
    @discardableResult
    public func backfillExpandContract(
        _ id: MigrationID, backfill: BackfillOptions = BackfillOptions(), events: @escaping ExpandContractEventHandler = { _ in }
    ) async throws -> ExpandContractRecord {
        let phase = try await expandContractRecords().first { $0.id == id }?.phase
        guard phase == .expanding || phase == .expanded else {
            throw CutoverError(
                .invalidArgument, "migration \(id) is \(phase?.rawValue ?? "not started"): only a started migration has a backfill to run",
                hint: phase == nil || phase?.isUndone == true ? "start it: cutover start \(id)" : "nothing to backfill")
        }
        var options = backfill
        options.runsBackfill = true
        return try await startExpandContract(id, backfill: options, events: events)
    }

    /// The contract phase of migration `id`: validates what the new version needs, drops what
    /// only the old version used, and the previous version's schema. Resumes when interrupted.
    ///
    /// With a revert window (`revertWindow`, or `[safety] revert_window`), the old shape is not
    /// dropped yet: the migration becomes ``ExpandContractPhase/revertible``, the triggers keep
    /// both shapes in sync, ``revertExpandContract(_:events:)`` brings the old version back
    /// with every write made meanwhile, and `finalize` (or the next `start` or `migrate` once
    /// the window has ended) runs the contract phase.
    ///
    /// - Parameters:
    ///   - id: a migration whose phase is ``ExpandContractPhase/expanded`` (or `revertible`
    ///     with `finalize`).
    ///   - revertWindow: how long to keep the old shape; nil: `[safety] revert_window` from the
    ///     configuration; `.zero`: none.
    ///   - finalize: drop the old shape now, revert window or not.
    ///   - events: progress.
    /// - Returns: the migration's row, phase ``ExpandContractPhase/completed`` (or `revertible`).
    @discardableResult
    public func completeExpandContract(
        _ id: MigrationID, revertWindow: Duration? = nil, finalize: Bool = false, events: @escaping ExpandContractEventHandler = { _ in }
    ) async throws -> ExpandContractRecord {
        _ = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        let window = finalize ? nil : (revertWindow ?? config.safety.revertWindow).flatMap { $0 > .zero ? $0 : nil }
        return try await withExpandContractSession { database, store in
            guard var record = try await store.leaderRecord(id), [.expanded, .revertible, .completing, .completed].contains(record.phase) else {
                let phase = try await store.record(id)?.phase.rawValue ?? "not started"
                throw CutoverError(
                    .invalidArgument, "migration \(id) is \(phase): only an expanded migration can complete",
                    hint: phase == "expanding" ? "finish the expand phase first: cutover start \(id)" : "start it first: cutover start \(id)")
            }
            if record.phase == .completed { return record }
            try Self.requireUnchanged(try loadFiles(of: record), since: record)
            if record.phase == .expanded, let earlier = try await store.records().first(where: { $0.isInFlightLeader && $0.id < record.id }) {
                throw CutoverError(
                    .invalidArgument, "migration \(earlier.id) (\(earlier.name)) is \(earlier.phase): versions complete in order, \(record.id) after it",
                    hint: "complete \(earlier.id) first (cutover complete \(earlier.id)): its complete drops the version before it, then \(record.id)'s drops \(earlier.versionSchema)",
                    migrationID: record.id)
            }
            if record.phase == .expanded, let window {
                try await store.setRevertible(record.id, window: window)
                let revertible = try await store.record(record.id) ?? record
                events(.phaseFinished(id: record.id, phase: .revertible, duration: .zero))
                return revertible
            }
            if record.phase == .revertible, !finalize { return record }
            return try await contract(&record, database: database, store: store, events: events)
        }
    }

    /// Runs (or resumes) the contract phase of an expanded or revertible migration.
    private func contract(
        _ record: inout ExpandContractRecord, database: any Database, store: ExpandContractStore, events: @escaping ExpandContractEventHandler
    ) async throws -> ExpandContractRecord {
        if record.phase != .completing {
            try await store.setPhase(record.id, .completing)
            record.phase = .completing
            record.actionsDone = 0
        }
        try await runPhase(.completing, then: .completed, record: record, database: database, store: store, backfill: Backfill.Settings(), events: events)
        record.phase = .completed
        record.actionsDone = record.plan.complete.count
        record.revertibleUntil = nil
        return record
    }

    /// Brings the old version of a ``ExpandContractPhase/revertible`` migration back: the
    /// expand phase is undone (new columns, triggers, the new version schema), and the old
    /// columns, kept in sync by the triggers since `complete`, hold every write made by either
    /// version. Roll the application back to the old version first. Safe to run again after an
    /// interruption.
    ///
    /// - Parameters:
    ///   - id: a migration completed with a revert window and not finalized.
    ///   - events: progress.
    /// - Returns: the migration's row, phase ``ExpandContractPhase/reverted``.
    /// - Throws: `CutoverError` `.invalidArgument` for a migration that is not revertible (a
    ///   finalized one is undone by a new migration; an expanded one by abort).
    @discardableResult
    public func revertExpandContract(_ id: MigrationID, events: @escaping ExpandContractEventHandler = { _ in }) async throws -> ExpandContractRecord {
        try await withExpandContractSession { database, store in
            guard var record = try await store.leaderRecord(id), [.revertible, .reverting, .reverted].contains(record.phase) else {
                let phase = try await store.record(id)?.phase ?? ExpandContractPhase("not started")
                let hint =
                    switch phase {
                    case .expanding, .expanded: "it is not completed: undo its expand phase with `cutover abort \(id)`"
                    case .completed, .completing: "it was completed without a revert window (or finalized): the old shape is gone; write a new migration that undoes it"
                    default: "only a migration completed with a revert window can be reverted"
                    }
                throw CutoverError(.invalidArgument, "migration \(id) is \(phase): there is no kept old shape to revert to", hint: hint)
            }
            if record.phase == .reverted { return record }
            if record.phase != .reverting {
                try await store.setPhase(record.id, .reverting)
                record.phase = .reverting
                record.actionsDone = 0
            }
            try await runPhase(.reverting, then: .reverted, record: record, database: database, store: store, backfill: Backfill.Settings(), events: events)
            try await database.execute("DELETE FROM cutover.backfills WHERE migration_id = $1", [.text(record.id.normalized)])
            record.phase = .reverted
            record.actionsDone = record.plan.abort.count
            return record
        }
    }

    /// Finalizes the revertible migrations whose window has ended (the "next run" of
    /// `[safety] revert_window`), under the run lock held by the caller.
    /// - Returns: the records, as they are after.
    private func finalizeEndedRevertWindows(
        database: any Database, store: ExpandContractStore, events: @escaping ExpandContractEventHandler
    ) async throws -> [ExpandContractRecord] {
        var records = try await store.records()
        var finalized = false
        for index in records.indices where records[index].phase == .revertible && records[index].revertWindowEnded && !records[index].isChainFollower {
            logger.info("finalizing \(records[index].id): its revert window has ended")
            var record = records[index]
            _ = try await contract(&record, database: database, store: store, events: events)
            finalized = true
        }
        // Re-read: the rows of a chain's followers moved with their leader.
        if finalized { records = try await store.records() }
        return records
    }

    /// Finalizes the revertible migrations whose window has ended, in a session of its own
    /// (`cutover migrate` does this before it looks at the `.yaml` migrations).
    /// - Returns: every migration's record, as after.
    func finalizeEndedRevertWindows(events: @escaping ExpandContractEventHandler) async throws -> [ExpandContractRecord] {
        let needed = try await expandContractRecords().contains { $0.phase == .revertible && $0.revertWindowEnded }
        guard needed else { return try await expandContractRecords() }
        return try await withExpandContractSession { database, store in
            try await finalizeEndedRevertWindows(database: database, store: store, events: events)
        }
    }

    /// Undoes the expand phase of migration `id` completely (shadow columns, triggers, the
    /// version schema, indexes it built). Every action may run again, so an interrupted abort
    /// is finished by running it again.
    ///
    /// - Parameters:
    ///   - id: a migration that is expanding, expanded, or aborting.
    ///   - events: progress.
    /// - Returns: the migration's row, phase ``ExpandContractPhase/aborted``.
    @discardableResult
    public func abortExpandContract(_ id: MigrationID, events: @escaping ExpandContractEventHandler = { _ in }) async throws -> ExpandContractRecord {
        try await withExpandContractSession { database, store in
            guard var record = try await store.leaderRecord(id), [.expanding, .expanded, .aborting, .aborted].contains(record.phase) else {
                let phase = try await store.record(id)?.phase ?? ExpandContractPhase("not started")
                throw CutoverError(
                    .invalidArgument, "migration \(id) is \(phase): there is no expand phase to undo",
                    hint: phase.rawValue == "not started" ? "nothing to do"
                        : phase == .revertible || phase == .reverting ? "it is completed within its revert window: bring the old version back with `cutover revert \(id)`"
                        : "a completed migration is undone by a new migration")
            }
            if record.phase == .aborted { return record }
            if let later = try await store.records().first(where: { $0.isInFlightLeader && $0.id > record.id }) {
                throw CutoverError(
                    .invalidArgument, "migration \(later.id) (\(later.name)) is \(later.phase) on top of \(record.id): its version schema shows \(record.id)'s columns",
                    hint: "abort \(later.id) first (cutover abort \(later.id)), then \(record.id)", migrationID: record.id)
            }
            if record.phase != .aborting {
                try await store.setPhase(record.id, .aborting)
                record.phase = .aborting
                record.actionsDone = 0
            }
            try await runPhase(.aborting, then: .aborted, record: record, database: database, store: store, backfill: Backfill.Settings(), events: events)
            try await database.execute("DELETE FROM cutover.backfills WHERE migration_id = $1", [.text(record.id.normalized)])
            record.phase = .aborted
            record.actionsDone = record.plan.abort.count
            return record
        }
    }

    /// The expand/contract migrations the target has seen, in id order (empty on SQLite, or
    /// before the first `start`).
    public func expandContractRecords() async throws -> [ExpandContractRecord] {
        try await withSession { database in
            guard database.dialect.name == PostgresDialect().name else { return [] }
            return try await ExpandContractStore(database: database).records()
        }
    }

    // MARK: - Running

    /// Opens the target, checks it is PostgreSQL, takes the run lock, prepares the tables.
    private func withExpandContractSession<T>(_ body: (any Database, ExpandContractStore) async throws -> T) async throws -> T {
        try await withSession { database in
            guard database.dialect.name == PostgresDialect().name else {
                throw CutoverError(
                    .invalidArgument, "expand/contract migrations (start, complete, abort) run on PostgreSQL only in this version",
                    hint: "on SQLite, write the change as a .sql migration")
            }
            let lock = try await database.acquireRunLock(wait: migratorConfiguration.lockWait, logger: logger)
            do {
                let store = ExpandContractStore(database: database)
                try await store.prepare()
                let result = try await body(database, store)
                await lock.release()
                return result
            } catch {
                await lock.release()
                throw error
            }
        }
    }

    /// Runs the actions of `phase` from where the record says (up to `until`, or all), then
    /// records `end` (nil: the phase goes on later).
    private func runPhase(
        _ phase: ExpandContractPhase, then end: ExpandContractPhase?, record: ExpandContractRecord, database: any Database,
        store: ExpandContractStore, backfill settings: Backfill.Settings, until: Int? = nil, events: @escaping ExpandContractEventHandler
    ) async throws {
        let actions = Array(record.plan.actions(for: phase).prefix(until ?? .max))
        let clock = ContinuousClock()
        let began = clock.now
        events(.phaseStarted(id: record.id, phase: phase, actions: actions.count, skipping: record.actionsDone))
        let backfill = Backfill(database: database, record: record, settings: settings, logger: logger, events: events)
        var runner = PhaseRunner(
            database: database, store: store, record: record, lockTimeout: migratorConfiguration.lockTimeout,
            retry: migratorConfiguration.retry, logger: logger, events: events, backfill: { try await backfill.run($0) })
        runner.observer = try await phaseObserver?(database, record.id, phase)
        runner.autovacuumYield = try await autovacuumYield(on: database)
        runner.indexBuildWorkers = config.safety.indexBuildWorkers
        try await runner.run(actions, from: record.actionsDone)
        guard let end else { return }
        try await store.setPhase(record.id, end, actionsDone: actions.count)
        events(.phaseFinished(id: record.id, phase: end, duration: began.duration(to: clock.now)))
    }

    /// The statement that makes the phase's strong-lock statements cancel a blocking
    /// autovacuum after 100 ms, when the role may lower `deadlock_timeout`; otherwise nil, said
    /// once at info level with the grant that would allow it.
    private func autovacuumYield(on database: any Database) async throws -> String? {
        let dialect = database.dialect
        guard let query = dialect.autovacuumYieldPrivilegeQuery(serverVersion: database.serverVersion) else { return nil }
        guard try await database.query(query).first?["allowed"] == .bool(true) else {
            logger.info(
                "this role may not lower deadlock_timeout: an autovacuum of a table holds a strong-lock statement (and the queries queued behind it) for deadlock_timeout (1 s by default) before it is cancelled; GRANT SET ON PARAMETER deadlock_timeout TO the role (PostgreSQL 15+) to make it 100 ms")
            return nil
        }
        return dialect.autovacuumYieldStatement(after: .milliseconds(100))
    }

    /// The shape the previous version sees: the tables as they are (with no migration in
    /// flight, a completed one has renamed its shadow columns into place, so its version
    /// schema shows the tables under their physical names).
    func previousShape(database: any Database, schema: String) async throws -> VersionShape {
        VersionShape(schema: try await database.introspectSchema(), named: schema)
    }

    /// The files of a started migration (all of its chain's), to compare with its checksum.
    private func loadFiles(of record: ExpandContractRecord) throws -> ExpandContractFile {
        try ExpandContractFile.load(chain: record.chain.isEmpty ? [record.id] : record.chain, folder: config.migrationsDirectory)
    }

    /// Refuses to go on with a migration whose file was edited after its start.
    private static func requireUnchanged(_ file: ExpandContractFile, since record: ExpandContractRecord) throws {
        guard file.checksum == record.checksum else {
            throw CutoverError(
                .invalidMigration, "\(file.path) was changed after `cutover start` planned it",
                hint: "undo the edit, or run `cutover abort \(record.id)` and start it again", file: file.path, migrationID: record.id)
        }
    }
}
