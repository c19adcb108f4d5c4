import CutoverCore
import CutoverOperations
import Foundation

/// One row of `cutover.expand_contract`: where an expand/contract migration stands, and the
/// plan `cutover start` made for it.
///
/// The plan is stored when the migration starts and every later phase runs it as stored:
/// once the expand phase has added shadow columns, planning again from the database's tables
/// would see them and plan something else.
public struct ExpandContractRecord: Sendable, Equatable {
    /// The migration's id.
    public var id: MigrationID
    /// The descriptive part of its file name.
    public var name: String
    /// SHA-256 of the `.yaml` file when it started.
    public var checksum: String
    /// Where the migration stands.
    public var phase: ExpandContractPhase
    /// The schema holding the tables (`public`).
    public var schema: String
    /// The new version's schema of views (`public_20261201120000`).
    public var versionSchema: String
    /// The actions of each phase, as planned at start.
    public var plan: StoredPlan
    /// Actions of the current phase already done: an interrupted phase resumes after them.
    public var actionsDone: Int
    /// Who started it: `cutover start` (complete waits for the operator) or `cutover migrate`
    /// (which completes it at once, and finishes it when run again after an interruption).
    public var runBy: RunBy = .start
    /// When the revert window of a ``ExpandContractPhase/revertible`` migration ends (the
    /// database's clock); nil for other phases.
    public var revertibleUntil: Date?
    /// The migrations started together as one step (`cutover start` of the last of several
    /// pending ones: a release train in one deploy window), in id order; empty for one started
    /// alone. The last is the leader: its row holds the plan, the others follow its phase.
    public var chain: [MigrationID] = []
    /// True when ``revertibleUntil`` has passed (by the database's clock, when read): the next
    /// run finalizes the migration.
    public var revertWindowEnded: Bool = false

    /// The migration whose row holds the plan: the last of the ``chain``, or this one.
    public var leaderID: MigrationID { chain.last ?? id }
    /// True for a migration of a chain other than its last: its phases run through the leader.
    public var isChainFollower: Bool { leaderID != id }
    /// True for a migration in flight whose row holds a plan (alone, or a chain's leader).
    var isInFlightLeader: Bool { phase.isInFlight && !isChainFollower }

    /// Who started a migration.
    public enum RunBy: String, Sendable, Equatable {
        /// `cutover start` (``Deployment/startExpandContract(_:schema:backfill:enforcesLint:events:)``).
        case start
        /// `cutover migrate`, start to complete at once.
        case migrate
    }

    /// The actions of the three phases, as `cutover start` planned them.
    public struct StoredPlan: Sendable, Equatable, Codable {
        /// The expand phase.
        public var start: [PlannedAction]
        /// The contract phase.
        public var complete: [PlannedAction]
        /// The undoing of the expand phase.
        public var abort: [PlannedAction]

        /// The tables as the new version sees them (nil in plans stored before it was kept): a
        /// migration started while this one is in flight plans against it.
        public var shape: VersionShape?

        /// Creates a stored plan.
        public init(start: [PlannedAction], complete: [PlannedAction], abort: [PlannedAction], shape: VersionShape? = nil) {
            self.start = start
            self.complete = complete
            self.abort = abort
            self.shape = shape
        }

        /// The statements of the expand phase that follow its first backfill: the plain index
        /// builds on the backfilled tables, which `cutover backfill` runs after a start with
        /// `--no-backfill`.
        public var statementsAfterBackfill: [PlannedAction] {
            start.drop { $0.kind != .backfill }.filter { $0.kind == .statement }
        }

        /// The tables the migration changes (qualified, `public.users`): those the statements of
        /// its expand and contract phases lock for more than reads, and those it backfills. Nil
        /// when a statement's table is unknown (an operation `sql`): it may change any.
        public var changedTables: Set<String>? {
            var tables: Set<String> = []
            for action in start + complete where action.lock != .accessShare && action.lock != .none {
                guard let table = action.table else { return nil }
                tables.insert(table)
            }
            return tables
        }

        /// The three phases as SQL text, as `cutover plan` prints them.
        public func rendered() -> String {
            ExpandContractPlan(start: start, complete: complete, abort: abort, shape: shape ?? VersionShape(tables: [])).rendered()
        }

        /// The actions of `phase` (the phase in progress or done).
        public func actions(for phase: ExpandContractPhase) -> [PlannedAction] {
            switch phase {
            case .expanding, .expanded: start
            case .completing, .completed: complete
            case .aborting, .aborted, .reverting, .reverted: abort
            default: []
            }
        }
    }
}

/// Where an expand/contract migration stands. An open set, stored as text.
public struct ExpandContractPhase: Hashable, Sendable, CustomStringConvertible {
    /// The phase's name as stored and printed.
    public let rawValue: String
    /// Creates a phase from its name.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// The name.
    public var description: String { rawValue }

    /// `cutover start` is running, or was interrupted (running it again resumes).
    public static let expanding = ExpandContractPhase("expanding")
    /// Both versions are served and the backfill is done: roll out the new code, then `complete`.
    public static let expanded = ExpandContractPhase("expanded")
    /// `cutover complete` is running, or was interrupted (running it again resumes).
    public static let completing = ExpandContractPhase("completing")
    /// Completed with a revert window (`[safety] revert_window`, `complete --revert-window`):
    /// the new version is the version, but the old shape is kept, in sync through the
    /// triggers, until the window ends; `cutover revert` brings it back with every write made
    /// meanwhile, `cutover complete --finalize` (or the next run after the window) drops it.
    public static let revertible = ExpandContractPhase("revertible")
    /// Done: only the new version's shape is left.
    public static let completed = ExpandContractPhase("completed")
    /// `cutover revert` is running, or was interrupted (running it again resumes).
    public static let reverting = ExpandContractPhase("reverting")
    /// Reverted within its window: the database has the old version's shape, with every
    /// write either version made; `start` may run again.
    public static let reverted = ExpandContractPhase("reverted")
    /// `cutover abort` is running, or was interrupted (running it again resumes).
    public static let aborting = ExpandContractPhase("aborting")
    /// Undone: the database is as before `start`; `start` may run again.
    public static let aborted = ExpandContractPhase("aborted")

    /// True while both versions' shapes exist (between the start and the end of complete,
    /// abort or revert).
    public var isInFlight: Bool {
        [.expanding, .expanded, .revertible, .completing, .aborting, .reverting].contains(self)
    }

    /// True when the migration's change is undone (`aborted`, `reverted`): it may start again.
    public var isUndone: Bool { self == .aborted || self == .reverted }
}
