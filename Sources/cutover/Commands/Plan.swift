import ArgumentParser
import Cutover
import CutoverCore
import CutoverOperations
import Foundation

extension CutoverCommand {
    /// `cutover plan ID`: the SQL an expand/contract migration (`<ID>_<name>.yaml`) would run
    /// in each phase, planned against the database's current tables. Runs nothing.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Print the SQL of an expand/contract migration's start, complete and abort phases (PostgreSQL; runs nothing).",
            discussion: "Reads migrations/<ID>_<name>.yaml and the database's tables, as `cutover start` would now (with the pending migrations before it, on top of those in flight); for a started migration, the plan it stored. Each statement is preceded by the lock it takes.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The migration's id (the number its .yaml file name starts with).")
        var id: String

        @Option(help: "The schema holding the tables.")
        var schema = "public"

        func validate() throws {
            guard MigrationID(id) != nil else { throw ValidationError("the id must be digits, e.g. 20261201120000") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let record = try await context.deployment().planExpandContract(MigrationID(id)!, schema: schema)
                let plan = record.plan
                context.output(.object([
                    ("id", .string(record.id.rawValue)), ("phase", .string(record.phase.rawValue)),
                    ("chain", .array((record.chain.isEmpty ? [record.id] : record.chain).map { .string($0.rawValue) })),
                    ("version_schema", .string(record.versionSchema)),
                    ("start", Self.json(plan.start)), ("complete", Self.json(plan.complete)), ("abort", Self.json(plan.abort)),
                ])) {
                    if record.chain.count > 1 {
                        Terminal.out("-- \(record.chain.map(\.rawValue).joined(separator: ", ")) start as one step (the pending migrations before \(record.id))\n")
                    }
                    Terminal.out(plan.rendered())
                }
            }
        }

        static func json(_ actions: [PlannedAction]) -> JSON {
            .array(actions.map {
                .object([
                    ("kind", .string($0.kind.rawValue)), ("sql", .string($0.sql)), ("lock", .string($0.lock.rawValue)), ("table", .string($0.table)),
                    ("runs_in_transaction", .bool($0.runsInTransaction)),
                ])
            })
        }
    }
}
