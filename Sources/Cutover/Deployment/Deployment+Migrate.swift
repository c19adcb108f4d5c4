import CutoverCore
import Logging

extension Deployment {
    /// How the migrations reach the target.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Each migration in its own transaction on the target itself.
        case direct
        /// Pause writes, migrate a clone, swap the names; the old database is kept as
        /// `<name>_before_<id>` (``SwapMigration``).
        case swap
    }

    /// What one ``migrate(to:options:events:)`` call is asked to do beyond the configuration.
    ///
    /// ```swift
    /// var options = Deployment.MigrateOptions()
    /// options.dryRun = true
    /// let plan = try await deployment.migrate(options: options)
    /// ```
    public struct MigrateOptions: Sendable {
        /// Report what would be applied; change nothing.
        public var dryRun = false
        /// Apply pending migrations older than the newest applied one instead of refusing.
        public var allowOutOfOrder = false
        /// Overrides `[safety] lock_wait`.
        public var lockWait: Duration?
        /// False skips the backup `[backup] mode` would take (`--no-backup`).
        public var takesBackup = true
        /// False lets lint errors through (they are still reported, as ``LintDisposition/overridden``).
        /// For emergencies; prefer `-- cutover:allow RULE` above the statement.
        public var enforcesLint = true
        /// Rehearse on a clone first; nil follows the environment's `rehearse` setting.
        public var rehearse: Bool?
        /// Direct (default) or swap.
        public var strategy: Strategy = .direct

        /// The defaults: lint enforced, backups and rehearsal as configured, applied directly.
        public init() {}
    }

    /// Applies the pending migrations to the target by the whole pipeline: lint gate, the
    /// `[backup] mode` backup, a rehearsal on a clone when the environment asks for one,
    /// the migrations themselves (directly or by swap), and the backup after.
    ///
    /// Each migration runs in its own transaction with its history row; the run holds the
    /// run lock, so twenty app processes starting at once apply each migration exactly once.
    /// A run with nothing pending (every deploy but the ones that ship a migration) reads the
    /// history in one session and ends.
    ///
    /// With `[dump] schema` set, the schema file is written after every run that is not a
    /// dry run, even one with nothing to apply (``writeSchemaDump(to:events:)``); a failure
    /// to write it is reported in ``DeploymentReport/schemaDumpError``, not thrown, since the
    /// migrations stand.
    ///
    /// ```swift
    /// let report = try await deployment.migrate(to: MigrationID("20261124090000")!) { event in
    ///     if case .planned(let pending) = event { logger.info("\(pending.count) pending") }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - upTo: apply up to and including this id; nil applies everything pending.
    ///   - options: dry run, out-of-order, lint, backup, rehearsal and strategy choices.
    ///   - events: progress, in order (``DeploymentEvent``).
    /// - Returns: what was applied, the backups taken, the rehearsal and the lint findings.
    /// A draft file (`Migration.draft`, `-- cutover:draft`) stops the run: the migrations
    /// before it are applied (with the backups and rehearsal as usual), then the call throws
    /// `.draftMigration` naming it. A dry run reports it in ``MigrateReport/stoppedAtDraft``.
    ///
    /// - Throws: `CutoverError`: `.draftMigration` after applying what comes before a
    ///   draft file, `.validationFailed` for lint errors or changed files,
    ///   `.backupFailed` (the database is then untouched), a failed rehearsal's error (the
    ///   target is untouched), `.migrationFailed` (the failing migration left nothing behind),
    ///   `.lockNotAcquired`.
    /// - Warning: migrations change the target database; take the configured backups.
    public func migrate(
        to upTo: MigrationID? = nil, options: MigrateOptions = .init(), events: @escaping DeploymentEventHandler = { _ in }
    ) async throws -> DeploymentReport {
        let expandContractIDs = expandContractIDs(upTo: upTo)
        var report = expandContractIDs.isEmpty
            ? try await migrateUpToDraft(to: upTo, options: options, events: events)
            : try await migrateWithExpandContract(expandContractIDs, to: upTo, options: options, events: events) {
                try await migrateUpToDraft(to: $0, options: options, events: events)
            }
        if !options.dryRun {
            (report.schemaDump, report.schemaDumpError) = await writeConfiguredSchemaDump(after: "migrate", events: events)
        }
        if !options.dryRun, let draft = report.migrate.stoppedAtDraft ?? report.stoppedAtDraft {
            let applied = report.migrate.applied.count + (report.swap?.applied.count ?? 0)
            throw CutoverError(
                .draftMigration,
                "a draft\(draft.draft?.isMarked == true ? " (`-- cutover:draft`)" : " (its up section is blank)"), so migrate stopped before it; "
                    + (applied == 0 ? "nothing was applied" : "the \(applied) migration\(applied == 1 ? "" : "s") before it \(applied == 1 ? "was" : "were") applied"),
                hint: (draft.draft?.fix ?? "finish the migration") + ", then run `cutover migrate` again; or move the file out of the migrations folder until it is ready",
                file: draft.fileName, line: draft.draft?.line, migrationID: draft.id)
        }
        return report
    }

    /// ``migrate(to:options:events:)`` without the draft check at the end.
    private func migrateUpToDraft(
        to upTo: MigrationID?, options: MigrateOptions, events: @escaping DeploymentEventHandler
    ) async throws -> DeploymentReport {
        // One session reads the plan and lints it; a run with nothing to apply ends there.
        let (plan, findings, finished) = try await withMigrator(
            lockWait: options.lockWait, allowOutOfOrder: options.allowOutOfOrder, readHistory: true, events: events
        ) { migrator, history in
            let plan = try migrator.pending(to: upTo, history: history)
            let findings = await lintFindings(of: plan, migrator: migrator)
            if !plan.applied.isEmpty { logDefaultLockTimeout(migrator.database.dialect) }
            guard plan.applied.isEmpty, !options.dryRun, options.strategy == .direct else { return (plan, findings, MigrateReport?.none) }
            // Nothing pending, and a history to show it: nothing to do (other runners can
            // only apply more). Without a history the real run puts the table in place.
            if !history.isEmpty { return (plan, findings, MigrateReport()) }
            return (plan, findings, try await migrator.migrate(to: upTo))
        }
        var report = DeploymentReport(target: target, strategy: options.strategy, migrate: plan, lintFindings: findings)
        report.stoppedAtDraft = plan.stoppedAtDraft
        events(.planned(pending: plan.applied.map(\.id)))
        if let finished {
            report.migrate = finished
            return report
        }
        if options.dryRun {
            for finding in findings { events(.lintFinding(finding, .unenforced(finding))) }
            return report
        }
        try gateLint(findings, enforcing: options.enforcesLint, events: events)

        // [backup] mode: a backup first, and if it fails the database is not touched.
        let backupMode = options.takesBackup ? config.backup.mode : .off
        if backupMode != .off && !plan.applied.isEmpty {
            report.backupBefore = try await takeBackup(.beforeMigrate, events: events)
        }
        if options.strategy == .swap {
            report.swap = try await swapMigrate(to: upTo, switchingMaintenance: !plan.applied.isEmpty, events: events)
            report.migrate = MigrateReport()
            return report
        }
        report.rehearsal = try await rehearseFirst(options, events: events)
        report.migrate = try await withMigrator(lockWait: options.lockWait, allowOutOfOrder: options.allowOutOfOrder, events: events) { migrator, _ in
            try await migrator.migrate(to: upTo)
        }
        if backupMode == .beforeAndAfter && !report.migrate.applied.isEmpty {
            do {
                report.backupAfter = try await takeBackup(.afterMigrate, events: events)
            } catch {
                let failure = error as? CutoverError ?? CutoverError(.backupFailed, "the backup after migrating failed: \(ErrorDescription.of(error))", hint: "run `cutover backup`")
                report.backupAfterError = failure
                events(.backupAfterFailed(failure))
            }
        }
        return report
    }

    /// Says (at info level: `--verbose`) that the 2 s default lock timeout is in force,
    /// since no `[safety] lock_timeout` is set, on databases that have one.
    private func logDefaultLockTimeout(_ dialect: any Dialect) {
        let safety = config.safety
        guard safety.lockTimeoutIsDefault, let timeout = safety.lockTimeout,
            !dialect.sessionTimeoutStatements(lockTimeout: timeout, statementTimeout: nil).isEmpty
        else { return }
        let milliseconds = timeout.milliseconds
        let written = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
        logger.info(
            "lock_timeout \(written) (Cutover's default: [safety] sets none), with \(safety.lockRetries) retries after a lock timeout; set [safety] lock_timeout to change it, or \"off\" to turn it off")
    }

    /// `swap`: pause writes, migrate a clone, swap the names — with the built-in
    /// `maintenance` switch on for the whole of it, so apps reading it serve their read-only
    /// page instead of failing writes. The switch is turned on before the pause (the clone,
    /// and so the database after the swap, carries it) and off on the database the URL
    /// reaches afterwards: the migrated one, or the untouched source after a failure. The
    /// database kept as `<name>_before_<id>` keeps it on. A switch already on is left alone,
    /// and with nothing pending (`switchingMaintenance` false) it is not touched.
    private func swapMigrate(to upTo: MigrationID?, switchingMaintenance: Bool, events: @escaping DeploymentEventHandler) async throws -> SwapMigration.Report {
        let driver = try targetDriver(as: (any DatabaseSwapping).self, for: "be migrated with --strategy swap")
        let migrations = try migrations()
        let switching = switchingMaintenance ? try await flag(named: FeatureFlag.maintenance)?.isEnabled != true : false
        if switching {
            _ = try await setMaintenance(true)
            events(.maintenanceSwitched(on: true))
        }
        let report: SwapMigration.Report
        do {
            events(.swapStarted(source: target.url))
            report = try await SwapMigration(
                driver: driver, migrations: migrations, configuration: migratorConfiguration,
                logger: logger, events: { events(.migration($0)) }
            ).run(source: target.url, to: upTo)
        } catch {
            if switching { await switchMaintenanceOff(after: error, events: events) }
            throw error
        }
        if switching { await switchMaintenanceOff(after: nil, events: events) }
        return report
    }

    /// Turns `maintenance` off after a swap; a failure to do so is logged (and left to
    /// `cutover maintenance off`), never hiding the swap's own outcome.
    private func switchMaintenanceOff(after error: (any Error)?, events: DeploymentEventHandler) async {
        do {
            _ = try await setMaintenance(false)
            events(.maintenanceSwitched(on: false))
        } catch let offError {
            logger.error(
                "could not turn the maintenance switch off after the swap; run `cutover maintenance off`",
                metadata: ["error": "\(offError)", "swap_error": "\(error.map { "\($0)" } ?? "none")"])
        }
    }

    /// With `rehearse = true` (or ``MigrateOptions/rehearse``), apply the pending migrations
    /// to a clone first; a failure there stops the run before the real database is touched.
    /// A clone whose schema differs from its migrations (drift on the target) is reported as
    /// ``DeploymentEvent/targetDrifted(_:)``; `cutover rehearse` makes it a finding.
    private func rehearseFirst(_ options: MigrateOptions, events: @escaping DeploymentEventHandler) async throws -> RehearsalOutcome? {
        guard options.rehearse ?? config.environments[target.environment]?.rehearse ?? false else { return nil }
        // Its lint gate has run already.
        let outcome = try await rehearse(strategy: .automatic, keep: false, lint: false, events: events)
        if var failure = outcome.report.failure {
            failure.message = "rehearsal failed, so \(target.environment) was not touched: " + failure.message
            throw failure
        }
        if let drift = outcome.report.drift, drift.hasDrift { events(.targetDrifted(drift)) }
        return outcome
    }
}
