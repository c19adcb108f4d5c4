import CutoverCore
import Logging

/// What `rollback` did, or for a dry run would do.
public struct RollbackReport: Sendable {
    /// One migration rolled back (or to roll back).
    public struct Item: Sendable {
        /// The migration's id.
        public var id: MigrationID
        /// The migration's name.
        public var name: String
        /// The file, for messages.
        public var fileName: String
        /// Statements of its down section (0 for one marked `-- cutover:down empty`, or for a
        /// migration without statements).
        public var statements: Int
        /// nil for a dry run.
        public var durationMilliseconds: Int?
    }

    /// In the order they were (or would be) rolled back: newest first.
    public var rolledBack: [Item] = []
    /// True when nothing was run (``Migrator/rollback(to:steps:dryRun:expecting:)`` with `dryRun`).
    public var isDryRun = false
    /// The `[backup] mode` backup taken first by ``Deployment/rollback(to:steps:options:events:)``;
    /// nil when none was taken.
    public var backup: BackupRecord?
    /// The schema file (`[dump] schema`) written after the rollback by ``Deployment``; nil
    /// without one, and when writing it failed.
    public var schemaDump: Deployment.SchemaDumpResult?
    /// Why the schema file could not be written (the rollback stands).
    public var schemaDumpError: CutoverError?

    /// A report of nothing rolled back.
    public init() {}
}

extension Migrator {
    /// Runs the `down` sections of applied migrations, newest first.
    ///
    /// Every migration to roll back is checked before anything runs: its file must exist,
    /// be unchanged since it was applied, and have a down section; a down section without
    /// statements below an up section that has some is refused unless it is written
    /// `-- cutover:down empty` (rolling back would otherwise report success while the up
    /// section's change stays).
    ///
    /// - Parameters:
    ///   - target: roll back every applied migration newer than this id (it stays applied).
    ///   - steps: roll back this many of the newest applied migrations (default 1).
    ///   - dryRun: check and report what would be rolled back; run nothing, take no lock.
    ///   - expecting: the ids a caller confirmed (from a dry run), newest first; when the
    ///     migrations to roll back are others by now, nothing runs.
    /// - Throws: `CutoverError` `.invalidArgument` when a migration to roll back has no
    ///   down section, an empty one not marked `empty`, or its file is missing, or when
    ///   `expecting` no longer matches; `.validationFailed` when its file changed since it was
    ///   applied; `.migrationFailed` when a down statement fails (that migration stays applied).
    /// - Warning: down sections usually drop tables or columns: the data in them is lost.
    ///   ``Deployment/rollback(to:steps:options:events:)`` takes the `[backup] mode` backup first.
    public func rollback(
        to target: MigrationID? = nil, steps: Int? = nil, dryRun: Bool = false, expecting: [MigrationID]? = nil
    ) async throws -> RollbackReport {
        precondition(target == nil || steps == nil, "pass either a target or a number of steps")
        if dryRun {
            var report = RollbackReport()
            report.isDryRun = true
            report.rolledBack = try rollbackPlan(to: target, steps: steps, history: try await history.all()).map {
                .init(id: $0.id, name: $0.name, fileName: $0.migration!.fileName, statements: $0.migration!.down!.count, durationMilliseconds: nil)
            }
            return report
        }
        return try await withRunLock {
            let chosen = try rollbackPlan(to: target, steps: steps, history: try await history.all())
            if let expecting, expecting != chosen.map(\.id) {
                throw CutoverError(
                    .invalidArgument,
                    "the migrations to roll back changed since they were confirmed (now: \(chosen.isEmpty ? "none" : chosen.map(\.id.rawValue).joined(separator: ", ")))",
                    hint: "another run changed the history meanwhile; run `cutover status`, then `cutover rollback` again")
            }
            var report = RollbackReport()
            for state in chosen {
                report.rolledBack.append(try await rollBack(state.migration!, record: state.record!))
            }
            return report
        }
    }

