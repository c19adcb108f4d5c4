import CutoverCore
import Logging

/// What `rollback` did.
public struct RollbackReport: Sendable {
    /// One migration whose down section ran.
    public struct Item: Sendable {
        /// The migration's id.
        public var id: MigrationID
        /// The migration's name.
        public var name: String
        /// How long its down section took.
        public var durationMilliseconds: Int
    }

    /// In the order they were rolled back (newest first).
    public var rolledBack: [Item] = []
}

extension Migrator {
    /// Runs the `down` sections of applied migrations, newest first.
    ///
    /// - Parameters:
    ///   - target: roll back every applied migration newer than this id (it stays applied).
    ///   - steps: roll back this many of the newest applied migrations (default 1).
    /// - Returns: the migrations rolled back, newest first.
    /// - Precondition: at most one of `target` and `steps` is given.
    /// - Throws: `CutoverError` `.invalidArgument` when a migration to roll back has no
    ///   down section or its file is missing (checked before anything runs),
    ///   `.validationFailed` when its file changed since it was applied, `.migrationFailed`
    ///   when a down statement fails (that migration stays applied).
    /// - Warning: down sections usually drop tables or columns: the data in them is lost.
    public func rollback(to target: MigrationID? = nil, steps: Int? = nil) async throws -> RollbackReport {
        precondition(target == nil || steps == nil, "pass either a target or a number of steps")
        return try await withRunLock {
            let states = MigrationPlanner().states(migrations: migrations, history: try await history.all())
            let applied = states.filter { $0.kind == .applied || $0.kind == .changed || $0.kind == .missing }.reversed()
            let chosen: [MigrationState]
            if let target {
                guard states.contains(where: { $0.id == target }) else { _ = try migration(target); return RollbackReport() }
                chosen = applied.filter { $0.id > target }
            } else {
                chosen = Array(applied.prefix(steps ?? 1))
            }
            for state in chosen {
                guard let migration = state.migration else {
                    throw CutoverError(
                        .invalidArgument, "migration \(state.id) (\(state.name)) is applied but its file is gone; it cannot be rolled back",
                        hint: "restore the file from version control", migrationID: state.id)
                }
                guard migration.down != nil else {
                    throw CutoverError(
                        .invalidArgument, "\(migration.fileName) has no -- cutover:down section, so it cannot be rolled back",
                        hint: "add a down section (an empty one marks an intentional no-op), or roll back fewer steps", file: migration.fileName, migrationID: migration.id)
                }
                if state.kind == .changed {
                    throw CutoverError(
                        .validationFailed, "\(migration.fileName) changed since it was applied; its down section may not undo what ran",
                        hint: "restore the file, or accept it with `cutover repair \(migration.id)` first", file: migration.fileName, migrationID: migration.id)
                }
            }
            var report = RollbackReport()
            for state in chosen {
                report.rolledBack.append(try await rollBack(state.migration!, record: state.record!))
            }
            return report
        }
    }

    private func rollBack(_ migration: Migration, record: HistoryRecord) async throws -> RollbackReport.Item {
        let down = migration.down ?? []
        let clock = ContinuousClock()
        let start = clock.now
        events(.migrationStarted(id: migration.id, name: migration.name, statements: down.count, resumingAt: 0))
        var rolledBack = record
        rolledBack.phase = .rolledBack
        rolledBack.statementsDone = 0
        rolledBack.finishedAt = RunnerIdentity.now()
        let downMigration = Migration(
            id: migration.id, name: migration.name, fileName: migration.fileName, up: down, down: nil,
            isTransactional: migration.isTransactional, checksum: migration.checksum)
        do {
            if migration.isTransactional {
                try await inWriteTransaction {
                    for statement in dialect.timeoutStatements(lockTimeout: configuration.lockTimeout, statementTimeout: configuration.statementTimeout, local: true) {
                        try await database.execute(statement)
                    }
                    for (index, statement) in down.enumerated() { try await run(statement, index: index, of: downMigration) }
                    try await history.save(rolledBack)
                }
            } else {
                for (index, statement) in down.enumerated() { try await run(statement, index: index, of: downMigration) }
                try await history.save(rolledBack)
            }
        } catch let failure as StatementFailure {
            let codeSuffix = failure.error.databaseCode.map { " [\($0)]" } ?? ""
            throw CutoverError(
                .migrationFailed,
                "rolling back \(migration.fileName) failed at down statement \(failure.index + 1) of \(down.count) (line \(failure.statement.line)): \(failure.error.message)\(codeSuffix)",
                hint: migration.isTransactional
                    ? "the migration is still applied and unchanged (the rollback's transaction was undone); fix the down section and try again"
                    : "this no-transaction down section stopped after statement \(failure.index) of \(down.count); the migration is still recorded as applied — finish the rollback by hand",
                file: migration.fileName, line: failure.statement.line, migrationID: migration.id, statement: failure.statement.sql,
                databaseCode: failure.error.databaseCode, underlying: failure.error, rollbackError: failure.error.rollbackError)
        }
        let duration = clock.now - start
        events(.migrationFinished(id: migration.id, name: migration.name, duration: duration))
        return .init(id: migration.id, name: migration.name, durationMilliseconds: Int(duration.milliseconds))
    }
}
