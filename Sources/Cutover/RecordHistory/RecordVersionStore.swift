import CutoverCore
import Foundation

/// Reads and writes `record_versions` and the triggers that fill it, on one session, in the
/// database's dialect (`Dialect.recordVersions`).
package struct RecordVersionStore {
    let database: any Database
    var sql: RecordVersionsSQL { database.dialect.recordVersions }

    package init(database: any Database) { self.database = database }

    /// Creates the table (and Cutover's history, which the triggers read) when missing.
    func prepare() async throws {
        try await database.withSetupTransaction { try await createObjects() }
    }

    /// The table and functions, in the caller's transaction.
    private func createObjects() async throws {
        for statement in database.dialect.createHistoryTable + sql.create { try await database.execute(statement) }
    }

    /// The table's columns, in order.
    ///
    /// - Throws: `CutoverError` `.invalidArgument` when there is no such table.
    func columns(of table: String) async throws -> [RecordVersionsSQL.Column] {
        let rows = try await database.query(sql.columnsQuery, [.text(table)])
        guard !rows.isEmpty else {
            throw CutoverError(.invalidArgument, "there is no table \"\(table)\" in this database", hint: "check the name (`cutover dump` shows the tables)")
        }
        return rows.map { row in
            RecordVersionsSQL.Column(
                name: row.string("name") ?? "", keyPosition: row.int("key_position") ?? 0, isNotNull: row.int("not_null") == 1,
                hasDefault: row.int("has_default") == 1, isGenerated: row.int("is_generated") == 1)
        }
    }

    /// The key columns of `columns`, in key order.
    ///
    /// - Throws: `CutoverError` `.invalidArgument` when there are none.
    static func keyColumns(_ columns: [RecordVersionsSQL.Column], table: String) throws -> [String] {
        let key = columns.filter { $0.keyPosition > 0 }.sorted { $0.keyPosition < $1.keyPosition }.map(\.name)
        guard !key.isEmpty else {
            throw CutoverError(
                .invalidArgument, "the table \"\(table)\" has no primary key, so its rows cannot be told apart across versions",
                hint: "add one in a migration (`ALTER TABLE \(table) ADD PRIMARY KEY (…)`), then run `cutover versioning enable \(table)` again")
        }
        return key
    }

    /// Installs (or replaces) the triggers of `table`, in one transaction.
    func enable(_ table: String) async throws -> [String] {
        let columns = try await columns(of: table)
        let key = try Self.keyColumns(columns, table: table)
        // One transaction under the setup lock: instances enabling it at once wait for one another.
        try await database.withSetupTransaction {
            try await createObjects()
            for statement in sql.enable(table, columns.map(\.name), key) { try await database.execute(statement) }
        }
        return key
    }

    /// Removes the triggers of `table` (the versions stay).
    func disable(_ table: String) async throws {
        for statement in sql.disable(table) { try await database.execute(statement) }
    }

    /// The versions of one row, oldest first; empty when the table was never versioned.
    func versions(of table: String, key: RecordKey, version: Int? = nil) async throws -> [RecordVersion] {
        let p = database.dialect.placeholder
        var binds: [SQLValue] = [.text(table)]
        var conditions = ["table_name = \(p(1))"]
        for (column, value) in key.values.sorted(by: { $0.key < $1.key }) {
            binds.append(.text(value))
            conditions.append("\(sql.keyField(column)) = \(p(binds.count))")
        }
        if let version {
            binds.append(.integer(Int64(version)))
            conditions.append("version = \(p(binds.count))")
        }
        let query = """
            SELECT table_name, record_key, version, operation, CAST(row_data AS TEXT) AS row_data, \(sql.changedAtText) AS changed_at,
                   transaction_id, schema_version
            FROM \(sql.table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY version
            """
        do {
            return try await database.query(query, binds).map(Self.version)
        } catch let error as CutoverError where error.sqlState == .undefinedTable || error.message.contains("no such table") {
            return []
        }
    }

    /// Why the triggers no longer match `table`, or nil when they do.
    func drift(of table: String) async throws -> String? {
        let columns = try await columns(of: table)
        let key = try Self.keyColumns(columns, table: table)
        let stored = Set(try await database.query(sql.triggerTextQuery, [.text(table)]).compactMap { $0.string("sql") })
        if stored.isEmpty { return "\"\(table)\" is not versioned now (no triggers): run `cutover versioning enable \(table)`" }
        let expected = sql.expectedTriggerText(table, columns.map(\.name), key)
        guard stored != expected else { return nil }
        return "the columns of \"\(table)\" changed since `cutover versioning enable \(table)`; its triggers record the old ones: run `cutover versioning enable \(table)` again"
    }

    /// Deletes old versions of `table`'s rows: those beyond the newest `keep` of each row,
    /// and/or older than `olderThan`; both given, only versions that are both.
    func prune(_ table: String, keep: Int?, olderThan: Duration?) async throws -> Int {
        let p = database.dialect.placeholder
        var binds: [SQLValue] = [.text(table)]
        var conditions = ["r.table_name = \(p(1))"]
        if let keep {
            binds.append(.integer(Int64(keep)))
            conditions.append("r.version <= (SELECT max(v.version) FROM \(sql.table) AS v WHERE v.table_name = r.table_name AND v.record_key = r.record_key) - \(p(binds.count))")
        }
        if let olderThan {
            binds.append(.integer(olderThan.components.seconds))
            conditions.append(sql.olderThan(p(binds.count)).replacingOccurrences(of: "changed_at", with: "r.changed_at"))
        }
        try await prepare()
        return try await database.executeCountingRows("DELETE FROM \(sql.table) AS r WHERE \(conditions.joined(separator: " AND "))", binds) ?? 0
    }

    static func version(_ row: Row) -> RecordVersion {
        RecordVersion(
            table: row.string("table_name") ?? "", key: row.string("record_key") ?? "", version: row.int("version") ?? 0,
            operation: .init(rawValue: row.string("operation") ?? ""), row: row.string("row_data") ?? "{}",
            changedAt: row.string("changed_at") ?? "", transaction: row.int("transaction_id"),
            schemaVersion: row.string("schema_version").flatMap(MigrationID.init))
    }
}
