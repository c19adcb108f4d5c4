import CutoverCore

extension Deployment {
    /// What one ``rollback(to:steps:options:events:)`` call is asked to do beyond the configuration.
    ///
    /// ```swift
    /// var options = Deployment.RollbackOptions()
    /// options.dryRun = true
    /// let plan = try await deployment.rollback(steps: 2, options: options)
    /// ```
    public struct RollbackOptions: Sendable {
        /// Check and report what would be rolled back; change nothing, take no backup.
        public var dryRun = false
        /// False skips the backup `[backup] mode` would take (`--no-backup`).
        public var takesBackup = true
        /// Overrides `[safety] lock_wait`.
        public var lockWait: Duration?
        /// The ids the operator confirmed, newest first (from a dry run): when the
        /// migrations to roll back are others by the time the lock is held, nothing runs.
        public var expecting: [MigrationID]?

        /// The defaults: a backup as configured, no confirmation check.
        public init() {}
    }

    /// Rolls back the newest applied migrations by running their down sections, newest
    /// first, after taking the `[backup] mode` backup (a down section usually drops data).
    ///
    /// Every migration to roll back is checked before the backup and before anything runs
    /// (``Migrator/rollback(to:steps:dryRun:expecting:)``): a missing or changed file, a
    /// missing down section, or an empty down section below an up section that changes
    /// something (unless written `-- cutover:down empty`) stops the call with nothing done.
    ///
    /// With `[dump] schema` set, the schema file is written afterwards (a failure is in
    /// ``RollbackReport/schemaDumpError``, not thrown).
    ///
    /// ```swift
    /// let report = try await deployment.rollback(steps: 1)
    /// print(report.rolledBack.map(\.id), report.backup?.id ?? "no backup")
    /// ```
    ///
    /// - Parameters:
    ///   - target: roll back every applied migration newer than this id.
    ///   - steps: roll back this many of the newest applied migrations (default 1).
    ///   - options: dry run, backup and confirmation choices.
    ///   - events: progress: the backup, then each migration (``DeploymentEvent``).
    /// - Returns: what was (or would be) rolled back, and the backup taken.
    /// - Throws: `CutoverError`: `.invalidArgument` or `.validationFailed` from the checks,
    ///   `.backupFailed` (nothing was rolled back), `.migrationFailed` when a down statement
    ///   fails, `.lockNotAcquired`.
    /// - Warning: down sections drop tables and columns; the backup is the way back.
    public func rollback(
        to target: MigrationID? = nil, steps: Int? = nil, options: RollbackOptions = .init(),
        events: @escaping DeploymentEventHandler = { _ in }
    ) async throws -> RollbackReport {
        precondition(target == nil || steps == nil, "pass either a target or a number of steps")
        let plan = try await withMigrator(lockWait: options.lockWait, events: events) { migrator, _ in
            let plan = try await migrator.rollback(to: target, steps: steps, dryRun: true)
            // A .yaml migration has no down section: rolling back the .sql migrations before
            // one that changed the database would undo what it was built on.
            if let oldest = plan.rolledBack.map(\.id).min(),
                let yaml = try await expandContractStates(on: migrator.database).first(where: { $0.kind != .pending && $0.id > oldest })
            {
                throw CutoverError(
                    .invalidArgument,
                    "rolling back to before \(oldest) would pass \(yaml.id)_\(yaml.name).yaml (\(yaml.kind)), an expand/contract migration, which rollback cannot undo",
                    hint: "write a new migration that undoes the change (or, within a revert window on PostgreSQL, `cutover revert \(yaml.id)`)",
                    migrationID: yaml.id)
            }
            return plan
        }
        if options.dryRun { return plan }
        if plan.rolledBack.isEmpty { return RollbackReport() }
        var backup: BackupRecord?
        if options.takesBackup && config.backup.mode != .off {
            backup = try await takeBackup(.beforeRollback, events: events)
        }
        var report = try await withMigrator(lockWait: options.lockWait, events: events) { migrator, _ in
            try await migrator.rollback(to: target, steps: steps, expecting: options.expecting ?? plan.rolledBack.map(\.id))
        }
        report.backup = backup
        (report.schemaDump, report.schemaDumpError) = await writeConfiguredSchemaDump(after: "rollback", events: events)
        return report
    }
}
