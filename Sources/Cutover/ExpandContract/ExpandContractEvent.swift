import CutoverCore
import CutoverOperations

/// What `start`, `backfill`, `complete` and `abort` report as they go. The command-line tool
/// renders these (a progress line for the backfill, JSON lines with `--json`); an app logs them.
///
/// ```swift
/// try await deployment.startExpandContract(id) { event in
///     if case .backfillProgress(let progress) = event { logger.info("\(progress.rowsDone) rows") }
/// }
/// ```
public enum ExpandContractEvent: Sendable {
    /// A phase begins (or resumes after `skipping` actions done by an interrupted run).
    case phaseStarted(id: MigrationID, phase: ExpandContractPhase, actions: Int, skipping: Int)
    /// One action is about to run (1-based `number` of `total`).
    case action(number: Int, total: Int, PlannedAction)
    /// A statement met `lock_timeout`; it is tried again after `delay`.
    case retrying(number: Int, attempt: Int, of: Int, delay: Duration, message: String)
    /// An INVALID index left by an interrupted or failed `CREATE INDEX CONCURRENTLY` was dropped
    /// before the build runs again.
    case droppedInvalidIndex(String)
    /// A valid index of that name exists already (an interrupted run built it): nothing to do.
    case indexAlreadyBuilt(String)
    /// A backfill batch committed.
    case backfillProgress(BackfillProgress)
    /// A phase ended.
    case phaseFinished(id: MigrationID, phase: ExpandContractPhase, duration: Duration)
    /// A lint finding in the hand-written SQL of a migration `start` is about to expand, and
    /// what the gate does with it (sent before any change; a blocking one stops the start).
    case lintFinding(LintFinding, LintDisposition)
}

/// Where one table's backfill stands after a batch.
public struct BackfillProgress: Sendable, Equatable {
    /// The table (`public.users`).
    public var table: String
    /// Rows visited so far (across runs, when resumed).
    public var rowsDone: Int
    /// The estimated rows to visit (the planner's count at start), nil when unknown.
    public var rowsTotal: Int?
    /// Rows per second over this run.
    public var rowsPerSecond: Double
    /// The next batch's size, adapted to the target batch duration.
    public var batchSize: Int
    /// True after the last batch.
    public var isFinished: Bool

    /// Seconds left at the current rate, nil when unknown.
    public var secondsLeft: Double? {
        guard let total = rowsTotal, rowsPerSecond > 0, !isFinished else { return nil }
        return Double(max(total - rowsDone, 0)) / rowsPerSecond
    }
}

/// Where one table's backfill stands, as `cutover.backfills` records it (for `status`).
public struct BackfillStatus: Sendable, Equatable {
    /// The table (`users`).
    public var table: String
    /// Rows visited so far.
    public var rowsDone: Int
    /// The estimated rows to visit, nil when unknown.
    public var rowsTotal: Int?
    /// True once its last batch committed.
    public var isDone: Bool
}

/// Receives ``ExpandContractEvent``s.
public typealias ExpandContractEventHandler = @Sendable (ExpandContractEvent) -> Void
