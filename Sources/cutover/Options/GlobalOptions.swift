import ArgumentParser

/// Options every command that touches a database takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path to cutover.toml (default: the nearest one from the working directory up).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Environment ([env.NAME] in cutover.toml). Without it, DATABASE_URL wins over default_env.", valueName: "name"))
    var env: String?

    @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print debug logs (SQL text) on stderr.")
    var verbose = false
}
