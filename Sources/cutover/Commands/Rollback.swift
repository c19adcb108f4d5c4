import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover rollback`: runs down sections, newest first.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Run the down sections of the newest applied migrations (default: one).",
            discussion: "Down sections usually drop tables or columns: the data in them is lost.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Roll back every migration newer than this id.", valueName: "id"))
        var to: String?

        @Option(help: ArgumentHelp("Roll back this many migrations.", valueName: "n"))
        var steps: Int?

        func validate() throws {
            if to != nil && steps != nil { throw ValidationError("pass either --to or --steps, not both") }
            if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
            if let to { _ = try parseMigrationID(to, option: "--to") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let target = try to.map { try parseMigrationID($0, option: "--to") }
                let (report, env) = try await context.withMigrator { migrator, env in
                    (try await migrator.rollback(to: target, steps: target == nil ? (steps ?? 1) : nil), env)
                }
                context.output(.object([
                    ("ok", .bool(true)), ("env", .string(env.environment)),
                    ("rolled_back", .array(report.rolledBack.map {
                        .object([("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("duration_ms", .int($0.durationMilliseconds))])
                    })),
                ])) {
                    Terminal.out(report.rolledBack.isEmpty ? "nothing to roll back" : "rolled back \(report.rolledBack.map { "\($0.id)_\($0.name)" }.joined(separator: ", "))")
                }
            }
        }
    }
}
