import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover dump`: the normalised schema into the repository.
    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dump",
            abstract: "Write the database's normalised schema and its applied migration ids to [dump] schema (or --output).",
            discussion: """
                The file lists the schema as DDL in a fixed order, without Cutover's own tables, then one \
                `-- cutover: applied ID_NAME` line per applied migration; two identical databases give the same bytes. \
                With [dump] schema = "schema.sql" in cutover.toml, migrate, rollback and baseline rewrite it too, so a \
                pull request shows the schema change its migrations make. The file is replaced atomically, and left \
                alone when unchanged. Without [dump] schema and without --output, the schema is printed.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write here instead of [dump] schema (relative to the current folder).", valueName: "path"))
        var output: String?

        func run() async throws {
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                let target = deployment.target
                guard output != nil || context.config.schemaDumpPath != nil else {
                    let dump = try await deployment.schemaDump()
                    if context.options.json {
                        Terminal.out(JSON.object([
                            ("ok", .bool(true)), ("env", .string(target.environment)), ("path", .null), ("schema", .string(dump.text)),
                            ("applied", .array(dump.applied.map { .string($0.rawValue) })),
                        ]).rendered())
                    } else {
                        // The schema is this command's result: printed even with --quiet.
                        Terminal.out(String(dump.text.dropLast()))
                    }
                    return
                }
                let result = try await deployment.writeSchemaDump(to: output)
                let path = context.displayPath(result)
                context.output(.object([
                    ("ok", .bool(true)), ("env", .string(target.environment)), ("path", .string(path)), ("written", .bool(result.written)),
                    ("applied", .array(result.applied.map { .string($0.rawValue) })),
                ])) {
                    Terminal.out(result.written ? "wrote \(path)" : "\(path) is up to date")
                }
            }
        }
    }
}
