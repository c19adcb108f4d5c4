import CutoverCore

/// What a rehearsal saw for one expand/contract (`.yaml`) migration on the clone: each phase
/// `migrate` runs (PostgreSQL: `start`, `backfill`, `complete`; SQLite: `apply`, the direct
/// application), how long it took, the rows backfilled, and the locks its statements held.
///
/// ```swift
/// for migration in report.expandContract {
///     for phase in migration.phases { print(migration.migration, phase.name, phase.durationMilliseconds) }
/// }
/// ```
public struct ExpandContractRehearsal: Sendable {
    /// One phase of the migration on the clone.
    public struct Phase: Sendable {
        /// `start` (the expand phase without its backfill), `backfill`, `complete`, or on
        /// SQLite `apply`.
        public var name: String
        /// Time spent in the phase, in milliseconds.
        public var durationMilliseconds: Int
        /// For `backfill`: the rows visited, summed over its tables.
        public var rowsBackfilled: Int?
        /// The phase's statements (PostgreSQL), each run in its own short transaction under
        /// `lock_timeout`, with the locks it held. The line of each is its action number.
        public var statements: [StatementObservation]
        /// SQLite: the database's write lock, held by the one transaction of the application.
        public var writeLock: WriteLockObservation?

        /// The worst impact on the application among the phase's locks.
        public var impact: LockImpact {
            (statements.map(\.impact) + [writeLock?.impact].compactMap { $0 }).max() ?? .blocksNothing
        }
    }

    /// The migration's id.
    public var migration: MigrationID
    /// Its name (`rename_name`).
    public var name: String
    /// The path of its `.yaml` file.
    public var file: String
    /// The phases run, in order.
    public var phases: [Phase]
    /// The phase that failed on the clone, nil when all succeeded.
    public var failedPhase: String?
    /// With an abort check (PostgreSQL, `rehearse --abort-check`): true when abort, run on
    /// the clone after start, brought the tables back as they were before start (then start,
    /// backfill and complete ran again); nil when not checked.
    public var abortRestoredSchema: Bool?
    /// What the abort left different from before start (`SchemaDiff.text`), when it did.
    public var abortLeftovers: String?

    /// The rows the backfill visited, nil when it had none.
    public var rowsBackfilled: Int? {
        let counts = phases.compactMap(\.rowsBackfilled)
        return counts.isEmpty ? nil : counts.reduce(0, +)
    }
}

/// Makes the ``StatementObserver`` of one phase of an expand/contract migration, given the
/// session that runs it, the migration and the phase (``Deployment/phaseObserver``).
package typealias PhaseObserverFactory = @Sendable (any Database, MigrationID, ExpandContractPhase) async throws -> (any StatementObserver)?
