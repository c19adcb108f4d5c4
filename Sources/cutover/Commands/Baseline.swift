import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover baseline --to ID`: adopt an existing database.
    struct Baseline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "baseline",
            abstract: "Record every migration up to ID as applied without running it (adopt an existing database).")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The newest migration the database already has.", valueName: "id"), completion: CompletionCandidates.migrationIDs)
        var to: String

        func validate() throws { _ = try parseMigrationID(to, option: "--to") }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let target = try parseMigrationID(to, option: "--to")
                let report = try await context.deployment().baseline(to: target, events: context.eventPrinter())
                let adopted = report.adopted
                try context.outputWithSchemaDump(
                    .object([("ok", .bool(true)), ("baselined", .array(adopted.map { .string($0.rawValue) }))]), dump: report.schemaDump, error: report.schemaDumpError
                ) {
                    Terminal.out(adopted.isEmpty ? "nothing to baseline: those migrations are already applied" : "recorded \(adopted.count) migration\(adopted.count == 1 ? "" : "s") as applied (up to \(target)) without running them")
                }
            }
        }
    }
}
