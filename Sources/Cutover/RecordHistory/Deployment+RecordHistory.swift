import CutoverCore

/// Record history (`cutover versioning`): every old version of a versioned table's rows, kept
/// in `record_versions` by triggers on the table.
extension Deployment {
    /// Starts (or restarts) keeping every version of `table`'s rows: installs the triggers
    /// that append to `record_versions` on each insert, update and delete. Safe to run again;
    /// on SQLite, run it again after a migration that changes the table's columns.
    ///
    /// ```swift
    /// let key = try await deployment.enableVersioning("users")   // ["id"]
    /// ```
    ///
    /// - Parameter table: the table, unqualified.
    /// - Returns: the table's primary key columns, which identify a row across versions.
    /// - Throws: `CutoverError` `.invalidArgument` when there is no such table or it has no
    ///   primary key.
    @discardableResult
    public func enableVersioning(_ table: String) async throws -> [String] {
        try await withSession { try await RecordVersionStore(database: $0).enable(table) }
    }

    /// Stops recording `table`'s changes (removes the triggers); the versions stay.
    ///
    /// - Throws: `CutoverError` `.statementFailed` when the database refuses.
    public func disableVersioning(_ table: String) async throws {
        try await withSession { try await RecordVersionStore(database: $0).disable(table) }
    }

    /// The versions of one row, oldest first, and whether the table's recording still matches it.
    ///
    /// ```swift
    /// let log = try await deployment.recordHistory(of: "users", key: "7")
    /// for version in log.versions { print(version.version, version.operation, version.row) }
    /// ```
    ///
    /// - Parameters:
    ///   - table: the table.
    ///   - key: `7` for a one-column key, or JSON naming each key column (`{"tenant": 1, "id": 7}`).
    /// - Returns: the versions (empty when none were recorded) and any drift.
    /// - Throws: `CutoverError` `.invalidArgument` for a missing table, a table without a
    ///   primary key, or a key that does not fit it.
    public func recordHistory(of table: String, key: String) async throws -> RecordHistoryLog {
        try await withSession { database in
            let store = RecordVersionStore(database: database)
            let keyColumns = try RecordVersionStore.keyColumns(try await store.columns(of: table), table: table)
            let versions = try await store.versions(of: table, key: try RecordKey(key, keyColumns: keyColumns, table: table))
            return RecordHistoryLog(versions: versions, drift: try await store.drift(of: table))
        }
    }

    /// Deletes old versions of `table`'s rows. When both `keep` and `olderThan` are given, a
    /// version is deleted when it is beyond the newest `keep` and older.
    ///
    /// ```swift
    /// try await deployment.pruneRecordVersions("users", keep: 10, olderThan: .seconds(30 * 86_400))
    /// ```
    ///
    /// - Parameters:
    ///   - table: the versioned table.
    ///   - keep: keep the newest `keep` versions of each row.
    ///   - olderThan: delete only versions older than this.
    /// - Returns: how many versions were deleted.
    /// - Throws: `CutoverError` `.invalidArgument` when neither is given or `keep` is negative.
    /// - Warning: deleted versions cannot be reverted to.
    public func pruneRecordVersions(_ table: String, keep: Int? = nil, olderThan: Duration? = nil) async throws -> Int {
        guard keep != nil || olderThan != nil else {
            throw CutoverError(.invalidArgument, "say which versions to delete", hint: "pass --keep N (the newest N per row stay) and/or --older-than 30d")
        }
        if let keep, keep < 0 {
            throw CutoverError(.invalidArgument, "--keep takes a count of 0 or more, not \(keep)", hint: "for example --keep 10")
        }
        return try await withSession { try await RecordVersionStore(database: $0).prune(table, keep: keep, olderThan: olderThan) }
    }
}
