import CutoverCore

/// Where one migration stands, comparing the files with the history.
public struct MigrationState: Sendable {
    /// The state names of the command-line contract.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The name in `cutover status --json` (`applied`, `out_of_order`, …).
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        /// The name, as ``rawValue``.
        public var description: String { rawValue }

        /// In the history and unchanged.
        public static let applied = Kind("applied")
        /// Not yet applied (or rolled back).
        public static let pending = Kind("pending")
        /// Applied, but the file has changed since.
        public static let changed = Kind("changed")
        /// The last attempt failed (or a no-transaction run was interrupted).
        public static let failed = Kind("failed")
        /// Pending, but older than the newest applied migration.
        public static let outOfOrder = Kind("out_of_order")
        /// Applied, but its file is gone.
        public static let missing = Kind("missing")
        /// Applied by code the application registered in Swift (`Deployment.registerMigration`),
        /// seen by a run that does not know that code (the command-line tool): no file is
        /// expected, and nothing is wrong.
        public static let appliedByApp = Kind("app_applied")
        /// Not applied, and its file is not written yet (`Migration.draft`): `migrate`
        /// stops before it.
        public static let draft = Kind("draft")
        /// Being applied now by another run, the holder of the run lock (PostgreSQL): see
        /// ``MigrationState/markingRun(_:by:)``.
        public static let running = Kind("running")
        /// An expand/contract migration whose `cutover start` is running or was interrupted.
        public static let expanding = Kind("expanding")
        /// An expand/contract migration serving both versions: `cutover complete` is next.
        public static let expanded = Kind("expanded")
        /// An expand/contract migration whose `cutover complete` is running or was interrupted.
        public static let completing = Kind("completing")
        /// An expand/contract migration whose `cutover abort` is running or was interrupted.
        public static let aborting = Kind("aborting")
        /// An expand/contract migration done (the counterpart of ``applied``).
        public static let completed = Kind("completed")
        /// An expand/contract migration completed within its revert window: the old shape is
        /// kept in sync until `cutover revert` or the window's end.
        public static let revertible = Kind("revertible")
        /// An expand/contract migration whose `cutover revert` is running or was interrupted.
        public static let reverting = Kind("reverting")
    }

    /// The migration's id (the file name's leading number).
    public var id: MigrationID
    /// The name after the id (`create_users`), from the file or else the history.
    public var name: String
    /// Where it stands.
    public var kind: Kind
    /// The file, when there is one.
    public var migration: Migration?
    /// The history row, when there is one.
    public var record: HistoryRecord?
    /// For an expand/contract (`.yaml`) migration that has started: its row (phase, version
    /// schema, revert window).
    public var expandContract: ExpandContractRecord?
    /// For an expand/contract migration: where each table's backfill stands.
    public var backfills: [BackfillStatus] = []

    /// `states` with the migration another run is applying now marked ``Kind/running``: the
    /// first one not applied, in id order, while the run lock's holder is in a statement or a
    /// transaction. A transactional migration's work is invisible to other sessions until it
    /// commits, so without this a migration running for minutes reads as `pending` (and an
    /// interrupted-looking no-transaction row as `failed`).
    ///
    /// - Parameters:
    ///   - states: the states from ``MigrationPlanner/states(migrations:history:)``.
    ///   - holder: the run lock's holder (`Database.runLockHolder()`), or nil.
    public static func markingRun(_ states: [MigrationState], by holder: RunLockHolder?) -> [MigrationState] {
        guard let holder, holder.isWorking else { return states }
        var states = states
        let candidates: Set<Kind> = [.pending, .outOfOrder, .failed]
        if let index = states.indices.filter({ candidates.contains(states[$0].kind) && states[$0].migration != nil })
            .min(by: { states[$0].id < states[$1].id }),
            states[index].kind != .failed || states[index].record?.phase == .running
        {
            states[index].kind = .running
        }
        return states
    }
}

