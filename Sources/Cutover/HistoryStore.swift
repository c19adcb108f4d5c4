import CutoverCore
import Foundation

/// Reads and writes Cutover's history table through a `Database`.
///
/// Writes that belong to a migration run inside that migration's transaction, so the
/// history row and the schema change commit (or vanish) together.
struct HistoryStore: Sendable {
    let database: any Database
    var dialect: any Dialect { database.dialect }

    static let columns = [
        "id", "name", "kind", "checksum", "phase", "started_at", "finished_at", "duration_ms", "applied_by",
        "tool_version", "statements_done", "statements_total", "failed_statement", "failed_line", "error_message",
        "error_sqlstate",
    ]

    /// Whether the history table exists yet.
    func exists() async throws -> Bool {
        try await !database.query(dialect.historyTableExists).isEmpty
    }

    /// Creates the history table when missing.
    func create() async throws {
        for statement in dialect.createHistoryTable { try await database.execute(statement) }
    }

    /// All rows of `.sql` migrations, keyed by migration id; empty when the table does not
    /// exist. The rows of `.yaml` migrations applied directly on SQLite (kind
    /// ``operationsKind``) are left out: the `.sql` planner, rollback and repair know nothing
    /// of their files (``operationsRecords()`` reads them).
    func all() async throws -> [MigrationID: HistoryRecord] {
        guard try await exists() else { return [:] }
        return try await records(where: nil).filter { $0.value.kind != Self.operationsKind }
    }

    /// The kind of the row of a `.yaml` migration applied directly (on SQLite).
    static let operationsKind = "ops"

    /// The rows of `.yaml` migrations applied directly (on SQLite), keyed by migration id.
    func operationsRecords() async throws -> [MigrationID: HistoryRecord] {
        guard try await exists() else { return [:] }
        return try await records(where: nil).filter { $0.value.kind == Self.operationsKind }
    }

    /// The row for one migration.
    func record(_ id: MigrationID) async throws -> HistoryRecord? {
        try await records(where: (dialect.placeholder(1), id.normalized))[id]
    }

    private func records(where filter: (String, String)?) async throws -> [MigrationID: HistoryRecord] {
        // The times come back as ISO-8601 text in UTC from every driver (PostgreSQL's
        // timestamps are formatted by the client, cheaper than `to_char` on the server). The
        // list is written with a plain loop: this runs on every command, and a generic
        // `joined` pays the Swift runtime's first-use cost of its types.
        var sql = "SELECT "
        for (index, column) in Self.columns.enumerated() {
            if index > 0 { sql += ", " }
            sql += column
        }
        sql += " FROM \(dialect.historyTable)"
        var binds: [SQLValue] = []
        if let filter {
            sql += " WHERE id = \(filter.0)"
            binds.append(.text(filter.1))
        }
        let rows = try await database.query(sql, binds)
        var result: [MigrationID: HistoryRecord] = [:]
        result.reserveCapacity(rows.count)
        for row in rows {
            // The columns arrive in `columns` order: read them by position (a thousand rows of
            // sixteen columns looked up by name cost a status a millisecond or two).
            let value = row.values
            guard value.count == Self.columns.count, let idText = value[0].string, let id = MigrationID(idText) else { continue }
            func int(_ index: Int) -> Int? { value[index].int.map { Int($0) } }
            result[id] = HistoryRecord(
                id: id, name: value[1].string ?? "", kind: value[2].string ?? "sql", checksum: value[3].string ?? "",
                phase: .init(value[4].string ?? "applied"), startedAt: value[5].string, finishedAt: value[6].string,
                durationMilliseconds: int(7), appliedBy: value[8].string, toolVersion: value[9].string,
                statementsDone: int(10) ?? 0, statementsTotal: int(11), failedStatement: value[12].string, failedLine: int(13),
                errorMessage: value[14].string, errorSQLState: value[15].string)
        }
        return result
    }

