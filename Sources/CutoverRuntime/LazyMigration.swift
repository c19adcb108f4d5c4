import CutoverCore
import Logging

/// Rows upgraded as the application reads them: a row-version column and the steps that take a
/// row from one version to the next.
///
/// ```swift
/// // the table has `row_version integer NOT NULL DEFAULT 1`
/// let users = LazyMigration(table: "users", steps: [
///     .sql(to: 2, set: ["full_name": "first_name || ' ' || last_name"]),
///     .swift(to: 3) { row in row["email"] = .text((row["email"]?.string ?? "").lowercased()) },
/// ])
/// let user = try await users.read(key: .integer(7), on: database)   // upgraded, written back
/// try await users.backfill(on: database) { print("\($0.upgraded) rows upgraded") }
/// ```
///
/// A step is written back with a compare-and-set: `UPDATE … WHERE key = … AND row_version =
/// <read> AND <fingerprint of every column> = <as read>`. When another node changed the row
/// meanwhile — an upgrade of its own or any ordinary write, even one that leaves the version
/// alone — nothing is written, the row is read again and the step runs on what is there now: no
/// write is ever lost. A row whose version is NULL counts as version 1.
public struct LazyMigration: Sendable {
    /// The table (in the session's `search_path` on PostgreSQL).
    public let table: String
    /// Its key column (the primary key, or a unique NOT NULL one).
    public let key: String
    /// The row-version column.
    public let versionColumn: String
    /// The steps, by ``LazyUpgrade/toVersion``.
    public let steps: [LazyUpgrade]
    /// How often a step whose compare-and-set lost is tried again before giving up.
    public var attempts = 20

    /// The version every row has once upgraded.
    public var currentVersion: Int { steps.map(\.toVersion).max() ?? 1 }

    /// Creates the migration.
    /// - Parameters:
    ///   - table: the table.
    ///   - key: its key column.
    ///   - versionColumn: the row-version column (integer).
    ///   - steps: the steps; each ``LazyUpgrade/toVersion`` is the version after it.
    public init(table: String, key: String = "id", versionColumn: String = "row_version", steps: [LazyUpgrade]) {
        self.table = table
        self.key = key
        self.versionColumn = versionColumn
        self.steps = steps.sorted { $0.toVersion < $1.toVersion }
    }

    /// The row with key `key`, upgraded to ``currentVersion`` and written back; nil when there
    /// is no such row.
    /// - Throws: `CutoverError` when a step fails, or when other writers changed the row
    ///   ``attempts`` times in a row while it was being upgraded.
    public func read(key value: SQLValue, on database: any Database) async throws -> Row? {
        guard let row = try await select(value, on: database) else { return nil }
        return try await upgrade(row, key: value, on: database)
    }

    /// `row` (read with its fingerprint) taken through the steps it still needs, each written
    /// back with a compare-and-set; read again when another writer changed it. nil when the
    /// row is gone.
    private func upgrade(_ read: Row, key value: SQLValue, on database: any Database) async throws -> Row? {
        var row = read
        var conflicts = 0
        while true {
            let version = row.int(versionColumn) ?? 1
            guard let step = steps.first(where: { $0.toVersion > version }) else { return row.without(Self.fingerprintColumn) }
            if let upgraded = try await write(step, over: row, key: value, on: database) {
                row = upgraded
                continue
            }
            // Someone else wrote the row: take what is there now.
            conflicts += 1
            guard conflicts < attempts else {
                throw CutoverError(
                    .statementFailed, "the row \(key) = \(value) of \(table) changed \(conflicts) times while being upgraded to version \(step.toVersion)",
                    hint: "it is being written very often; try again, or upgrade it with backfill()")
            }
            guard let again = try await select(value, on: database) else { return nil }
            row = again
        }
    }

    /// Progress of a ``backfill(on:batchSize:progress:)``.
    public struct Progress: Sendable {
        /// Rows upgraded so far by this run.
        public var upgraded: Int
        /// Rows still older than ``LazyMigration/currentVersion`` when the batch was read.
        public var remaining: Int
    }

