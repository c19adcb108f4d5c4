import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover rollback`: runs down sections, newest first, after a backup and a confirmation.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Run the down sections of the newest applied migrations (default: one).",
            discussion: """
                Down sections usually drop tables or columns: the data in them is lost. So rollback first checks \
                every migration to roll back (a down section without statements is refused unless the file says \
                `-- cutover:down empty`), takes the [backup] mode backup, and asks for confirmation on a terminal. \
                Pass --yes in scripts (without a terminal and without --yes, rollback refuses), --dry-run to see \
                what would be rolled back.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Roll back every migration newer than this id.", valueName: "id"), completion: CompletionCandidates.migrationIDs)
        var to: String?

        @Option(help: ArgumentHelp("Roll back this many migrations.", valueName: "n"))
        var steps: Int?

        @Flag(help: "Show what would be rolled back; change nothing.")
        var dryRun = false

        @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation (for scripts).")
        var yes = false

        @Flag(help: "Skip the backup that [backup] mode would take.")
        var noBackup = false

        func validate() throws {
            if to != nil && steps != nil { throw ValidationError("pass either --to or --steps, not both") }
            if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
            if let to { _ = try parseMigrationID(to, option: "--to") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let target = try to.map { try parseMigrationID($0, option: "--to") }
                let steps = target == nil ? (self.steps ?? 1) : nil
                let deployment = try context.deployment()
                let env = deployment.target
                var options = Deployment.RollbackOptions()
                options.dryRun = true
                let plan = try await deployment.rollback(to: target, steps: steps, options: options, events: context.eventPrinter())
                if dryRun || plan.rolledBack.isEmpty {
                    let shown = dryRun ? plan : RollbackReport()
                    return context.output(Self.json(shown, env: env)) { Self.print(shown, env: env) }
                }
                let backup = noBackup ? Configuration.Backup.Mode.off : context.config.backup.mode
                if !yes { try Self.confirm(plan, env: env, backup: backup) }
                options.dryRun = false
                options.takesBackup = !noBackup
                options.expecting = plan.rolledBack.map(\.id)
                let report = try await deployment.rollback(to: target, steps: steps, options: options, events: context.eventPrinter())
                try context.outputWithSchemaDump(Self.json(report, env: env), dump: report.schemaDump, error: report.schemaDumpError) {
                    Self.print(report, env: env)
                }
            }
        }

        /// Asks on the terminal; without one, refuses (a script must say --yes).
        private static func confirm(_ plan: RollbackReport, env: Target, backup: Configuration.Backup.Mode) throws {
            try Confirmation.requireTerminal(
                command: "rollback", hint: "pass --yes to roll back without asking (in scripts), or --dry-run to see what would be rolled back")
            Terminal.err("about to roll back on \(env.environment) (\(env.url.redacted)), newest first:")
            for item in plan.rolledBack { Terminal.err("  \(item.fileName): \(statements(item.statements)) in its down section") }
            Terminal.err(backup == .off
                ? Terminal.yellow("warning: ") + "no backup is taken first ([backup] mode = off or --no-backup); data the down sections drop is lost"
                : "a backup is taken first ([backup] mode = \(backup.rawValue))")
            try Confirmation.ask(
                "roll back \(plan.rolledBack.count) migration\(plan.rolledBack.count == 1 ? "" : "s")?", declined: "rollback cancelled; nothing was changed")
        }

        private static func statements(_ count: Int) -> String {
            count == 0 ? "no statements (marked `-- cutover:down empty`, or nothing was applied)" : "\(count) statement\(count == 1 ? "" : "s")"
        }

        static func json(_ report: RollbackReport, env: Target) -> JSON {
            .object([
                ("ok", .bool(true)), ("env", .string(env.environment)), ("dry_run", .bool(report.isDryRun)),
                ("backup", .string(report.backup?.id)),
                ("rolled_back", .array(report.rolledBack.map {
                    .object([
                        ("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("file", .string($0.fileName)),
                        ("statements", .int($0.statements)), ("duration_ms", .int($0.durationMilliseconds)),
                    ])
                })),
            ])
        }

        static func print(_ report: RollbackReport, env: Target) {
            if report.rolledBack.isEmpty { return Terminal.out("nothing to roll back on \(env.environment)") }
            if report.isDryRun {
                for item in report.rolledBack { Terminal.out("would roll back \(item.fileName): \(statements(item.statements))") }
                return
            }
            if let backup = report.backup { Terminal.out("backup \(backup.id) taken first (`cutover restore \(backup.id)` brings the data back)") }
            Terminal.out("rolled back \(report.rolledBack.map { "\($0.id)_\($0.name)" }.joined(separator: ", "))")
        }
    }
}
