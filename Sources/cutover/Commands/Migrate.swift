import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover migrate`: applies pending migrations.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations in id order, each in its own transaction; stop at the first error.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Apply up to and including this migration id.", valueName: "id"))
        var to: String?

        @Flag(help: "Show what would be applied; change nothing.")
        var dryRun = false

        @Flag(help: "Apply pending migrations older than the newest applied one.")
        var allowOutOfOrder = false

        @Option(help: ArgumentHelp("Wait at most this long for another run's lock (e.g. 30s); overrides [safety] lock_wait.", valueName: "duration"))
        var lockWait: String?

        @Flag(help: "Skip the backup that [backup] mode would take.")
        var noBackup = false

        @Flag(help: "Apply even when lint finds errors (they are still printed). For emergencies; prefer -- cutover:allow RULE.")
        var noLint = false

        @Option(help: ArgumentHelp("direct (default), or swap: pause writes, migrate a clone, swap the names; the old database is kept as <name>_before_<id>.", valueName: "strategy"))
        var strategy = "direct"

        @Flag(inversion: .prefixedNo, help: "Rehearse on a clone first and stop if that fails (default: the env's `rehearse` setting).")
        var rehearse: Bool?

        func validate() throws {
            if let to { _ = try parseMigrationID(to, option: "--to") }
            guard ["direct", "swap"].contains(strategy) else { throw ValidationError("--strategy must be direct or swap, not '\(strategy)'") }
            if strategy == "swap" && dryRun { throw ValidationError("--dry-run shows the plan; drop --strategy swap to see it") }
            if let lockWait, DurationParser.parse(lockWait) == nil { throw ValidationError("--lock-wait expects a duration such as 30s, not '\(lockWait)'") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let target = try to.map { try parseMigrationID($0, option: "--to") }
                let lockWait = lockWait.flatMap(DurationParser.parse)
                // One session reads the plan and lints it; a run with nothing to apply (the
                // common case on every deploy) ends in that session.
                let (plan, findings, noOp) = try await context.withMigrator(lockWait: lockWait, allowOutOfOrder: allowOutOfOrder) { migrator, _ in
                    let plan = try await migrator.migrate(to: target, dryRun: true)
                    let findings = context.lint(plan, of: migrator)
                    guard plan.applied.isEmpty, !dryRun, strategy == "direct" else { return (plan, findings, MigrateReport?.none) }
                    // Nothing pending: the real run only puts the history table in place.
                    return (plan, findings, try await migrator.migrate(to: target))
                }
                let env = try context.target()
                if let report = noOp ?? (dryRun ? plan : nil) {
                    if dryRun { Self.printDryRunLint(findings, quiet: global.quiet || global.json) }
                    context.output(Self.json(report, env: env)) { Self.print(report, env: env) }
                    return
                }
                if noLint {
                    if !global.quiet { for finding in findings { Terminal.err(Terminal.yellow("lint \(finding.severity) (--no-lint): ") + finding.renderedText()) } }
                } else {
                    try context.enforceLint(findings)
                }
                // [backup] mode: a backup first, and if it fails the database is not touched.
                let backupMode = noBackup ? .off : context.config.backup.mode
                if backupMode != .off && !plan.applied.isEmpty {
                    _ = try await context.takeMigrationBackup(reason: "before migrate")
                }
                if strategy == "swap" {
                    try await Self.swap(context, target: target)
                    return
                }
                try await rehearseFirst(context, env: env)
                let report = try await context.withMigrator(lockWait: lockWait, allowOutOfOrder: allowOutOfOrder) { migrator, _ in
                    try await migrator.migrate(to: target)
                }
                if backupMode == .beforeAndAfter && !report.applied.isEmpty {
                    await context.takeBackupAfterMigrate()
                }
                context.output(Self.json(report, env: env)) { Self.print(report, env: env) }
            }
        }

        /// A dry run lints what it would apply and says so, without stopping.
        private static func printDryRunLint(_ findings: [LintFinding], quiet: Bool) {
            guard !quiet else { return }
            for finding in findings { Terminal.err(Terminal.yellow("lint \(finding.severity) (dry run): ") + finding.renderedText()) }
        }

        /// `--strategy swap`: pause writes, migrate a clone, swap the names.
        private static func swap(_ context: CommandContext, target: MigrationID?) async throws {
            let env = try context.target()
            guard let driver = try context.driver(for: env.url) as? any DatabaseSwapping else {
                throw CutoverError(.invalidArgument, "\(env.url.scheme) databases do not support --strategy swap", hint: "use PostgreSQL or SQLite, or migrate directly")
            }
            if !context.options.quiet { Terminal.err("pausing writes on \(env.url.redacted) and migrating a copy…") }
            let report = try await SwapMigration(
                driver: driver, migrations: try context.migrations(), configuration: Migrator.Configuration(safety: context.config.safety),
                logger: context.logger, events: context.progressPrinter()
            ).run(source: env.url, to: target)
            context.output(.object([
                ("ok", .bool(true)), ("env", .string(env.environment)), ("strategy", .string("swap")),
                ("applied", .array(report.applied.map { .string($0.rawValue) })),
                ("old_database", .string(report.oldDatabase?.redacted)), ("clone_strategy", .string(report.cloneStrategy?.rawValue)),
                ("writes_paused_ms", .int(report.pausedMilliseconds)),
            ])) {
                if let old = report.oldDatabase {
                    Terminal.out("applied \(report.applied.count) migration\(report.applied.count == 1 ? "" : "s") on a copy and swapped it in; writes were paused for \(report.pausedMilliseconds) ms")
                    Terminal.out("the database from before is kept, read-only, at \(old.redacted)")
                } else {
                    Terminal.out("\(env.environment) is up to date")
                }
            }
        }

        /// With `rehearse = true` (or `--rehearse`), apply the pending migrations to a clone
        /// first; a failure there stops the run before the real database is touched.
        private func rehearseFirst(_ context: CommandContext, env: Target) async throws {
            guard rehearse ?? context.config.environments[env.environment]?.rehearse ?? false else { return }
            if !global.quiet { Terminal.err("rehearsing on a clone of \(env.environment) first") }
            let outcome = try await RehearsalRunner(context: context).rehearse(env, strategy: .automatic, keep: false)
            if !global.json && !global.quiet { RehearsalOutput.print(outcome, target: env) }
            if var failure = outcome.report.failure {
                failure.message = "rehearsal failed, so \(env.environment) was not touched: " + failure.message
                throw failure
            }
        }

        static func json(_ report: MigrateReport, env: Target) -> JSON {
            .object([
                ("ok", .bool(true)), ("env", .string(env.environment)), ("database", .string(env.url.redacted)),
                ("dry_run", .bool(report.isDryRun)),
                ("applied", .array(report.applied.map { item in
                    .object([
                        ("id", .string(item.id.rawValue)), ("name", .string(item.name)), ("statements", .int(item.statements)),
                        ("transactional", .bool(item.isTransactional)), ("duration_ms", .int(item.durationMilliseconds)),
                        ("resumed_at_statement", .int(item.resumedAt > 0 ? item.resumedAt + 1 : nil)),
                    ])
                })),
                ("skipped", .array(report.skipped.map { .string($0.rawValue) })),
            ])
        }

        static func print(_ report: MigrateReport, env: Target) {
            if report.isDryRun {
                if report.applied.isEmpty { Terminal.out("dry run: nothing to apply on \(env.environment)") }
                for item in report.applied {
                    let mode = item.isTransactional ? "" : " [no-transaction\(item.resumedAt > 0 ? ", resumes at statement \(item.resumedAt + 1)" : "")]"
                    Terminal.out("would apply \(item.id)_\(item.name): \(item.statements) statement\(item.statements == 1 ? "" : "s")\(mode)")
                }
                return
            }
            if report.applied.isEmpty {
                Terminal.out("\(env.environment) is up to date")
            } else {
                let total = report.applied.compactMap(\.durationMilliseconds).reduce(0, +)
                Terminal.out("applied \(report.applied.count) migration\(report.applied.count == 1 ? "" : "s") to \(env.environment) in \(total) ms")
            }
        }
    }
}