    /// Inserts or replaces the row for `record.id`; a row that says a migration was applied or
    /// rolled back is announced to listening app nodes unless `announces` is false (a row
    /// written again within the transaction that announced it, or a checksum accepted by repair).
    func save(_ record: HistoryRecord, announces: Bool = true) async throws {
        let sql = upsert { index, column in
            let placeholder = dialect.placeholder(index + 1)
            return column == "started_at" || column == "finished_at" ? dialect.timestamp(placeholder) : placeholder
        }
        try await database.execute(sql, Self.values(record))
        if announces { try await notify(record) }
    }

    /// Tells listening app nodes (`Dialect.schemaChangeNotice(_:event:)`) that a migration
    /// was applied or rolled back: sent when the transaction that wrote `record` commits.
    private func notify(_ record: HistoryRecord) async throws {
        guard record.phase == .applied || record.phase == .rolledBack,
            let notice = dialect.schemaChangeNotice(record.id, event: record.phase.rawValue)
        else { return }
        try await database.execute(notice)
    }

    /// Writes `record` unless the row for its id says `applied`, and says whether it wrote.
    ///
    /// This is how a migration's own writes to the history claim it: a run never overwrites
    /// (and so never hides) an `applied` row, whether it records success, progress or a
    /// failure. On PostgreSQL the upsert also waits for any other open transaction that
    /// writes the same row and then judges the row as that transaction left it, so two
    /// transactions can never both commit the same migration.
    func saveUnlessApplied(_ record: HistoryRecord) async throws -> Bool {
        let sql = upsert(onlyUnlessApplied: true) { index, column in
            let placeholder = dialect.placeholder(index + 1)
            return column == "started_at" || column == "finished_at" ? dialect.timestamp(placeholder) : placeholder
        }
        guard try await !database.query(sql + " RETURNING id", Self.values(record)).isEmpty else { return false }
        try await notify(record)
        return true
    }

    /// `INSERT … ON CONFLICT (id) DO UPDATE` of every column, each value written by `value`;
    /// with `onlyUnlessApplied`, an existing `applied` row is left as it is.
    private func upsert(onlyUnlessApplied: Bool = false, _ value: (_ index: Int, _ column: String) -> String) -> String {
        let written = Self.columns.enumerated().map { value($0.offset, $0.element) }
        let updates = Self.columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let condition = onlyUnlessApplied ? " WHERE h.phase <> \(dialect.literal(.text(HistoryRecord.Phase.applied.rawValue)))" : ""
        return """
            INSERT INTO \(dialect.historyTable) AS h (\(Self.columns.joined(separator: ", "))) VALUES (\(written.joined(separator: ", "))) \
            ON CONFLICT (id) DO UPDATE SET \(updates)\(condition)
            """
    }

    /// The record's values in ``columns`` order.
    static func values(_ record: HistoryRecord) -> [SQLValue] {
        [
            .text(record.id.normalized), .text(record.name), .text(record.kind), .text(record.checksum), .text(record.phase.rawValue),
            .text(record.startedAt), .text(record.finishedAt), .integer(record.durationMilliseconds), .text(record.appliedBy),
            .text(record.toolVersion), .integer(record.statementsDone), .integer(record.statementsTotal), .text(record.failedStatement),
            .integer(record.failedLine), .text(record.errorMessage), .text(record.errorSQLState),
        ]
    }

    /// Removes the row for `id`.
    func delete(_ id: MigrationID) async throws {
        try await database.execute("DELETE FROM \(dialect.historyTable) WHERE id = \(dialect.placeholder(1))", [.text(id.normalized)])
    }
}

/// Time stamps and runner identity written into the history.
enum RunnerIdentity {
    /// `user@host` of this process.
    static let appliedBy: String = {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? passwdName() ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }()

    private static func passwdName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Now, as ISO-8601 UTC with milliseconds.
    static func now() -> String {
        // A Sendable format style made once: building an ICU formatter per call cost a
        // fifth of the client's CPU when applying 1,000 migrations (Benchmarks/README.md).
        Date().formatted(timestampStyle)
    }
}
