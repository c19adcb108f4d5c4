import Cutover
import CutoverCore

/// Every old version of one table's rows, for application code: turn recording on, read a
/// row's versions, write one back (across the migrations applied since it was recorded).
///
/// ```swift
/// let users = RecordHistory(deployment: deployment, table: "users")
/// try await users.enable()
/// let versions = try await users.versions(of: 7)
/// try await users.revert(7, to: versions[0].version)
/// ```
///
/// ## Topics
/// - ``enable()``
/// - ``versions(of:)``
/// - ``revert(_:to:dryRun:)``
public struct RecordHistory: Sendable {
    /// The table, unqualified.
    public let table: String
    private let deployment: Deployment

    /// Creates the history of `table` in `deployment`'s database.
    /// - Parameters:
    ///   - deployment: the database and its migrations folder (for the renames made since a version).
    ///   - table: the table; it needs a primary key.
    public init(deployment: Deployment, table: String) {
        self.deployment = deployment
        self.table = table
    }

    /// Starts (or restarts) recording every change of the table's rows; safe to call at each start.
    ///
    /// - Returns: the primary key's columns.
    /// - Throws: `CutoverError` `.invalidArgument` when there is no such table or it has no primary key.
    @discardableResult
    public func enable() async throws -> [String] {
        try await deployment.enableVersioning(table)
    }

    /// The versions of the row with `key`, oldest first.
    ///
    /// - Parameter key: the value of a one-column key (`7`, `"ada"`), or, for a composite key,
    ///   a JSON object naming each key column (`#"{"tenant": 1, "id": 7}"#`).
    /// - Throws: `CutoverError` `.invalidArgument` for a key that does not fit the table.
    public func versions(of key: some CustomStringConvertible & Sendable) async throws -> [RecordVersion] {
        try await deployment.recordHistory(of: table, key: key.description).versions
    }

    /// Writes version `version` of the row with `key` back (see `Deployment.revertRecord(_:key:to:dryRun:)` in `Cutover`).
    ///
    /// - Returns: what was written: the columns followed through renames, left to their
    ///   default, or dropped.
    /// - Throws: `CutoverError` `.invalidArgument` naming the column when the row cannot be written.
    /// - Warning: the row's current values are overwritten (they stay in the history).
    @discardableResult
    public func revert(_ key: some CustomStringConvertible & Sendable, to version: Int, dryRun: Bool = false) async throws -> RecordRevert {
        try await deployment.revertRecord(table, key: key.description, to: version, dryRun: dryRun)
    }
}
