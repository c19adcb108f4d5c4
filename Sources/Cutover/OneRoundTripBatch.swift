import CutoverCore

/// A transactional migration and its history row sent as one statement in one round trip
/// (`Dialect.atomicBatch(_:)`: PostgreSQL's `DO` block, SQLite's `BEGIN … COMMIT` script),
/// the fast path of ``Migrator``. When the batch fails, nothing of it remains (it ran as one
/// transaction) and the migrator applies the migration statement by statement, which names
/// the failing statement and line, records the failure, retries lock timeouts, and skips a
/// migration another runner applied meanwhile.
///
/// Measured for issue 12 (Benchmarks/README.md, "Speed code: measured, kept or removed"):
/// applying the 1,000 benchmark migrations to PostgreSQL statement by statement took 1.6×
/// the wall time and 3.2× the CPU of this batch (slower than dbmate), so it stays; this type
/// is the one place that knows how the batch is written.
struct OneRoundTripBatch {
    /// The batch, ready to execute.
    let statement: String

    /// The batch for `migration`, when it keeps every promise of the statement-by-statement
    /// path: no observer watches statements one by one (rehearsal), and no
    /// `statement_timeout` is set (in a batch it would limit the whole migration, not each
    /// statement), and the migration is a file (no code registered in Swift). Without the exclusive run lock (SQLite) another runner may have applied
    /// the migration meanwhile, so the batch starts with a guard that fails in that case.
    /// nil otherwise, or when the dialect has no batch form.
    init?(_ migration: Migration, for migrator: Migrator, startedAt: String) {
        let configuration = migrator.configuration
        // Code registered in Swift runs on the session between statements: no single batch.
        guard configuration.observer == nil, (configuration.statementTimeout ?? .zero) == .zero, migration.body == nil else { return nil }
        let dialect = migrator.dialect
        let record = migrator.appliedRecord(migration, startedAt: startedAt, durationMilliseconds: 0)
        let guardStatement = migrator.mustRecheckHistory ? [Self.notAppliedGuard(migration.id, dialect: dialect)] : []
        guard let batch = dialect.atomicBatch(guardStatement + migration.up.map(\.sql) + Self.historyStatements(record, dialect: dialect)) else { return nil }
        statement = batch
    }

    /// The statements that record `record` as the last step of a one-round-trip batch
    /// (`Dialect.atomicBatch(_:)`), written out with literals because a batch takes no
    /// binds; the times are the dialect's `Dialect.batchHistoryTimes(startedAt:)`, taken as
    /// the batch writes the row. They fail (a primary-key conflict) when the migration is
    /// recorded as applied, which rolls the whole batch back: a `DELETE` of any earlier
    /// non-applied row (a failure, progress) followed by a plain `INSERT`. On PostgreSQL the
    /// `INSERT` waits for another open transaction that inserted the same id and fails once
    /// that one commits.
    private static func historyStatements(_ record: HistoryRecord, dialect: any Dialect) -> [String] {
        let values = HistoryStore.values(record)
        let times = dialect.batchHistoryTimes(startedAt: record.startedAt ?? "")
        let written = HistoryStore.columns.enumerated().map { index, column in
            switch column {
            case "started_at": times.startedAt
            case "finished_at": times.finishedAt
            case "duration_ms": times.durationMilliseconds
            default: dialect.literal(values[index])
            }
        }
        let table = dialect.historyTable
        let id = dialect.literal(.text(record.id.normalized))
        let applied = dialect.literal(.text(HistoryRecord.Phase.applied.rawValue))
        return [
            "DELETE FROM \(table) WHERE id = \(id) AND phase <> \(applied)",
            "INSERT INTO \(table) (\(HistoryStore.columns.joined(separator: ", "))) VALUES (\(written.joined(separator: ", ")))",
        ] + [dialect.schemaChangeNotice(record.id, event: record.phase.rawValue)].compactMap { $0 }
    }

    /// A statement that fails (a primary-key conflict) when `id` is recorded as applied and
    /// does nothing otherwise: the first statement of a batch on a database where another
    /// runner may have applied the migration meanwhile (SQLite, which has no run lock).
    static func notAppliedGuard(_ id: MigrationID, dialect: any Dialect) -> String {
        let table = dialect.historyTable
        return "INSERT INTO \(table) (id) SELECT id FROM \(table) WHERE id = \(dialect.literal(.text(id.normalized))) AND phase = \(dialect.literal(.text(HistoryRecord.Phase.applied.rawValue)))"
    }
}
