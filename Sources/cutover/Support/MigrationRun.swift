import ArgumentParser
import Cutover
import CutoverCore

/// What `cutover migrate` is asked to do; `promote` asks the same of production.
struct MigrateRequest {
    /// Apply up to and including this id; nil: everything pending.
    var to: MigrationID?
    var dryRun = false
    var allowOutOfOrder = false
    /// Overrides `[safety] lock_wait`.
    var lockWait: Duration?
    var noBackup = false
    var noLint = false
    /// nil: the env's `rehearse` setting.
    var rehearse: Bool?
    /// `direct` or `swap`.
    var strategy = "direct"
}

/// What a migrate run did.
enum MigrateOutcome {
    case direct(MigrateReport, Target)
    case swap(SwapMigration.Report, Target)
}

extension CommandContext {
    /// The code path of `cutover migrate` for the context's environment: lint the pending
    /// migrations, take the `[backup] mode` backup, rehearse on a clone when configured,
    /// apply (directly or by swap), and take the backup after when configured.
    ///
    /// - Throws: ``CutoverError``: `.validationFailed` for lint errors or changed files,
    ///   `.backupFailed`, a failed rehearsal's error, `.migrationFailed`, `.lockNotAcquired`.
    func runMigrate(_ request: MigrateRequest) async throws -> MigrateOutcome {
        let target = request.to
        // One session reads the plan and lints it; a run with nothing to apply (the common
        // case on every deploy) ends in that session.
        let (plan, findings, noOp) = try await withMigratorAndHistory(lockWait: request.lockWait, allowOutOfOrder: request.allowOutOfOrder) { migrator, _, history in
            let plan = try migrator.pending(to: target, history: history)
            let findings = lint(plan, of: migrator)
            guard plan.applied.isEmpty, !request.dryRun, request.strategy == "direct" else { return (plan, findings, MigrateReport?.none) }
            // Nothing pending, and a history to show it: nothing to do (other runners can
            // only apply more). Without a history the real run puts the table in place.
            if !history.isEmpty { return (plan, findings, MigrateReport()) }
            return (plan, findings, try await migrator.migrate(to: target))
        }
        let env = try self.target()
        if let report = noOp {
            return .direct(report, env)
        }
        if request.dryRun {
            if !options.quiet && !options.json {
                for finding in findings { Terminal.err(Terminal.yellow("lint \(finding.severity) (dry run): ") + finding.renderedText()) }
            }
            return .direct(plan, env)
        }
        if request.noLint {
            if !options.quiet { for finding in findings { Terminal.err(Terminal.yellow("lint \(finding.severity) (--no-lint): ") + finding.renderedText()) } }
        } else {
            try enforceLint(findings)
        }
        // [backup] mode: a backup first, and if it fails the database is not touched.
        let backupMode = request.noBackup ? .off : config.backup.mode
        if backupMode != .off && !plan.applied.isEmpty {
            _ = try await takeMigrationBackup(reason: "before migrate")
        }
        if request.strategy == "swap" {
            return try await swapMigrate(to: target)
        }
        try await rehearseFirst(request, env: env)
        let report = try await withMigrator(lockWait: request.lockWait, allowOutOfOrder: request.allowOutOfOrder) { migrator, _ in
            try await migrator.migrate(to: target)
        }
        if backupMode == .beforeAndAfter && !report.applied.isEmpty {
            await takeBackupAfterMigrate()
        }
        return .direct(report, env)
    }

    /// `--strategy swap`: pause writes, migrate a clone, swap the names.
    private func swapMigrate(to target: MigrationID?) async throws -> MigrateOutcome {
        let env = try self.target()
        guard let driver = try driver(for: env.url) as? any DatabaseSwapping else {
            throw CutoverError(.invalidArgument, "\(env.url.scheme) databases do not support --strategy swap", hint: "use PostgreSQL or SQLite, or migrate directly")
        }
        if !options.quiet { Terminal.err("pausing writes on \(env.url.redacted) and migrating a copy…") }
        let report = try await SwapMigration(
            driver: driver, migrations: try migrations(), configuration: Migrator.Configuration(safety: config.safety),
            logger: logger, events: progressPrinter()
        ).run(source: env.url, to: target)
        return .swap(report, env)
    }

    /// With `rehearse = true` (or `--rehearse`), apply the pending migrations to a clone
    /// first; a failure there stops the run before the real database is touched. A clone
    /// whose schema differs from its migrations (drift on the target) is a warning here;
    /// `cutover rehearse` makes it a finding.
    private func rehearseFirst(_ request: MigrateRequest, env: Target) async throws {
        guard request.rehearse ?? config.environments[env.environment]?.rehearse ?? false else { return }
        if !options.quiet { Terminal.err("rehearsing on a clone of \(env.environment) first") }
        let outcome = try await RehearsalRunner(context: self).rehearse(env, strategy: .automatic, keep: false)
        if !options.json && !options.quiet { RehearsalOutput.print(outcome, target: env) }
        if var failure = outcome.report.failure {
            failure.message = "rehearsal failed, so \(env.environment) was not touched: " + failure.message
            throw failure
        }
        if !options.quiet, let drift = outcome.report.drift, drift.hasDrift {
            Terminal.err(Terminal.yellow("warning: ") + "\(env.environment) differs from its migrations (\(DriftOutput.verdict(drift, target: env))); migrating anyway")
        }
    }
}
