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

    /// `row` (read with its fingerprint) taken through the steps it still needs up to version
    /// `target`, each written back with a compare-and-set; read again when another writer
    /// changed it. nil when the row is gone.
    private func upgrade(_ read: Row, key value: SQLValue, on database: any Database, through target: Int = .max) async throws -> Row? {
        var row = read
        var conflicts = 0
        while true {
            let version = row.int(versionColumn) ?? 1
            guard let step = steps.first(where: { $0.toVersion > version && $0.toVersion <= target }) else { return row.without(Self.fingerprintColumn) }
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

    /// Upgrades every row older than ``currentVersion``, in batches along the key, each batch one
    /// transaction (one commit for `batchSize` rows, where the reads commit one row each).
    ///
    /// In a batch the steps run in order over the batch's key range: an ``LazyUpgrade/sql(to:set:)``
    /// step as one `UPDATE` of the range (the database evaluates the expressions on each row as
    /// it is when locked, so a concurrent write is never overwritten with older values), a
    /// ``LazyUpgrade/swift(to:_:)`` step row by row with the compare-and-set of
    /// ``read(key:on:)``. Cancelling the task stops it between two batches; running it again
    /// goes on with the rows still old.
    /// - Returns: the rows older than ``currentVersion`` when their batch was read.
    @discardableResult
    public func backfill(on database: any Database, batchSize: Int = 500, progress: (Progress) -> Void = { _ in }) async throws -> Int {
        let dialect = database.dialect
        let (table, key, version) = (dialect.quoteIdentifier(self.table), dialect.quoteIdentifier(self.key), dialect.quoteIdentifier(versionColumn))
        let current = SQLValue.integer(Int64(currentVersion))
        var upgraded = 0
        var last: SQLValue?
        while true {
            try Task.checkCancellation()
            let upgradedInBatch = try await database.withTransaction { () -> Int? in
                let after = last == nil ? "" : "AND \(key) > \(dialect.placeholder(2))"
                let keys = try await database.query(
                    "SELECT \(key) AS k FROM \(table) WHERE COALESCE(\(version), 1) < \(dialect.placeholder(1)) \(after) ORDER BY \(key) LIMIT \(max(1, batchSize))",
                    [current] + (last.map { [$0] } ?? []))
                guard let first = keys.first?["k"], let upper = keys.last?["k"] else { return nil }
                for step in steps {
                    try await run(step, from: first, through: upper, on: database)
                }
                last = upper
                return keys.count
            }
            guard let upgradedInBatch else { return upgraded }
            upgraded += upgradedInBatch
            let remaining = try await database.query(
                "SELECT count(*) AS n FROM \(table) WHERE COALESCE(\(version), 1) < \(dialect.placeholder(1))", [current])
            progress(Progress(upgraded: upgraded, remaining: remaining.first?.int("n") ?? 0))
        }
    }

    /// Runs `step` on the rows of the key range `first...upper` older than it.
    private func run(_ step: LazyUpgrade, from first: SQLValue, through upper: SQLValue, on database: any Database) async throws {
        let dialect = database.dialect
        let (table, key, version) = (dialect.quoteIdentifier(self.table), dialect.quoteIdentifier(self.key), dialect.quoteIdentifier(versionColumn))
        let range = "\(key) >= \(dialect.placeholder(1)) AND \(key) <= \(dialect.placeholder(2)) AND COALESCE(\(version), 1) < \(dialect.placeholder(3))"
        let binds: [SQLValue] = [first, upper, .integer(Int64(step.toVersion))]
        switch step.body {
        case .sql(let pairs):
            let assignments = pairs.map { "\(dialect.quoteIdentifier($0.column)) = \($0.expression)" } + ["\(version) = \(dialect.placeholder(3))"]
            try await database.execute("UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE \(range)", binds)
        case .swift:
            // The columns as they are now, for the fingerprint of each compare-and-set.
            guard let probe = try await database.query("SELECT * FROM \(table) WHERE \(range) LIMIT 1", binds).first else { return }
            let fingerprint = dialect.rowFingerprint(probe.columns.map(dialect.quoteIdentifier))
            for row in try await database.query("SELECT *, \(fingerprint) AS \(Self.fingerprintColumn) FROM \(table) WHERE \(range) ORDER BY \(key)", binds) {
                guard let value = row[self.key] else { continue }
                _ = try await upgrade(row, key: value, on: database, through: step.toVersion)
            }
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
