import CutoverCore
import Logging

/// What `migrate` did.
public struct MigrateReport: Sendable {
    /// One migration that was (or, for a dry run, would be) applied.
    public struct Item: Sendable {
        /// The migration's id.
        public var id: MigrationID
        /// The migration's name (`create_users`).
        public var name: String
        /// How many statements its up section has.
        public var statements: Int
        /// False for a `-- cutover:no-transaction` migration (run statement by statement).
        public var isTransactional: Bool
        /// nil for a dry run.
        public var durationMilliseconds: Int?
        /// For a resumed no-transaction migration: the first statement run (0-based).
        public var resumedAt: Int
    }

    /// The migrations applied by this run (for a dry run: that it would apply), in order.
    public var applied: [Item] = []
    /// The first draft file (`Migration.draft`) among the migrations to apply: the run
    /// applies what comes before it and stops there. ``Deployment/migrate(to:options:events:)``
    /// then throws `.draftMigration`; a caller of ``Migrator/migrate(to:dryRun:)`` checks it.
    public var stoppedAtDraft: Migration?
    /// Migrations another runner applied first when this run got to them
    /// (``MigrationEvent/migrationSkipped(id:name:)``).
    public var skipped: [MigrationID] = []
    /// True when nothing was applied because only a plan was asked for.
    public var isDryRun = false

    /// A report of nothing applied.
    public init() {}
}

extension Migrator {
    /// Applies pending migrations in id order, each in its own transaction, stopping at the
    /// first failure.
    ///
    /// ```swift
    /// let report = try await migrator.migrate(to: MigrationID("20261124120000")!)
    /// ```
    ///
    /// - Parameters:
    ///   - target: stop after this id (inclusive); nil applies everything pending.
    ///   - dryRun: report what would run, change nothing, take no lock.
    /// - Returns: what was applied; ``MigrateReport/stoppedAtDraft`` names a draft file the
    ///   run stopped before (the migrations before it are applied).
    /// - Throws: `CutoverError`: `.validationFailed` for changed files or out-of-order
    ///   migrations (nothing is applied), `.migrationFailed` when a statement fails (that
    ///   migration is rolled back and recorded as failed; earlier ones stay applied),
    ///   `.lockNotAcquired` when another run holds the lock past `lockWait`.
    public func migrate(to target: MigrationID? = nil, dryRun: Bool = false) async throws -> MigrateReport {
        if dryRun { return try pending(to: target, history: try await history.all()) }
        if let target { _ = try migration(target) }
        // Nothing pending without the lock means nothing pending with it (other runners can
        // only apply more), so a no-op run needs no lock and no second connection.
        let unlocked = try await history.all()
        if !unlocked.isEmpty {
            let planned = try plan(history: unlocked, target: target)
            if planned.applied.isEmpty {
                var report = MigrateReport()
                report.stoppedAtDraft = planned.stoppedAtDraft
                return report
            }
        }
        return try await withRunLock {
            // Read again now that the lock is held: another run may have finished meanwhile.
            let before = try await history.all()
            let planned = try plan(history: before, target: target)
            let verified = await SchemaCheckStore(database: database).verifiedState(history: before, migrations: migrations)
            var report = MigrateReport()
            report.stoppedAtDraft = planned.stoppedAtDraft
            for item in planned.applied {
                let migration = try self.migration(item.id)
                if let applied = try await apply(migration) {
                    report.applied.append(applied)
                } else {
                    report.skipped.append(migration.id)
                    events(.migrationSkipped(id: migration.id, name: migration.name))
                }
            }
            if verified, !report.applied.isEmpty {
                await SchemaCheckStore(database: database).carryForward(history: try await history.all(), migrations: migrations)
            }
            return report
        }
    }

    /// What `migrate(to: target)` would apply given `history` (from ``historyRecords()``), as
    /// a dry-run report: for a caller that has read the history already.
    /// - Parameters:
    ///   - target: plan up to this id (inclusive); nil plans everything pending.
    ///   - history: the history rows, keyed by id.
    /// - Returns: a report with ``MigrateReport/isDryRun`` set.
    /// - Throws: the same validation errors as ``migrate(to:dryRun:)``.
    public func pending(to target: MigrationID? = nil, history: [MigrationID: HistoryRecord]) throws -> MigrateReport {
        if let target { _ = try migration(target) }
        var report = try plan(history: history, target: target)
        report.isDryRun = true
        return report
    }

