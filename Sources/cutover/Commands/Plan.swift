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
            discussion: "Reads migrations/<ID>_<name>.yaml and the database's tables; each statement is preceded by the lock it takes.")

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
                let file = try ExpandContractFile.load(id: MigrationID(id)!, folder: context.config.migrationsDirectory)
                let (path, migration) = (file.path, file.migration)
                let deployment = try context.deployment()
                let tables = try await deployment.introspectSchema()
                guard tables.dialect == PostgresDialect().name else {
                    throw CutoverError(.invalidArgument, "expand/contract migrations run on PostgreSQL only", hint: "use a .sql migration for SQLite")
                }
                let operationContext = OperationContext(schema: schema, migrationID: migration.id)
                let plan = try migration.plan(shape: VersionShape(schema: tables, named: schema), context: operationContext)
                context.output(.object([
                    ("id", .string(migration.id.rawValue)), ("file", .string(path)), ("version_schema", .string(operationContext.versionSchema)),
                    ("start", Self.json(plan.start)), ("complete", Self.json(plan.complete)), ("abort", Self.json(plan.abort)),
                ])) {
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
