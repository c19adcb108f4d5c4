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

        @Flag(inversion: .prefixedNo, help: "Rehearse on a clone first and stop if that fails (default: the env's `rehearse` setting).")
        var rehearse: Bool?

        func validate() throws {
            if let to { _ = try parseMigrationID(to, option: "--to") }
            if let lockWait, DurationParser.parse(lockWait) == nil { throw ValidationError("--lock-wait expects a duration such as 30s, not '\(lockWait)'") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let target = try to.map { try parseMigrationID($0, option: "--to") }
                // [backup] mode: a backup first, and if it fails the database is not touched.
                let backupMode = noBackup || dryRun ? .off : context.config.backup.mode
                if backupMode != .off, try await context.pendingMigrationCount(to: target, allowOutOfOrder: allowOutOfOrder) > 0 {
                    _ = try await context.takeMigrationBackup(reason: "before migrate")
                }
                try await rehearseFirst(context, target: target)
                let (report, env) = try await context.withMigrator(lockWait: lockWait.flatMap(DurationParser.parse), allowOutOfOrder: allowOutOfOrder) { migrator, env in
                    (try await migrator.migrate(to: target, dryRun: dryRun), env)
                }
                if backupMode == .beforeAndAfter && !report.applied.isEmpty {
                    await context.takeBackupAfterMigrate()
                }
                context.output(Self.json(report, env: env)) { Self.print(report, env: env) }
            }
        }

        /// With `rehearse = true` (or `--rehearse`), apply the pending migrations to a clone
        /// first; a failure there stops the run before the real database is touched.
        private func rehearseFirst(_ context: CommandContext, target: MigrationID?) async throws {
            guard !dryRun else { return }
            let env = try context.target()
            guard rehearse ?? context.config.environments[env.environment]?.rehearse ?? false else { return }
            guard try await context.pendingMigrationCount(to: target, allowOutOfOrder: allowOutOfOrder) > 0 else { return }
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