    /// The pending migrations up to `target`, after checking that no applied file changed
    /// and nothing pending is out of order.
    func plan(history: [MigrationID: HistoryRecord], target: MigrationID?) throws -> MigrateReport {
        // Kinds by position in `migrations` (id order): no state per migration is built.
        let kinds = MigrationPlanner().fileKinds(migrations: migrations, history: history)
        let changed = kinds.indices.filter { kinds[$0] == .changed }.map { migrations[$0] }
        if !changed.isEmpty {
            let list = changed.map(\.fileName).joined(separator: ", ")
            throw CutoverError(
                .validationFailed, "\(changed.count == 1 ? "an applied migration has" : "\(changed.count) applied migrations have") changed since \(changed.count == 1 ? "it was" : "they were") applied: \(list)",
                hint: "restore the file\(changed.count == 1 ? "" : "s") from version control, or accept the change with `cutover repair \(changed.map(\.id.rawValue).joined(separator: " "))`",
                file: changed.first?.fileName, migrationID: changed.first?.id)
        }
        let outOfOrder = kinds.indices.filter { kinds[$0] == .outOfOrder }.map { migrations[$0] }
        if !outOfOrder.isEmpty && !configuration.allowOutOfOrder {
            let newest = kinds.indices.filter { kinds[$0] == .applied }.map { migrations[$0].id }.max()
            throw CutoverError(
                .validationFailed, "\(outOfOrder.map(\.fileName).joined(separator: ", ")) \(outOfOrder.count == 1 ? "is" : "are") older than the newest applied migration \(newest.map(\.rawValue) ?? "")",
                hint: "rename the file with a newer id (`cutover new`), or apply it anyway with --allow-out-of-order",
                file: outOfOrder.first?.fileName, migrationID: outOfOrder.first?.id)
        }
        var report = MigrateReport()
        for index in kinds.indices where kinds[index] == .pending || kinds[index] == .outOfOrder || kinds[index] == .failed || kinds[index] == .draft {
            let migration = migrations[index]
            if let target, migration.id > target { break }
            // A file that is not written yet: apply what comes before it, never it.
            if migration.draft != nil {
                report.stoppedAtDraft = migration
                break
            }
            let resumeAt = migration.isTransactional ? 0 : (history[migration.id]?.statementsDone ?? 0)
            report.applied.append(.init(
                id: migration.id, name: migration.name, statements: migration.up.count,
                isTransactional: migration.isTransactional, durationMilliseconds: nil, resumedAt: resumeAt))
        }
        return report
    }

    /// Applies one migration; nil when another runner applied it first.
    private func apply(_ migration: Migration) async throws -> MigrateReport.Item? {
        logger.info("applying migration", metadata: ["cutover_migration": "\(migration.fileName)"])
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = RunnerIdentity.now()
        let resumedAt: Int
        if migration.isTransactional {
            guard try await applyInTransaction(migration, startedAt: startedAt) else { return nil }
            resumedAt = 0
        } else {
            guard let from = try await applyStatementByStatement(migration, startedAt: startedAt) else { return nil }
            try await reapplySessionTimeouts(after: migration.up)
            resumedAt = from
        }
        let duration = clock.now - start
        events(.migrationFinished(id: migration.id, name: migration.name, duration: duration))
        logger.info("applied migration", metadata: ["cutover_migration": "\(migration.fileName)", "duration_ms": "\(duration.milliseconds)"])
        return .init(
            id: migration.id, name: migration.name, statements: migration.up.count, isTransactional: migration.isTransactional,
            durationMilliseconds: Int(duration.milliseconds), resumedAt: resumedAt)
    }

    /// The history row written when a migration has been applied.
    func appliedRecord(_ migration: Migration, startedAt: String, durationMilliseconds: Int) -> HistoryRecord {
        HistoryRecord(
            id: migration.id, name: migration.name, checksum: migration.checksum, phase: .applied, startedAt: startedAt,
            finishedAt: RunnerIdentity.now(), durationMilliseconds: durationMilliseconds, appliedBy: RunnerIdentity.appliedBy,
            toolVersion: CutoverVersion.current, statementsDone: migration.up.count, statementsTotal: migration.up.count)
    }
}
