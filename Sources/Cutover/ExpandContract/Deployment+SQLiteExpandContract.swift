import CutoverCore
import CutoverOperations
import Logging

/// `.yaml` migrations on SQLite: one node, so no old version is served while the change
/// runs. Each migration's operations run directly, in their final shape, in one transaction
/// with its history row (kind `ops`, the file's checksum): applied exactly once, and a
/// failure leaves nothing behind.
///
/// ```swift
/// if try deployment.appliesExpandContractDirectly {
///     let applied = try await deployment.applyExpandContractDirectly(upTo: MigrationID("20261201120000")!)
/// }
/// ```
extension Deployment {
    /// Whether the target applies `.yaml` migrations directly (SQLite) rather than by expand
    /// and contract phases (PostgreSQL).
    public var appliesExpandContractDirectly: Bool {
        get throws { try driver(for: target.url).dialect.name == SQLiteDialect().name }
    }

    /// `cutover start ID` on SQLite: applies the pending `.yaml` migrations up to `id`, in id
    /// order, each in its own transaction.
    ///
    /// - Parameters:
    ///   - id: the last migration to apply.
    ///   - enforcesLint: true (the default) refuses, before any change, while the hand-written
    ///     SQL of the migrations to apply has a lint error; false reports it and goes on.
    ///   - events: receives the lint findings (``ExpandContractEvent/lintFinding(_:_:)``).
    /// - Returns: the migrations applied (empty when `id` was applied already).
    /// - Throws: `CutoverError`: `.invalidArgument` when a pending `.sql` migration comes
    ///   before `id` (`cutover migrate --to ID` applies both kinds in order), `.validationFailed`
    ///   for a lint error, `.invalidMigration`
    ///   (file and line) for an operation SQLite cannot do, `.migrationFailed` (file and line)
    ///   when a statement failed: nothing of that migration was applied.
    public func applyExpandContractDirectly(
        upTo id: MigrationID, enforcesLint: Bool = true, events: @escaping ExpandContractEventHandler = { _ in }
    ) async throws -> [MigrateReport.Item] {
        _ = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        return try await withSession { database in
            let store = HistoryStore(database: database)
            let applied = try await store.operationsRecords()
            let sqlHistory = try await store.all()
            if let pending = try migrations().first(where: { $0.id < id && sqlHistory[$0.id]?.phase != .applied }) {
                throw CutoverError(
                    .invalidArgument, "\(pending.fileName) is pending and comes before \(id): migrations apply in id order",
                    hint: "run `cutover migrate --to \(id)`: it applies the .sql and .yaml migrations up to \(id) in order", migrationID: id)
            }
            let pending = expandContractIDs(upTo: id).filter { applied[$0]?.phase != .applied }
            try gateLint(try expandContractLintFindings(pending), enforcing: enforcesLint) { event in
                if case .lintFinding(let finding, let disposition) = event { events(.lintFinding(finding, disposition)) }
            }
            var items: [MigrateReport.Item] = []
            for candidate in pending {
                if let item = try await applyDirectly(candidate, on: database) { items.append(item) }
            }
            return items
        }
    }

    /// Whether `.yaml` migration `id` is recorded as applied on the (SQLite) target.
    public func isAppliedDirectly(_ id: MigrationID) async throws -> Bool {
        try await withSession { database in try await HistoryStore(database: database).operationsRecords()[id]?.phase == .applied }
    }

    /// The ids of the `.yaml` migrations applied directly on the target.
    func directlyAppliedIDs() async throws -> Set<MigrationID> {
        try await withSession { database in Set(try await HistoryStore(database: database).operationsRecords().filter { $0.value.phase == .applied }.keys) }
    }

    /// Applies one `.yaml` migration in a session of its own.
    func applyDirectly(_ id: MigrationID) async throws -> MigrateReport.Item? {
        try await withSession { database in try await applyDirectly(id, on: database) }
    }

    /// Applies `.yaml` migration `id` in one transaction with its history row, following
    /// SQLite's recipe for schema changes (https://www.sqlite.org/lang_altertable.html#otheralter):
    /// foreign key enforcement off outside the transaction, `PRAGMA foreign_key_check` inside
    /// before the commit, the previous setting restored after.
    /// - Returns: nil when another run applied it first.
    private func applyDirectly(_ id: MigrationID, on database: any Database) async throws -> MigrateReport.Item? {
        let file = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        let migration = file.migration
        // The same checks as on PostgreSQL, with file and line: missing tables and columns,
        // names taken, `up`/`down` a change needs. The planned actions are not used.
        let shape = VersionShape(schema: try await database.introspectSchema(), named: "main")
        _ = try migration.plan(shape: shape, context: OperationContext(schema: "main", migrationID: id))

        let startedAt = RunnerIdentity.now()
        let record = HistoryRecord(
            id: id, name: migration.name, kind: HistoryStore.operationsKind, checksum: file.checksum, phase: .applied, startedAt: startedAt,
            finishedAt: startedAt, durationMilliseconds: 0, appliedBy: RunnerIdentity.appliedBy, toolVersion: CutoverVersion.current,
            statementsDone: migration.operations.count, statementsTotal: migration.operations.count)
        let enforcing = try await database.query("PRAGMA foreign_keys").first?.int("foreign_keys") == 1
        // No effect inside a transaction: set before BEGIN (step 1 of the recipe).
        if enforcing { try await database.execute("PRAGMA foreign_keys = OFF") }
        let applied: Result<MigrateReport.Item?, any Error>
        do {
            applied = .success(try await applyInTransaction(file, record: record, on: database))
        } catch {
            applied = .failure(error)
        }
        // Restored whatever happened (the connection may be an application's).
        if enforcing { try? await database.execute("PRAGMA foreign_keys = ON") }
        return try applied.get()
    }

    /// The transaction of ``applyDirectly(_:on:)``: claim, operations, checks, history row.
    private func applyInTransaction(_ file: ExpandContractFile, record: HistoryRecord, on database: any Database) async throws -> MigrateReport.Item? {
        let migration = file.migration
        let id = migration.id
        var record = record
        let clock = ContinuousClock()
        let start = clock.now
        let store = HistoryStore(database: database)
        try await database.execute(database.dialect.beginTransaction)
        do {
            try await store.create()
            // The claim: a row another run committed is seen here (BEGIN IMMEDIATE waited
            // for it), and the migration is skipped.
            guard try await store.saveUnlessApplied(record) else {
                try await database.execute("COMMIT")
                return nil
            }
            var applier = SQLiteOperationApplier(database: database)
            logger.info("applying \(id) directly (SQLite)", metadata: ["cutover_migration": "\(file.path)"])
            for operation in migration.operations {
                try await applier.apply(operation, migrationID: id)
            }
            do {
                try await applier.check()
            } catch var error as CutoverError {
                error.file = file.path
                error.migrationID = id
                throw error
            }
            record.finishedAt = RunnerIdentity.now()
            record.durationMilliseconds = Int((clock.now - start).milliseconds)
            try await store.save(record)
            try await database.execute("COMMIT")
        } catch {
            throw await database.rollBack(after: error)
        }
        return MigrateReport.Item(
            id: id, name: migration.name, statements: migration.operations.count, isTransactional: true,
            durationMilliseconds: record.durationMilliseconds, resumedAt: 0)
    }
}
