import CutoverCore
import Foundation

/// Finds and reads `cutover.toml`, and picks the database to work on.
///
/// ```swift
/// let config = try ConfigurationLoader().load(explicitPath: nil)
/// let target = try ConfigurationLoader().target(in: config, env: nil, environment: ProcessInfo.processInfo.environment)
/// ```
public struct ConfigurationLoader: Sendable {
    /// The file name looked for in the working directory and its parents.
    public static let fileName = "cutover.toml"

    /// A loader; it keeps no state.
    public init() {}

    /// Loads `explicitPath`, or the nearest `cutover.toml` from `directory` upwards.
    ///
    /// Relative paths in the file (`migrations`, `[backup] dir`, `sqlite:` URLs) are
    /// resolved against the file's folder, so the result does not depend on the working
    /// directory.
    ///
    /// ```swift
    /// let config = try ConfigurationLoader().load(explicitPath: "/srv/shop/cutover.toml")
    /// print(config.migrationsDirectory)  // /srv/shop/migrations
    /// ```
    ///
    /// - Parameters:
    ///   - explicitPath: the file to read (`--config`); nil searches from `directory` upwards.
    ///   - directory: where a relative `explicitPath` and the search start.
    /// - Returns: the parsed configuration.
    /// - Throws: `CutoverError` `.invalidConfig` when no file is found or it is invalid,
    ///   naming the file and line.
    public func load(explicitPath: String?, from directory: String = FileManager.default.currentDirectoryPath) throws -> Configuration {
        let path: String
        if let explicitPath {
            path = Paths.resolve(explicitPath, against: directory)
            guard FileManager.default.fileExists(atPath: path) else {
                throw CutoverError(.invalidConfig, "config file '\(explicitPath)' does not exist", hint: "check the --config path, or run `cutover init` to create one")
            }
        } else {
            guard let found = find(from: directory) else {
                throw CutoverError(
                    .invalidConfig, "no \(Self.fileName) in '\(directory)' or any parent folder",
                    hint: "run `cutover init` to create one, or pass --config PATH")
            }
            path = found
        }
        // Only a regular file is opened: a FIFO named cutover.toml would block forever.
        let text = try RegularFile.readText(path, code: .invalidConfig)
        let base = (path as NSString).deletingLastPathComponent
        return try ConfigurationParser().parse(text, file: path, baseDirectory: base.isEmpty ? directory : base)
    }

    /// The nearest `cutover.toml` from `directory` upwards.
    ///
    /// - Parameter directory: the folder the search starts in.
    /// - Returns: the file's path, or nil when neither `directory` nor a parent has one.
    public func find(from directory: String) -> String? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(Self.fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Chooses the database: `--env NAME` when given; else `DATABASE_URL` from the
    /// environment; else `default_env`; else the only environment.
    ///
    /// - Parameters:
    ///   - config: the loaded configuration.
    ///   - env: the environment asked for (`--env`); nil for the default choice above.
    ///   - environment: the process environment `DATABASE_URL` and `${VAR}` are read from.
    /// - Returns: the environment's name, its URL with `${VAR}`s expanded, and where it came from.
    /// - Throws: `CutoverError` `.invalidConfig` for an unknown env or an unset `${VAR}`,
    ///   `.invalidURL` for a malformed URL.
    public func target(in config: Configuration, env: String?, environment: [String: String]) throws -> Target {
        if env == nil, let override = environment["DATABASE_URL"], !override.isEmpty {
            let url = try DatabaseURL(override)
            // Shown as such wherever the target is named: a DATABASE_URL left set in a shell
            // must not hit another database under default_env's name unseen.
            return Target(
                environment: config.defaultEnv ?? "DATABASE_URL", url: resolvingRelativePath(url, against: FileManager.default.currentDirectoryPath),
                source: "DATABASE_URL", origin: config.defaultEnv.map { "DATABASE_URL, overrides default_env \($0)" } ?? "DATABASE_URL")
        }
        let names = config.environments.keys.sorted()
        let chosen: String
        let origin: String
        if let env {
            chosen = env
            origin = "--env \(env)"
        } else if let defaultEnv = config.defaultEnv {
            chosen = defaultEnv
            origin = "default_env"
        } else if names.count == 1 {
            chosen = names[0]
            origin = "the only env"
        } else {
            throw CutoverError(
                .invalidConfig, names.isEmpty ? "\(config.file ?? Self.fileName) defines no environment" : "no environment chosen",
                hint: names.isEmpty ? "add [env.dev] with url = \"sqlite:dev.sqlite3\"" : "pass --env with one of: \(names.joined(separator: ", ")), or set default_env",
                file: config.file)
        }
        guard let definition = config.environments[chosen] else {
            throw CutoverError(
                .invalidConfig, "unknown environment '\(DatabaseURL.redact(chosen))'",
                hint: names.isEmpty ? "add [env.\(DatabaseURL.redact(chosen))] to \(config.file ?? Self.fileName)" : "known environments: \(names.joined(separator: ", "))",
                file: config.file)
        }
        let expanded = try EnvironmentReferences.expand(
            definition.url, environment: environment, context: "env.\(chosen).url", file: config.file, line: definition.line)
        let url: DatabaseURL
        do {
            url = try DatabaseURL(expanded)
        } catch var error as CutoverError {
            error.file = config.file
            error.line = definition.line
            throw error
        }
        return Target(environment: chosen, url: resolvingRelativePath(url, against: config.baseDirectory), source: "env.\(chosen)", origin: origin)
    }

    /// SQLite paths in the config are relative to the config file's folder, so the same
    /// command works from any working directory.
    private func resolvingRelativePath(_ url: DatabaseURL, against base: String) -> DatabaseURL {
        guard url.isLocalFile, !url.path.hasPrefix("/") else { return url }
        return url.withPath(Paths.resolve(url.path, against: base))
    }
}

/// The database a command works on.
public struct Target: Sendable {
    /// The environment name (or `DATABASE_URL`).
    public var environment: String
    /// The database's URL; a relative SQLite path is already resolved against the config
    /// file's folder.
    public var url: DatabaseURL
    /// Where the URL came from, as a stable token (`env.prod`, `DATABASE_URL`); `--json`
    /// output carries it as `url_source`.
    public var source: String
    /// How the target was chosen, for people: `default_env`, `--env staging`, `the only env`,
    /// `DATABASE_URL, overrides default_env dev`.
    public var origin: String

    /// A target; `source` says where the URL came from, `origin` (default: `source`) how
    /// it was chosen.
    ///
    /// ```swift
    /// let target = Target(environment: "prod", url: try DatabaseURL("postgres://app@db/shop"), source: "app settings")
    /// ```
    public init(environment: String, url: DatabaseURL, source: String, origin: String? = nil) {
        self.environment = environment
        self.url = url
        self.source = source
        self.origin = origin ?? source
    }

    /// `env dev: postgres://app@db/shop (DATABASE_URL, overrides default_env dev)`: the
    /// target, its redacted URL and how it was chosen, as every command that touches a
    /// database names it.
    public var summary: String { "env \(environment): \(url.redacted) (\(origin))" }
}
