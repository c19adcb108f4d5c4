/// The SQL of Cutover's run-time switches table (`cutover.flags`, `cutover_flags`) for one
/// database, from ``Dialect/flags``.
///
/// The table holds one row per switch: `name`, `enabled`, `requires` (a migration id),
/// `percent` (a stable share of keys, or NULL for all), `updated_at`, `updated_by`. A trigger
/// refuses to enable a switch whose `requires` names a migration that is not applied, so
/// neither `cutover flag set` nor a hand-written `UPDATE` can.
public struct FlagsSQL: Sendable {
    /// The qualified table name.
    public var table: String
    /// Statements that create the table and its triggers when missing; safe to run again.
    public var create: [String]
    /// An expression for the current time, as the table stores it.
    public var now: String
    /// An expression turning the `updated_at` column into ISO 8601 text (`2026-12-07T10:00:00Z`).
    public var updatedAtText: String

    /// Creates the SQL set.
    public init(table: String, create: [String], now: String, updatedAtText: String) {
        self.table = table
        self.create = create
        self.now = now
        self.updatedAtText = updatedAtText
    }
}
