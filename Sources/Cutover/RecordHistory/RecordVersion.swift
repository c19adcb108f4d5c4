import CutoverCore

/// One stored version of a row of a versioned table (`cutover versioning log`).
///
/// ```swift
/// let versions = try await deployment.recordVersions(of: "users", key: "7")
/// versions.last?.row   // {"id": 7, "name": "Ada"}
/// ```
public struct RecordVersion: Sendable, Hashable {
    /// The operation that made a version.
    public struct Operation: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The row was inserted; ``RecordVersion/row`` is the new row.
        public static let insert = Operation(rawValue: "insert")
        /// The row was updated; ``RecordVersion/row`` is the new row.
        public static let update = Operation(rawValue: "update")
        /// The row was deleted; ``RecordVersion/row`` is the row as it was.
        public static let delete = Operation(rawValue: "delete")
        public var description: String { rawValue }
    }

    /// The table, as the trigger named it.
    public var table: String
    /// The primary key's values as JSON text (`{"id": 7}`).
    public var key: String
    /// 1, 2, 3… per table and key.
    public var version: Int
    /// What made it.
    public var operation: Operation
    /// The row as JSON text, under the column names of its time.
    public var row: String
    /// When, as ISO 8601 text.
    public var changedAt: String
    /// PostgreSQL's transaction id (`txid_current()`); nil on SQLite.
    public var transaction: Int?
    /// The newest migration applied when the change was made; nil before any.
    public var schemaVersion: MigrationID?

    /// Creates a version.
    public init(
        table: String, key: String, version: Int, operation: Operation, row: String, changedAt: String, transaction: Int?, schemaVersion: MigrationID?
    ) {
        self.table = table
        self.key = key
        self.version = version
        self.operation = operation
        self.row = row
        self.changedAt = changedAt
        self.transaction = transaction
        self.schemaVersion = schemaVersion
    }
}

/// What `cutover versioning log` finds besides the versions.
public struct RecordHistoryLog: Sendable {
    /// The versions, oldest first.
    public var versions: [RecordVersion]
    /// Why the table's recording no longer matches it (SQLite triggers written for columns
    /// that have since changed, or no triggers at all), with what to do; nil when it matches.
    public var drift: String?
}
