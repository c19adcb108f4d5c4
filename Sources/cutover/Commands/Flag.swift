import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover flag list | get | set | delete`: run-time switches in the target's `flags` table.
    struct FlagCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flag",
            abstract: "Run-time switches that applications read (CutoverRuntime's FeatureFlags): list, get, set, delete.",
            discussion: """
                A switch with --requires ID cannot be turned on before that migration is applied to the database: a trigger on the \
                table refuses it, so a hand-written UPDATE is refused too. --percent N turns it on for a stable N % of keys.
                """,
            subcommands: [List.self, Get.self, Set.self, Delete.self])

        /// `cutover flag list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List every switch of the environment's database.")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let flags = try await context.deployment().flags()
                    context.output(.object([("ok", .bool(true)), ("flags", .array(flags.map(FlagOutput.json)))])) {
                        if flags.isEmpty { Terminal.out("no switches (set one with `cutover flag set NAME on`)") }
                        for flag in flags { Terminal.out(FlagOutput.line(flag)) }
                    }
                }
            }
        }

        /// `cutover flag get NAME`.
        struct Get: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one switch (exit 2 when it was never set).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The switch.") var name: String

            func run() async throws {
                try await CommandContext.run(global) { context in
                    guard let flag = try await context.deployment().flag(named: name) else {
                        throw CutoverError(.invalidArgument, "no switch \"\(name)\" in this database", hint: "`cutover flag list` shows the switches there are")
                    }
                    context.output(.object([("ok", .bool(true)), ("flag", FlagOutput.json(flag))])) { Terminal.out(FlagOutput.line(flag)) }
                }
            }
        }

        /// `cutover flag set NAME on|off`.
        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Turn a switch on or off, creating it when missing.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The switch.") var name: String
            @Argument(help: "on or off.") var state: FlagState
            @Option(help: "The migration that must be applied before the switch can be on.") var requires: String?
            @Flag(help: "Remove the switch's requirement.") var noRequires = false
            @Option(help: "Turn it on for this stable share of keys (0-100); 100 for all.") var percent: Int?

            func run() async throws {
                try await CommandContext.run(global) { context in
                    var required: MigrationID?
                    if let requires {
                        guard let id = MigrationID(requires) else {
                            throw CutoverError(.invalidArgument, "--requires takes a migration id (the digits a migration file's name starts with), not \"\(requires)\"", hint: "for example --requires 20261124130000")
                        }
                        required = id
                    }
                    let flag = try await context.deployment().setFlag(name, enabled: state == .on, requires: required, clearRequires: noRequires, percent: percent)
                    context.output(.object([("ok", .bool(true)), ("flag", FlagOutput.json(flag))])) { Terminal.out(FlagOutput.line(flag)) }
                }
            }
        }

        /// `cutover flag delete NAME`.
        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a switch (applications then read it as off).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The switch.") var name: String

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let deleted = try await context.deployment().deleteFlag(name)
                    context.output(.object([("ok", .bool(true)), ("name", .string(name)), ("deleted", .bool(deleted))])) {
                        Terminal.out(deleted ? "deleted \(name)" : "no switch \"\(name)\"; nothing changed")
                    }
                }
            }
        }
    }

    /// `cutover maintenance on | off | status`: the built-in `maintenance` switch.
    struct Maintenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "maintenance",
            abstract: "Turn the built-in `maintenance` switch on or off (applications read it to serve a read-only page), or show it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "on, off or status.") var state: MaintenanceState = .status

        enum MaintenanceState: String, ExpressibleByArgument, CaseIterable { case on, off, status }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                let flag = state == .status
                    ? try await deployment.flag(named: FeatureFlag.maintenance) ?? FeatureFlag(name: FeatureFlag.maintenance, isEnabled: false)
                    : try await deployment.setMaintenance(state == .on)
                context.output(.object([("ok", .bool(true)), ("maintenance", .bool(flag.isEnabled)), ("flag", FlagOutput.json(flag))])) {
                    Terminal.out("maintenance \(flag.isEnabled ? "on" : "off")")
                }
            }
        }
    }
}

/// `on` / `off`.
enum FlagState: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

/// How a switch is printed.
enum FlagOutput {
    static func json(_ flag: FeatureFlag) -> JSON {
        .object([
            ("name", .string(flag.name)), ("enabled", .bool(flag.isEnabled)),
            ("requires", flag.requires.map { .string($0.rawValue) } ?? .null), ("percent", flag.percent.map { .int($0) } ?? .null),
            ("updated_at", .string(flag.updatedAt)), ("updated_by", .string(flag.updatedBy)),
        ])
    }

    static func line(_ flag: FeatureFlag) -> String {
        var parts = ["\(flag.name) \(flag.isEnabled ? "on" : "off")"]
        if let percent = flag.percent { parts.append("for \(percent) % of keys") }
        if let requires = flag.requires { parts.append("requires \(requires.rawValue)") }
        parts.append("(\(flag.updatedAt) by \(flag.updatedBy))")
        return parts.joined(separator: " ")
    }
}
