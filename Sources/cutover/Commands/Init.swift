import ArgumentParser
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover init`: writes `cutover.toml` and `migrations/`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create cutover.toml (SQLite by default) and a migrations folder here.")

        @Option(help: ArgumentHelp("Database URL for the dev environment.", valueName: "url"))
        var url = "sqlite:dev.sqlite3"

        @Flag(help: "Print one JSON object on stdout.")
        var json = false

        func run() async throws {
            let directory = FileManager.default.currentDirectoryPath
            let configPath = (directory as NSString).appendingPathComponent("cutover.toml")
            if FileManager.default.fileExists(atPath: configPath) {
                Terminal.err(Terminal.red("error: ") + "\(configPath) already exists")
                Terminal.err(Terminal.yellow("hint: ") + "edit it, or remove it first to start over")
                throw ExitCode(2)
            }
            // cutover.toml goes into the repository: a password never goes into it.
            let written = InitialURL(url)
            let migrations = (directory as NSString).appendingPathComponent("migrations")
            try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
            try Self.template(url: written.text).write(toFile: configPath, atomically: true, encoding: .utf8)
            let ignore = try GitIgnore(folder: directory).adding(Self.ignoredPaths(url: url), comment: "cutover: backups and the local SQLite database")
            if json {
                Terminal.out(JSON.object([
                    ("ok", .bool(true)), ("config", .string(configPath)), ("migrations", .string(migrations)),
                    ("gitignore", .string(ignore.path)), ("gitignore_added", .array(ignore.added.map { .string($0) })),
                    ("password_variable", .string(written.passwordVariable)),
                ]).rendered())
            } else {
                Terminal.out("created \(configPath)\ncreated \(migrations)/")
                if !ignore.added.isEmpty { Terminal.out("\(ignore.existed ? "added to" : "created") \(ignore.path): \(ignore.added.joined(separator: " "))") }
                if let variable = written.passwordVariable {
                    Terminal.out("the password is not written into cutover.toml (it goes into git): env.dev reads it from ${\(variable)}")
                    Terminal.out("export \(variable)='…' (percent-encoded) before running cutover")
                }
                Terminal.out("next: cutover new create_users")
            }
        }

        /// What a repository should not hold: the backup folder, and a local SQLite database
        /// file with its journal files.
        static func ignoredPaths(url: String) -> [String] {
            var paths = ["/backups/"]
            if let database = try? DatabaseURL(url), database.isLocalFile, !database.path.hasPrefix("/"), !database.path.contains("..") {
                let file = "/" + database.path.replacingOccurrences(of: "./", with: "")
                paths += [file, file + "-journal", file + "-wal", file + "-shm"]
            }
            return paths
        }

        static func template(url: String) -> String {
            """
            # Cutover configuration. See the README for every key.
            migrations = "migrations"          # folder of <id>_<name>.sql files
            default_env = "dev"

            [safety]
            lock_timeout = "2s"                # how long a statement may wait for a lock
            statement_timeout = "0"            # "0" = no limit
            lock_retries = 5                   # retries with backoff + jitter after a lock timeout
            lock_wait = "60s"                  # how long to wait for another cutover run

            [env.dev]
            url = "\(url)"

            # [env.production]
            # url = "${DATABASE_URL}"          # ${VAR} is read from the environment

            """
        }
    }
}