    /// Upgrades every row older than ``currentVersion``, in batches along the key, with the same
    /// steps and compare-and-set as ``read(key:on:)``. Each batch is one transaction (one commit
    /// for `batchSize` rows, where the reads commit one row each); a row another writer changes
    /// meanwhile is read again, as ``read(key:on:)`` does. Cancelling the task stops it between
    /// two batches; running it again goes on with the rows still old.
    /// - Returns: the rows it upgraded.
    @discardableResult
    public func backfill(on database: any Database, batchSize: Int = 500, progress: (Progress) -> Void = { _ in }) async throws -> Int {
        let dialect = database.dialect
        let (table, key, version) = (dialect.quoteIdentifier(self.table), dialect.quoteIdentifier(self.key), dialect.quoteIdentifier(versionColumn))
        let old = "COALESCE(\(version), 1) < \(dialect.placeholder(1))"
        let current = SQLValue.integer(Int64(currentVersion))
        var upgraded = 0
        var last: SQLValue?
        while true {
            try Task.checkCancellation()
            let after = last == nil ? "" : "AND \(key) > \(dialect.placeholder(2))"
            let binds = [current] + (last.map { [$0] } ?? [])
            let batch = try await database.withTransaction { () -> (upgraded: Int, last: SQLValue?) in
                // The columns as they are now, for the fingerprint of the compare-and-set.
                guard let probe = try await database.query("SELECT * FROM \(table) WHERE \(old) \(after) ORDER BY \(key) LIMIT 1", binds).first else {
                    return (0, nil)
                }
                let fingerprint = dialect.rowFingerprint(probe.columns.map(dialect.quoteIdentifier))
                let rows = try await database.query(
                    "SELECT *, \(fingerprint) AS \(Self.fingerprintColumn) FROM \(table) WHERE \(old) \(after) ORDER BY \(key) LIMIT \(max(1, batchSize))", binds)
                var count = 0
                for row in rows {
                    guard let value = row[self.key] else { continue }
                    if try await upgrade(row, key: value, on: database) != nil { count += 1 }
                }
                return (count, rows.last?[self.key])
            }
            guard let batchLast = batch.last else { return upgraded }
            upgraded += batch.upgraded
            last = batchLast
            let remaining = try await database.query("SELECT count(*) AS n FROM \(table) WHERE \(old)", [current])
            progress(Progress(upgraded: upgraded, remaining: remaining.first?.int("n") ?? 0))
        }
    }

    static let fingerprintColumn = "_cutover_fingerprint"

    /// The row with its fingerprint, or nil. The column list comes from the row itself.
    private func select(_ value: SQLValue, on database: any Database) async throws -> Row? {
        let dialect = database.dialect
        let where_ = "\(dialect.quoteIdentifier(key)) = \(dialect.placeholder(1))"
        guard let plain = try await database.query("SELECT * FROM \(dialect.quoteIdentifier(table)) WHERE \(where_)", [value]).first else { return nil }
        let fingerprint = dialect.rowFingerprint(plain.columns.map(dialect.quoteIdentifier))
        return try await database.query(
            "SELECT *, \(fingerprint) AS \(Self.fingerprintColumn) FROM \(dialect.quoteIdentifier(table)) WHERE \(where_)", [value]
        ).first
    }

    /// Runs `step` on `row` as a compare-and-set; the new row (with its fingerprint), or nil
    /// when the row changed since it was read.
    private func write(_ step: LazyUpgrade, over row: Row, key value: SQLValue, on database: any Database) async throws -> Row? {
        let dialect = database.dialect
        let columns = row.columns.filter { $0 != Self.fingerprintColumn }
        let fingerprint = dialect.rowFingerprint(columns.map(dialect.quoteIdentifier))
        var binds: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            binds.append(value)
            return dialect.placeholder(binds.count)
        }
        var assignments: [String] = []
        switch step.body {
        case .sql(let pairs):
            assignments = pairs.map { "\(dialect.quoteIdentifier($0.column)) = \($0.expression)" }
        case .swift(let change):
            var values = LazyRow(row)
            do {
                try await change(&values)
            } catch {
                throw CutoverError(.statementFailed, "the upgrade of \(table) to version \(step.toVersion) failed for \(key) = \(value): \(error)", underlying: error)
            }
            assignments = values.changed.filter { $0 != versionColumn }.map { "\(dialect.quoteIdentifier($0)) = \(bind(values[$0] ?? .null))" }
        }
        assignments.append("\(dialect.quoteIdentifier(versionColumn)) = \(bind(.integer(Int64(step.toVersion))))")
        let sql = """
            UPDATE \(dialect.quoteIdentifier(table)) SET \(assignments.joined(separator: ", "))
            WHERE \(dialect.quoteIdentifier(key)) = \(bind(value))
              AND COALESCE(\(dialect.quoteIdentifier(versionColumn)), 1) = \(bind(.integer(Int64(row.int(versionColumn) ?? 1))))
              AND \(fingerprint) = \(bind(row[Self.fingerprintColumn] ?? .null))
            RETURNING *, \(fingerprint) AS \(Self.fingerprintColumn)
            """
        return try await database.query(sql, binds).first
    }
}

extension Row {
    /// The row without `column`.
    func without(_ column: String) -> Row {
        let kept = zip(columns, values).filter { $0.0 != column }
        return Row(columns: kept.map(\.0), values: kept.map(\.1))
    }
}