/// Compares migration files with history rows. Pure: no I/O.
///
/// ```swift
/// let states = MigrationPlanner().states(migrations: migrations, history: try await migrator.historyRecords())
/// let pending = states.filter { $0.kind == .pending }
/// ```
public struct MigrationPlanner: Sendable {
    /// A planner; it keeps no state.
    public init() {}

    /// One state per migration id found in the files or the history, in id order.
    ///
    /// - Parameters:
    ///   - migrations: the migration files.
    ///   - history: the history rows, keyed by id.
    /// - Returns: the states; a row without a file is ``MigrationState/Kind/missing`` (or
    ///   ``MigrationState/Kind/failed``), with no ``MigrationState/migration``.
    public func states(migrations: [Migration], history: [MigrationID: HistoryRecord]) -> [MigrationState] {
        let newestApplied = Self.newestApplied(in: history)
        var states: [MigrationState] = []
        states.reserveCapacity(max(migrations.count, history.count))
        var recordsMatched = 0
        var ordered = true
        for (index, migration) in migrations.enumerated() {
            if index > 0, !(migrations[index - 1].id < migration.id) { ordered = false }
            let record = history[migration.id]
            if record != nil { recordsMatched += 1 }
            let kind = Self.kind(of: migration, phase: record?.phase, checksum: record?.checksum, newestApplied: newestApplied)
            states.append(MigrationState(id: migration.id, name: migration.name, kind: kind, migration: migration, record: record))
        }
        // Rows without a file: looked for only when some row matched no file (strictly
        // increasing ids mean no row was counted twice).
        if !ordered || recordsMatched < history.count {
            let fileIDs = Set(migrations.map(\.id))
            for record in history.values where !fileIDs.contains(record.id) && record.phase != .rolledBack {
                let kind: MigrationState.Kind = record.phase != .applied ? .failed : record.isRegistered ? .appliedByApp : .missing
                states.append(MigrationState(id: record.id, name: record.name, kind: kind, migration: nil, record: record))
                ordered = false
            }
        }
        // The files usually arrive in id order already; sorting a thousand states is not free.
        return ordered ? states : states.sorted { $0.id < $1.id }
    }

    /// The state of each file, in the order of `migrations`: ``states(migrations:history:)``
    /// without the rows that have no file, and without copying files and rows into states
    /// (what `migrate` plans from, on every deploy).
    ///
    /// - Parameters:
    ///   - migrations: the migration files.
    ///   - history: the history rows, keyed by id.
    /// - Returns: one kind per file, at the file's position.
    public func fileKinds(migrations: [Migration], history: [MigrationID: HistoryRecord]) -> [MigrationState.Kind] {
        let newestApplied = Self.newestApplied(in: history)
        var kinds: [MigrationState.Kind] = []
        kinds.reserveCapacity(migrations.count)
        for index in migrations.indices {
            let slot = history.index(forKey: migrations[index].id)
            kinds.append(Self.kind(
                of: migrations[index], phase: slot.map { history.values[$0].phase }, checksum: slot.map { history.values[$0].checksum },
                newestApplied: newestApplied))
        }
        return kinds
    }

    private static func newestApplied(in history: [MigrationID: HistoryRecord]) -> MigrationID? {
        // By index: iterating the values would copy every row.
        var newest: MigrationID?
        for slot in history.values.indices where history.values[slot].phase == .applied {
            let id = history.values[slot].id
            if newest.map({ $0 < id }) ?? true { newest = id }
        }
        return newest
    }

    private static func kind(of migration: Migration, phase: HistoryRecord.Phase?, checksum: String?, newestApplied: MigrationID?) -> MigrationState.Kind {
        switch phase {
        case .applied?:
            return checksum == migration.checksum ? .applied : .changed
        case .failed?, .running?:
            return .failed
        default:
            if migration.draft != nil { return .draft }
            if let newestApplied, migration.id < newestApplied { return .outOfOrder }
            return .pending
        }
    }
}
