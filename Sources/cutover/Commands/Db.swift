import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover db create | drop | wait`: the target database itself.
    struct Db: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Create, drop, or wait for the environment's database (for containers, CI and new machines).",
            subcommands: [Create.self, Drop.self, Wait.self])

        /// `cutover db create`.
        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the database the environment's URL names, unless it exists (PostgreSQL: CREATE DATABASE; SQLite: the file).")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let deployment = try context.deployment()
                    let created = try await deployment.createDatabase()
                    let target = deployment.target
                    context.output(.object([("ok", .bool(true)), ("env", .string(target.environment)), ("database", .string(target.url.redacted)), ("created", .bool(created))])) {
                        Terminal.out(created ? "created \(target.url.redacted)" : "\(target.url.redacted) already exists; nothing changed")
                    }
                }
            }
        }

        /// `cutover db drop`.
        struct Drop: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Drop the environment's database with everything in it (asks on a terminal; --yes for scripts).",
                discussion: "No backup is taken: run `cutover backup` first if the data matters. PostgreSQL refuses while other sessions are connected.")

            @OptionGroup var global: GlobalOptions

            @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation (for scripts).")
            var yes = false

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let deployment = try context.deployment()
                    let target = deployment.target
                    if !yes { try Self.confirm(target) }
                    let dropped = try await deployment.dropDatabase()
                    context.output(.object([("ok", .bool(true)), ("env", .string(target.environment)), ("database", .string(target.url.redacted)), ("dropped", .bool(dropped))])) {
                        Terminal.out(dropped ? "dropped \(target.url.redacted)" : "\(target.url.redacted) does not exist; nothing changed")
                    }
                }
            }

            private static func confirm(_ target: Target) throws {
                try Confirmation.requireTerminal(command: "db drop", hint: "pass --yes to drop \(target.environment)'s database without asking (in scripts)")
                try Confirmation.ask("drop \(target.url.redacted) (env \(target.environment)) and everything in it?", declined: "nothing was dropped")
            }
        }

        /// `cutover db wait`.
        struct Wait: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Wait until the environment's database server accepts connections (exit 4 when --timeout passes).")

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("How long to keep trying (60s, 2m).", valueName: "duration"))
            var timeout = "60s"

            func run() async throws {
                try await CommandContext.run(global) { context in
                    guard let limit = DurationParser.parse(timeout) else {
                        throw CutoverError(.invalidArgument, "--timeout '\(timeout)' is not a duration", hint: "write e.g. 30s, 2m or 500ms")
                    }
                    let deployment = try context.deployment()
                    let target = deployment.target
                    let quiet = global.quiet || global.json
                    let result = try await deployment.waitUntilReachable(timeout: limit) { attempt, error in
                        if !quiet && attempt % 4 == 1 { Terminal.err(Terminal.dim("waiting for \(target.url.redacted): \(error.message)")) }
                    }
                    context.output(.object([
                        ("ok", .bool(true)), ("env", .string(target.environment)), ("database", .string(target.url.redacted)),
                        ("waited_ms", .int(Int(result.waited.milliseconds))), ("attempts", .int(result.attempts)), ("database_missing", .bool(result.databaseMissing)),
                    ])) {
                        Terminal.out("\(target.url.redacted) answers (after \(result.waited.milliseconds) ms)"
                            + (result.databaseMissing ? "; the database does not exist yet: `cutover db create`" : ""))
                    }
                }
            }
        }
    }
}
