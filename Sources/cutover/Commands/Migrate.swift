import ArgumentParser
import Cutover
import CutoverCore
import CutoverOperations

extension CutoverCommand {
    /// `cutover migrate`: applies pending migrations.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply pending migrations in id order, each in its own transaction; stop at the first error.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Apply up to and including this migration id.", valueName: "id"), completion: CompletionCandidates.migrationIDs)
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
            guard Deployment.Strategy(rawValue: strategy) != nil else { throw ValidationError("--strategy must be direct or swap, not '\(strategy)'") }
            if strategy == "swap" && dryRun { throw ValidationError("--dry-run shows the plan; drop --strategy swap to see it") }
            if let lockWait { _ = try parseDurationOption(lockWait, option: "--lock-wait") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                var options = Deployment.MigrateOptions()
                options.dryRun = dryRun
                options.allowOutOfOrder = allowOutOfOrder
                options.lockWait = try lockWait.map { try parseDurationOption($0, option: "--lock-wait") }
                options.takesBackup = !noBackup
                options.enforcesLint = !noLint
                options.rehearse = rehearse
                options.strategy = Deployment.Strategy(rawValue: strategy) ?? .direct
                let report = try await context.runMigrate(to: try to.map { try parseMigrationID($0, option: "--to") }, options: options)
                if let swap = report.swap {
                    try context.outputWithSchemaDump(Self.json(swap: swap, env: report.target), dump: report.schemaDump, error: report.schemaDumpError) {
                        Self.print(swap: swap, env: report.target)
                    }
                } else {
                    var json = Self.json(report.migrate, env: report.target)
                    if !report.expandContractPreview.isEmpty, case .object(var members) = json {
                        members.append(("expand_contract", .array(report.expandContractPreview.map(Self.json(preview:)))))
                        json = .object(members)
                    }
                    if !report.expandContract.isEmpty || report.waitingForCompletion != nil, case .object(var members) = json {
                        members.append(("expand_contract", .array(report.expandContract.map { .object([("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("phase", .string($0.phase.rawValue))]) })))
                        members.append(("waiting_for_complete", .string(report.waitingForCompletion?.id.rawValue)))
                        json = .object(members)
                    }
                    try context.outputWithSchemaDump(json, dump: report.schemaDump, error: report.schemaDumpError) {
                        if (report.expandContract.isEmpty && report.waitingForCompletion == nil) || !report.migrate.applied.isEmpty { Self.print(report.migrate, env: report.target) }
                        for preview in report.expandContractPreview { Terminal.out(Self.line(preview)) }
                        for record in report.expandContract {
                            Terminal.out("ran \(record.id)_\(record.name).yaml start to complete (expand/contract)")
                        }
                        if let waiting = report.waitingForCompletion {
                            Terminal.out("\(waiting.id)_\(waiting.name).yaml is \(waiting.phase): run `cutover complete \(waiting.id)` once no instance of the old version is left")
                        }
                    }
                }
            }
        }

        /// A dry run's line for a `.yaml` migration.
        static func line(_ preview: ExpandContractPreview) -> String {
            let file = "\(preview.id)_\(preview.name).yaml"
            guard preview.phase.rawValue == "pending" else {
                return preview.runBy == .start
                    ? "\(file) is \(preview.phase) (started by `cutover start`): migrate would wait for `cutover complete \(preview.id)`"
                    : "would finish \(file) (\(preview.phase)): the rest of its phases"
            }
            guard let plan = preview.plan else { return "would run \(file) start to complete after the migrations before it (`cutover plan \(preview.id)` once they have run)" }
            let statements = { (actions: [PlannedAction]) in actions.filter { $0.kind == .statement }.count }
            let backfills = plan.start.compactMap(\.backfillTable)
            return "would run \(file) start to complete: \(statements(plan.start)) statements\(backfills.isEmpty ? "" : ", a backfill of \(backfills.joined(separator: ", "))"), then \(statements(plan.complete)); each alone under lock_timeout (`cutover plan \(preview.id)` prints them)"
        }

        static func json(preview: ExpandContractPreview) -> JSON {
            .object([
                ("id", .string(preview.id.rawValue)), ("name", .string(preview.name)), ("phase", .string(preview.phase.rawValue)),
                ("start_statements", .int(preview.plan.map { $0.start.filter { $0.kind == .statement }.count })),
                ("backfills", .array((preview.plan?.start.compactMap(\.backfillTable) ?? []).map { .string($0) })),
                ("complete_statements", .int(preview.plan.map { $0.complete.filter { $0.kind == .statement }.count })),
            ])
        }

        static func json(swap report: SwapMigration.Report, env: Target) -> JSON {
            .object([
                ("ok", .bool(true)), ("env", .string(env.environment)), ("database", .string(env.url.redacted)),
                ("url_source", .string(env.source)), ("strategy", .string("swap")),
                ("applied", .array(report.applied.map { .string($0.rawValue) })),
                ("old_database", .string(report.oldDatabase?.redacted)), ("old_database_protection", .string(report.oldDatabaseProtection)), ("clone_strategy", .string(report.cloneStrategy?.rawValue)),
                ("writes_paused_ms", .int(report.pausedMilliseconds)),
            ])
        }

        static func print(swap report: SwapMigration.Report, env: Target) {
            if let old = report.oldDatabase {
                Terminal.out("applied \(report.applied.count) migration\(report.applied.count == 1 ? "" : "s") on a copy and swapped it in; writes were paused for \(report.pausedMilliseconds) ms")
                Terminal.out("the database from before is kept at \(old.redacted): \(report.oldDatabaseProtection ?? "not checked")")
            } else {
                Terminal.out("\(env.environment) is up to date")
            }
        }

        static func json(_ report: MigrateReport, env: Target) -> JSON {
            .object([
                ("ok", .bool(true)), ("env", .string(env.environment)), ("database", .string(env.url.redacted)),
                ("url_source", .string(env.source)), ("dry_run", .bool(report.isDryRun)),
                ("applied", .array(report.applied.map { item in
                    .object([
                        ("id", .string(item.id.rawValue)), ("name", .string(item.name)), ("statements", .int(item.statements)),
                        ("transactional", .bool(item.isTransactional)), ("duration_ms", .int(item.durationMilliseconds)),
                        ("resumed_at_statement", .int(item.resumedAt > 0 ? item.resumedAt + 1 : nil)),
                    ])
                })),
                ("skipped", .array(report.skipped.map { .string($0.rawValue) })),
                ("stops_before_draft", .string(report.stoppedAtDraft?.fileName)),
            ])
        }

        static func print(_ report: MigrateReport, env: Target) {
            if report.isDryRun {
                if report.applied.isEmpty { Terminal.out("dry run: nothing to apply on \(env.environment)") }
                for item in report.applied {
                    let mode = item.isTransactional ? "" : " [no-transaction\(item.resumedAt > 0 ? ", resumes at statement \(item.resumedAt + 1)" : "")]"
                    let count = item.statements == 0 ? "no statements (a no-op, recorded as applied)" : "\(item.statements) statement\(item.statements == 1 ? "" : "s")"
                    Terminal.out("would apply \(item.id)_\(item.name): \(count)\(mode)")
                }
                if let draft = report.stoppedAtDraft {
                    Terminal.out("would stop before \(draft.fileName): a draft, not written yet (\(draft.draft?.fix ?? "finish it"))")
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
