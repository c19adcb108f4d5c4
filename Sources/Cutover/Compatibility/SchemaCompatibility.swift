import CutoverCore

/// Whether the database serves what one version of an application needs, and what a pending
/// contract phase will take away from it (``Deployment/checkCompatibility(requires:versionSchema:)``).
public struct SchemaCompatibility: Sendable, Equatable {
    /// The answer.
    public enum Verdict: Sendable, Equatable {
        /// Every migration the app needs is applied, and nothing it reads was removed.
        case compatible
        /// These migrations the app needs are not applied (or were rolled back, aborted, reverted).
        case missing([MigrationID])
        /// The database moved past this version of the app: a contract phase removed what it
        /// reads. The text says which migration and what to do.
        case tooNew(String)
    }

    /// A column or table that the contract phase of a migration in flight will remove or rename:
    /// the app reading the base tables should stop selecting it before `complete`.
    public struct PendingDrop: Sendable, Hashable, Codable {
        /// The migration whose `complete` removes it.
        public var migration: MigrationID
        /// The table, by its name today.
        public var table: String
        /// The column, or nil when the whole table goes (dropped or renamed).
        public var column: String?
        /// The name it will have after `complete` when it is renamed, else nil.
        public var renamedTo: String?

        /// Creates an entry.
        public init(migration: MigrationID, table: String, column: String?, renamedTo: String?) {
            self.migration = migration
            self.table = table
            self.column = column
            self.renamedTo = renamedTo
        }
    }

    /// The answer.
    public var verdict: Verdict
    /// What the contract phases of the migrations in flight will remove, by table and column.
    public var pendingDrops: [PendingDrop]

    /// True for ``Verdict/compatible``.
    public var isCompatible: Bool { verdict == .compatible }
}
