import CutoverCore
import CutoverOperations
import Foundation

extension Deployment {
    /// Writes version `version` of a row back: an `UPDATE`, or an `INSERT` when the row was
    /// deleted. The stored row is mapped through the migrations applied since it was recorded
    /// (renamed columns followed, added columns left to their default, dropped columns
    /// reported; see ``RecordRevert``). The revert is recorded as a new version.
    ///
    /// ```swift
    /// let revert = try await deployment.revertRecord("users", key: "7", to: 2)
    /// revert.renamed   // ["name": "full_name"]
    /// ```
    ///
    /// - Parameters:
    ///   - table: the table, as named now.
    ///   - key: `7` for a one-column key, or JSON naming each key column.
    ///   - version: the version to write back.
    ///   - dryRun: only say what would be written.
    /// - Returns: what was (or would be) written.
    /// - Throws: `CutoverError` `.invalidArgument` when there is no such version, or the row
    ///   cannot be written (a key column dropped since, a column added since that is
    ///   `NOT NULL` without a default): the message names the column. `.statementFailed`
    ///   when the database refuses the write (named with the columns dropped since).
    /// - Warning: the row's current values are overwritten (they stay in the history).
    public func revertRecord(_ table: String, key: String, to version: Int, dryRun: Bool = false) async throws -> RecordRevert {
        let sqlMigrations = try migrations()
        let yamlMigrations = try ExpandContractFile.loadAll(folder: config.migrationsDirectory).map(\.migration)
        return try await withSession { database in
            let store = RecordVersionStore(database: database)
            let columns = try await store.columns(of: table)
            let keyColumns = try RecordVersionStore.keyColumns(columns, table: table)
            let recordKey = try RecordKey(key, keyColumns: keyColumns, table: table)
            guard let stored = try await store.versions(of: table, key: recordKey, version: version).first else {
                throw CutoverError(
                    .invalidArgument, "\"\(table)\" has no version \(version) of the row \(key)",
                    hint: "`cutover versioning log \(table) \(key)` lists its versions")
            }
            guard let row = (try? JSONSerialization.jsonObject(with: Data(stored.row.utf8))) as? [String: Any] else {
                throw CutoverError(.ioFailed, "version \(version) of \(table) \(key) holds no JSON object", hint: "see `cutover versioning log \(table) \(key)`")
            }
            let applied = try await Self.appliedMigrations(database)
            let since = { (id: MigrationID) in applied.contains(id) && (stored.schemaVersion.map { id > $0 } ?? true) }
            let renames = sqlMigrations.filter { since($0.id) }.map(RecordRenames.init)
                + yamlMigrations.filter { since($0.id) }.map(RecordRenames.init)
            let mapping = RecordRowMapping(columns: Array(row.keys), table: stored.table, through: renames)

            let writable = columns.filter { !$0.isGenerated }
            let byLowercase = Dictionary(writable.map { ($0.name.lowercased(), $0.name) }, uniquingKeysWith: { first, _ in first })
            var written: [String: Any] = [:]
            var dropped: [String] = []
            for (name, value) in row {
                if let current = byLowercase[(mapping.names[name] ?? name).lowercased()] { written[current] = value } else { dropped.append(name) }
            }
            let added = writable.map(\.name).filter { written[$0] == nil }
            for column in keyColumns where written[column] == nil {
                throw CutoverError(
                    .invalidArgument, "version \(version) of \(table) \(key) cannot be written: it has no value for the key column \"\(column)\"",
                    hint: "the columns it has that the table no longer has: \(dropped.sorted().joined(separator: ", "))")
            }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: written, options: [.sortedKeys]), as: UTF8.self)
            let sql = database.dialect.recordVersions
            let exists = try await !database.query(sql.selectRow(table, keyColumns), [.text(json)]).isEmpty
            if !exists, let column = columns.first(where: { added.contains($0.name) && $0.isNotNull && !$0.hasDefault }) {
                throw CutoverError(
                    .invalidArgument,
                    "version \(version) of \(table) \(key) cannot be inserted again: the column \"\(column.name)\" was added since, is NOT NULL and has no default",
                    hint: "give \"\(column.name)\" a default in a migration, or insert the row by hand")
            }
            var result = RecordRevert(
                table: table, key: stored.key, version: version, operation: exists ? .update : .insert, row: json,
                renamed: mapping.renamed, added: added, dropped: dropped.sorted(), isDryRun: dryRun, newVersion: nil)
            guard !dryRun else { return result }
            do {
                try await database.withTransaction {
                    let statement = exists ? sql.updateRow(table, written.keys.sorted(), keyColumns) : sql.insertRow(table, written.keys.sorted())
                    try await database.execute(statement, [.text(json)])
                }
            } catch var error as CutoverError where !dropped.isEmpty {
                error.message = "version \(version) of \(table) \(key) cannot be written without the columns dropped since (\(dropped.sorted().joined(separator: ", "))): \(error.message)"
                throw error
            }
            result.newVersion = try await store.versions(of: table, key: recordKey).last?.version
            return result
        }
    }

    /// The migrations applied to the database: `.sql` and SQLite's `.yaml` ones in the
    /// history, PostgreSQL's `.yaml` ones once their contract phase ran.
    static func appliedMigrations(_ database: any Database) async throws -> Set<MigrationID> {
        let history = HistoryStore(database: database)
        let records = Array(try await history.all().values) + Array(try await history.operationsRecords().values)
        var applied = Set(records.filter { $0.phase == .applied }.map(\.id))
        if database.dialect.name == PostgresDialect().name {
            let done: Set<ExpandContractPhase> = [.revertible, .completed]
            applied.formUnion(try await ExpandContractStore(database: database).records().filter { done.contains($0.phase) }.map(\.id))
        }
        return applied
    }
}
