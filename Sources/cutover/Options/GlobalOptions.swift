import ArgumentParser

/// Options every command that touches a database takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path to cutover.toml (default: the nearest one from the working directory up).", valueName: "path"))
    var config: String?

    @Option(
        name: .long, help: ArgumentHelp("Environment ([env.NAME] in cutover.toml). Without it, DATABASE_URL wins over default_env.", valueName: "name"),
        completion: CompletionCandidates.environments)
    var env: String?

    @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print debug logs (SQL text) on stderr.")
    var verbose = false
}

extension GlobalOptions {
    /// Global options may come before the subcommand (`cutover --config x.toml migrate`), as
    /// in most CLIs; ArgumentParser only reads a subcommand's options after its name, so
    /// move the leading ones behind the command line's other arguments.
    static func movingLeadingGlobals(_ arguments: [String]) -> [String] {
        // Plain arrays and byte checks: this runs before every command, and generic Set and
        // split code costs protocol-conformance lookups at start-up.
        let withValue = ["--config", "--env"]
        let flags = ["--json", "--quiet", "-q", "--verbose", "-v"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let equals = argument.utf8.firstIndex(of: UInt8(ascii: "="))
            let name = equals.map { String(decoding: argument.utf8[..<$0], as: UTF8.self) } ?? argument
            if withValue.contains(name) {
                leading.append(argument)
                if equals == nil, index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 1
                }
            } else if flags.contains(argument) {
                leading.append(argument)
            } else {
                break
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // After the command's own arguments (a group's subcommand included: `cutover --json
        // flag list`), before a `--` that ends the options.
        let rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.count
        return Array(rest[..<end]) + leading + Array(rest[end...])
    }
}
