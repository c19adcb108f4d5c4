import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover promote --from staging --to production`: apply to production what staging has.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Apply to one environment (--to) the migrations another (--from) has applied; refuse on drift or diverged history.",
            discussion: """
                Refuses (exit 3) when --to's applied history is not a prefix of --from's (same ids, same \
                checksums, in id order), when a file to promote is missing or changed, or when either \
                environment has drift (its schema differs from what its applied migrations produce). \
                Otherwise migrates --to up to --from's newest applied migration exactly as `cutover migrate \
                --to ID` would (lint, [backup] mode, rehearse = true), then compares the two schemas: exit 3 \
                when they still differ. --dry-run runs the checks and shows the plan.
                Exit codes: 0 promoted (or nothing to do) · 1 a migration failed · 2 bad input · 3 refused \
                or schemas differ · 4 could not connect.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The environment to promote from (e.g. staging).", valueName: "env"))
        var from: String

        @Option(help: ArgumentHelp("The environment to promote to (e.g. production).", valueName: "env"))
        var to: String

        @Flag(help: "Run the checks and show what would be applied; change nothing.")
        var dryRun = false

        @Flag(help: "Skip the backup that [backup] mode would take of --to.")
        var noBackup = false

        @Flag(help: "Apply even when lint finds errors (they are still printed).")
        var noLint = false

        @Flag(inversion: .prefixedNo, help: "Rehearse on a clone of --to first (default: its `rehearse` setting).")
        var rehearse: Bool?

        @Option(help: ArgumentHelp("Wait at most this long for another run's lock; overrides [safety] lock_wait.", valueName: "duration"))
        var lockWait: String?

        func validate() throws {
            guard from != to else { throw ValidationError("--from and --to name the same environment '\(from)'") }
            if let env = global.env { throw ValidationError("promote names its environments with --from and --to; drop --env \(env)") }
            if let lockWait { _ = try parseDurationOption(lockWait, option: "--lock-wait") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let sourceContext = context.selecting(env: from)
                let targetContext = context.selecting(env: to)
                let source = try sourceContext.target()
                let target = try targetContext.target()
                guard try context.driver(for: source.url).schemes == context.driver(for: target.url).schemes else {
                    throw CutoverError(
                        .dialectMismatch, "cannot promote from \(from) (\(source.url.scheme)) to \(to) (\(target.url.scheme))",
                        hint: "promote moves migrations between databases of the same kind")
                }

                // 1. History: the target must be behind the source on the same line.
                let plan = try PromotionPlan(
                    source: try await sourceContext.withMigrator { migrator, _ in try await migrator.historyRecords() },
                    target: try await targetContext.withMigrator { migrator, _ in try await migrator.historyRecords() },
                    migrations: try context.migrations(), sourceName: from, targetName: to)
                try await checkMigratePlan(plan, targetContext: targetContext)

                // 2. Drift on either side.
                let sourceDrift = try await context.checkDrift(source)
                let targetDrift = try await context.checkDrift(target)
                let drifting = [(source, sourceDrift), (target, targetDrift)].filter { $0.1.hasDrift }
                if let env = drifting.first?.0 {
                    let error = CutoverError(
                        .schemasDiffer,
                        "refusing to promote: \(drifting.map { "\($0.0.environment) differs from its migrations (\($0.1.differenceCount) difference\($0.1.differenceCount == 1 ? "" : "s"))" }.joined(separator: " and "))",
                        hint: "see `\(DriftOutput.diffCommand(env))`; add a migration for the change or undo it, then promote again")
                    if global.json {
                        Terminal.out(json(plan, source: source, target: target, drifts: (sourceDrift, targetDrift), report: nil, comparison: nil, error: error).rendered())
                    } else {
                        for (env, drift) in drifting where !global.quiet {
                            SchemaDiffOutput.print(drift.diff, script: nil, from: "migrations (the \(drift.applied.count) applied on \(env.environment))", to: "\(env.environment) (\(env.url.redacted))", quiet: false)
                        }
                        CommandContext.report(error, options: global)
                    }
                    throw ExitCode(3)
                }

                // 3. Migrate the target exactly as `cutover migrate --to LAST` would.
                var report: MigrateReport?
                if let last = plan.last, !plan.pending.isEmpty, !dryRun {
                    var options = Deployment.MigrateOptions()
                    options.lockWait = try lockWait.map { try parseDurationOption($0, option: "--lock-wait") }
                    options.takesBackup = !noBackup
                    options.enforcesLint = !noLint
                    options.rehearse = rehearse
                    let applied = try await targetContext.runMigrate(to: last, options: options).migrate
                    report = applied
                }

                // 4. Afterwards the two schemas must be the same.
                var comparison: SchemaDiff?
                if !dryRun {
                    async let sourceSchema = context.introspectSchema(of: source)
                    async let targetSchema = context.introspectSchema(of: target)
                    comparison = SchemaDiff(from: try await targetSchema, to: try await sourceSchema)
                }
                let differs = comparison.map { !$0.isEmpty } ?? false
                let error = differs
                    ? CutoverError(
                        .schemasDiffer, "after promotion \(to)'s schema still differs from \(from)'s",
                        hint: "see `cutover diff \(to) \(from)`; the histories match, so the difference came from outside the migrations")
                    : nil
                if global.json {
                    Terminal.out(json(plan, source: source, target: target, drifts: (sourceDrift, targetDrift), report: report, comparison: comparison, error: error).rendered())
                } else if !global.quiet {
                    print(plan, source: source, target: target, report: report, comparison: comparison)
                }
                if let error {
                    if !global.json { CommandContext.report(error, options: global) }
                    throw ExitCode(3)
                }
            }
        }

        /// What `migrate --to LAST` would apply on the target must be exactly the promoted
        /// migrations: a local file staging never applied (pending or out of order there), or
        /// a failed row of the target's, would otherwise slip through.
        private func checkMigratePlan(_ plan: PromotionPlan, targetContext: CommandContext) async throws {
            guard let last = plan.last, !plan.pending.isEmpty else { return }
            let wouldApply = try await targetContext.withMigrator(allowOutOfOrder: true) { migrator, _ in
                try await migrator.migrate(to: last, dryRun: true).applied.map(\.id)
            }
            let extra = wouldApply.filter { !plan.pending.contains($0) }
            if !extra.isEmpty {
                throw CutoverError(
                    .historyMismatch,
                    "cannot promote: migrating \(to) up to \(last) would also apply \(extra.map(\.rawValue).joined(separator: ", ")), which \(from) has not applied",
                    hint: "apply \(extra.count == 1 ? "it" : "them") on \(from) first (`cutover migrate --env \(from)`), or remove the file\(extra.count == 1 ? "" : "s")",
                    migrationID: extra.first)
            }
        }

        // MARK: - Output

        func print(_ plan: PromotionPlan, source: Target, target: Target, report: MigrateReport?, comparison: SchemaDiff?) {
            Terminal.out("history: \(to) has \(plan.targetApplied.count) of the \(plan.sourceApplied.count) migrations applied on \(from); no drift on either")
            if plan.pending.isEmpty {
                Terminal.out("\(to) already has every migration \(from) has")
            } else if dryRun {
                Terminal.out("dry run: would apply \(plan.pending.count) migration\(plan.pending.count == 1 ? "" : "s") to \(to), up to \(plan.last!):")
                for id in plan.pending { Terminal.out("  \(id)") }
            } else if let report {
                Terminal.out("promoted \(report.applied.count) migration\(report.applied.count == 1 ? "" : "s") from \(from) to \(to): \(report.applied.map { "\($0.id)_\($0.name)" }.joined(separator: ", "))")
            }
            if let comparison {
                if comparison.isEmpty {
                    Terminal.out("the schemas of \(to) and \(from) are identical")
                } else {
                    SchemaDiffOutput.print(comparison, script: nil, from: "\(to) (\(target.url.redacted))", to: "\(from) (\(source.url.redacted))", quiet: false)
                }
            }
        }

        func json(
            _ plan: PromotionPlan, source: Target, target: Target, drifts: (DriftReport, DriftReport), report: MigrateReport?,
            comparison: SchemaDiff?, error: CutoverError?
        ) -> JSON {
            func side(_ env: Target, applied: [MigrationID], drift: DriftReport) -> JSON {
                .object([
                    ("env", .string(env.environment)), ("database", .string(env.url.redacted)),
                    ("applied", .array(applied.map { .string($0.rawValue) })), ("drift", DriftOutput.json(drift, target: env)),
                ])
            }
            var members: [(String, JSON)] = [
                ("ok", .bool(error == nil)), ("dry_run", .bool(dryRun)),
                ("from", side(source, applied: plan.sourceApplied, drift: drifts.0)),
                ("to", side(target, applied: plan.targetApplied, drift: drifts.1)),
                ("migrations", .array(plan.pending.map { .string($0.rawValue) })),
                ("applied", .array((report?.applied ?? []).map { item in
                    .object([("id", .string(item.id.rawValue)), ("name", .string(item.name)), ("duration_ms", .int(item.durationMilliseconds))])
                })),
                ("identical", comparison.map { .bool($0.isEmpty) } ?? .null),
                ("changes", comparison.map(SchemaDiffOutput.changes) ?? .array([])),
            ]
            if let error {
                members.append(("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.message)), ("hint", .string(error.hint))])))
                members.append(("exit_code", .int(Int(error.exitCode))))
            }
            return .object(members)
        }
    }
}
