import CutoverCore

/// What `cutover versioning revert` wrote, or would write with `--dry-run`.
///
/// The stored row is mapped through the migrations applied since its schema version: a
/// column renamed since is written under its new name, a column added since is left to its
/// default (out of the `INSERT`, untouched by the `UPDATE`), a column dropped since is
/// reported in ``dropped``.
public struct RecordRevert: Sendable, Hashable {
    /// The table.
    public var table: String
    /// The primary key's values as JSON text.
    public var key: String
    /// The version written back.
    public var version: Int
    /// `update` when the row exists, `insert` when it was deleted.
    public var operation: RecordVersion.Operation
    /// The row written, as JSON text under today's column names.
    public var row: String
    /// Columns renamed since the version was recorded: old name → name now.
    public var renamed: [String: String]
    /// Columns added since: left to their default (insert) or as they are (update).
    public var added: [String]
    /// Columns the version has that the table no longer has: not written.
    public var dropped: [String]
    /// Whether nothing was written (`--dry-run`).
    public var isDryRun: Bool
    /// The version the revert itself was recorded as; nil for a dry run.
    public var newVersion: Int?
}

/// Maps a stored row's column names to today's, through the renames made since.
struct RecordRowMapping {
    /// Stored name → name now, for every stored column.
    var names: [String: String]
    /// The stored columns whose name changed.
    var renamed: [String: String]

    /// Follows `columns` of `table` (as named when the version was recorded) through
    /// `renames`, in migration order.
    init(columns: [String], table: String, through renames: [RecordRenames]) {
        var tableName = table
        var current = Dictionary(uniqueKeysWithValues: columns.map { ($0, $0) })
        for rename in renames.sorted(by: { $0.migration < $1.migration }).flatMap(\.renames) {
            switch rename {
            case .table(let from, let to):
                if from.lowercased() == tableName.lowercased() { tableName = to }
            case .column(let renamedTable, let from, let to):
                guard renamedTable.lowercased() == tableName.lowercased() else { continue }
                for (stored, name) in current where name.lowercased() == from.lowercased() { current[stored] = to }
            }
        }
        names = current
        renamed = current.filter { $0.key != $0.value }
    }
}