    /// The applied migrations to roll back, newest first, each checked (see ``rollback(to:steps:dryRun:expecting:)``).
    private func rollbackPlan(to target: MigrationID?, steps: Int?, history: [MigrationID: HistoryRecord]) throws -> [MigrationState] {
        let states = MigrationPlanner().states(migrations: migrations, history: history)
        let applied = states.filter { [.applied, .changed, .missing, .appliedByApp].contains($0.kind) }.reversed()
        let chosen: [MigrationState]
        if let target {
            guard states.contains(where: { $0.id == target }) else { _ = try migration(target); return [] }
            chosen = applied.filter { $0.id > target }
        } else {
            chosen = Array(applied.prefix(steps ?? 1))
        }
        for state in chosen {
            if state.migration?.isRegistered == true || state.kind == .appliedByApp {
                throw CutoverError(
                    .invalidArgument, "migration \(state.id) (\(state.name)) was registered in Swift by the application and has no down, so it cannot be rolled back",
                    hint: "register (or write) a new migration that undoes it, or roll back fewer steps", migrationID: state.id)
            }
            guard let migration = state.migration else {
                throw CutoverError(
                    .invalidArgument, "migration \(state.id) (\(state.name)) is applied but its file is gone; it cannot be rolled back",
                    hint: "restore the file from version control", migrationID: state.id)
            }
            guard migration.down != nil else {
                throw CutoverError(
                    .invalidArgument, "\(migration.fileName) has no -- cutover:down section, so it cannot be rolled back",
                    hint: "add a down section that undoes the up section (`-- cutover:down empty` if rolling back should intentionally run nothing), or roll back fewer steps",
                    file: migration.fileName, migrationID: migration.id)
            }
            if migration.hasUnmarkedEmptyDown {
                let first = migration.up[0]
                throw CutoverError(
                    .invalidArgument,
                    "the down section is empty, but the up section runs \(migration.up.count) statement\(migration.up.count == 1 ? "" : "s") (line \(first.line): \(Self.abbreviated(first.sql))); rolling it back would leave that change in place",
                    hint: "write the statements that undo the up section below `-- cutover:down`\(migration.downMarkerLine.map { " (line \($0))" } ?? ""), or write the marker as `-- cutover:down empty` if rolling back should intentionally run nothing",
                    file: migration.fileName, line: migration.downMarkerLine, migrationID: migration.id)
            }
            if state.kind == .changed {
                throw CutoverError(
                    .validationFailed, "\(migration.fileName) changed since it was applied; its down section may not undo what ran",
                    hint: "restore the file, or accept it with `cutover repair \(migration.id)` first", file: migration.fileName, migrationID: migration.id)
            }
        }
        return chosen
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
                // File and line lead the printed error (`file:line: …`): the message names neither again.
                "rolling back failed at down statement \(failure.index + 1) of \(down.count): \(failure.error.message)\(codeSuffix)",
                hint: migration.isTransactional
                    ? "the migration is still applied and unchanged (the rollback's transaction was undone); fix the down section and try again"
                    : "this no-transaction down section stopped after statement \(failure.index) of \(down.count); the migration is still recorded as applied — finish the rollback by hand",
                file: migration.fileName, line: failure.statement.line, migrationID: migration.id, statement: failure.statement.sql,
                databaseCode: failure.error.databaseCode, underlying: failure.error, rollbackError: failure.error.rollbackError)
        }
        let duration = clock.now - start
        events(.migrationFinished(id: migration.id, name: migration.name, duration: duration))
        return .init(
            id: migration.id, name: migration.name, fileName: migration.fileName, statements: down.count,
            durationMilliseconds: Int(duration.milliseconds))
    }

    /// The first line of a statement, cut at 80 characters, for a message.
    private static func abbreviated(_ sql: String) -> String {
        let line = sql.prefix { $0 != "\n" }
        return line.count > 80 || line.count < sql.count ? String(line.prefix(80)) + " …" : String(line)
    }
}
