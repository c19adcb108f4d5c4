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

        @Option(help: ArgumentHelp("The environment to promote from (e.g. staging).", valueName: "env"), completion: CompletionCandidates.environments)
        var from: String

        @Option(help: ArgumentHelp("The environment to promote to (e.g. production).", valueName: "env"), completion: CompletionCandidates.environments)
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
                let source = try context.selecting(env: from).deployment()
                let target = try context.selecting(env: to).deployment()
                var options = Deployment.MigrateOptions()
                options.lockWait = try lockWait.map { try parseDurationOption($0, option: "--lock-wait") }
                options.takesBackup = !noBackup
                options.enforcesLint = !noLint
                options.rehearse = rehearse
                let report = try await target.promote(from: source, dryRun: dryRun, options: options, events: context.eventPrinter(rehearsingFirst: target.target))
                // A refusal is the error to report; a schema file not written comes after.
                let dumpError = report.refusal == nil ? report.schemaDumpError : nil
                if global.json {
                    Terminal.out(context.jsonWithSchemaDump(json(report), dump: report.schemaDump, error: dumpError).rendered())
                } else if report.comparison == nil, report.refusal != nil {
                    // Refused for drift: show each drifting side's differences.
                    for (env, drift) in [(report.source, report.sourceDrift), (report.target, report.targetDrift)] where drift.hasDrift && !global.quiet {
                        SchemaDiffOutput.print(drift.diff, script: nil, from: "migrations (the \(drift.applied.count) applied on \(env.environment))", to: "\(env.environment) (\(env.url.redacted))", quiet: false)
                    }
                } else if !global.quiet {
                    print(report)
                }
                if let refusal = report.refusal {
                    if !global.json { CommandContext.report(refusal, options: global) }
                    throw ExitCode(3)
                }
                try context.failForSchemaDump(dumpError)
            }
        }

        // MARK: - Output

        func print(_ promotion: PromotionReport) {
            let (plan, source, target, report, comparison) = (promotion.plan, promotion.source, promotion.target, promotion.migrate, promotion.comparison)
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

        func json(_ promotion: PromotionReport) -> JSON {
            let (plan, source, target, report, comparison, error) = (promotion.plan, promotion.source, promotion.target, promotion.migrate, promotion.comparison, promotion.refusal)
            let drifts = (promotion.sourceDrift, promotion.targetDrift)
            func side(_ env: Target, applied: [MigrationID], drift: DriftReport) -> JSON {
                .object([
                    ("env", .string(env.environment)), ("database", .string(env.url.redacted)), ("url_source", .string(env.source)),
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
