import CutoverCore

/// Where one migration stands, comparing the files with the history.
public struct MigrationState: Sendable {
    /// The state names of the command-line contract.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
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
    }

    public var id: MigrationID
    public var name: String
    public var kind: Kind
    /// The file, when there is one.
    public var migration: Migration?
    /// The history row, when there is one.
    public var record: HistoryRecord?
}

/// Compares migration files with history rows. Pure: no I/O.
public struct MigrationPlanner: Sendable {
    public init() {}

    /// One state per migration id found in the files or the history, in id order.
    public func states(migrations: [Migration], history: [MigrationID: HistoryRecord]) -> [MigrationState] {
        var newestApplied: MigrationID?
        for record in history.values where record.phase == .applied {
            if newestApplied.map({ $0 < record.id }) ?? true { newestApplied = record.id }
        }
        var states: [MigrationState] = []
        states.reserveCapacity(max(migrations.count, history.count))
        var recordsMatched = 0
        var ordered = true
        for (index, migration) in migrations.enumerated() {
            if index > 0, !(migrations[index - 1].id < migration.id) { ordered = false }
            let record = history[migration.id]
            let kind: MigrationState.Kind
            switch record?.phase {
            case .applied?:
                kind = record!.checksum == migration.checksum ? .applied : .changed
            case .failed?, .running?:
                kind = .failed
            default:
                if let newestApplied, migration.id < newestApplied { kind = .outOfOrder } else { kind = .pending }
            }
            if record != nil { recordsMatched += 1 }
            states.append(MigrationState(id: migration.id, name: migration.name, kind: kind, migration: migration, record: record))
        }
        // Rows without a file: looked for only when some row matched no file (strictly
        // increasing ids mean no row was counted twice).
        if !ordered || recordsMatched < history.count {
            let fileIDs = Set(migrations.map(\.id))
            for record in history.values where !fileIDs.contains(record.id) && record.phase != .rolledBack {
                states.append(MigrationState(id: record.id, name: record.name, kind: record.phase == .applied ? .missing : .failed, migration: nil, record: record))
                ordered = false
            }
        }
        // The files usually arrive in id order already; sorting a thousand states is not free.
        return ordered ? states : states.sorted { $0.id < $1.id }
    }
}
