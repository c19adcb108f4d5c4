import ArgumentParser
import Cutover
import CutoverCore
import CutoverPostgres
import CutoverSQLite
import Foundation
import Logging
import Synchronization

/// What a command needs: the configuration, the chosen database, a logger, and the
/// output mode. Built once per command by ``run(_:_:)``.
struct CommandContext {
    let options: GlobalOptions
    let config: Configuration
    let logger: Logger
    /// Set once the target was named on stderr, so a command names it once.
    let announcement = Announcement()

    /// Loads the configuration, runs `body`, and turns a ``CutoverError`` into an
    /// `error:`/`hint:` message on stderr (or a JSON object) and the contract's exit code.
    static func run(_ options: GlobalOptions, _ body: (CommandContext) async throws -> Void) async throws {
        let logger = makeLogger(options)
        var newFile: NewDatabaseFile?
        do {
            let config = try ConfigurationLoader().load(explicitPath: options.config)
            let context = CommandContext(options: options, config: config, logger: logger)
            if !options.quiet {
                for ignored in config.ignoredSettings { Terminal.err(Terminal.yellow("warning: ") + ignored) }
            }
            newFile = NewDatabaseFile(try? context.target().url)
            try await body(context)
        } catch let error as CutoverError {
            newFile?.removeIfUnwritten()
            // After SIGINT/SIGTERM the error only echoes the cancellation; main prints one
            // `interrupted:` line instead.
            if Interruption.received == nil { report(error, options: options) }
            throw ExitCode(error.exitCode)
        } catch {
            newFile?.removeIfUnwritten()
            throw error
        }
    }

    static func report(_ error: CutoverError, options: GlobalOptions) {
        // Every message is redacted once more here: a URL or config value that reached an
        // error unredacted (a mistyped URL taken for an environment name) loses its password.
        var error = error
        error.message = DatabaseURL.redact(error.message)
        error.hint = error.hint.map(DatabaseURL.redact)
        error.statement = error.statement.map(DatabaseURL.redact)
        if options.json {
            Terminal.out(JSON.object([("ok", .bool(false))] + errorMembers(error)).rendered())
        }
        Terminal.err(Terminal.red("error: ") + error.description)
        if let hint = error.hint { Terminal.err(Terminal.yellow("hint: ") + hint) }
        if options.verbose {
            if let statement = error.statement { Terminal.err("statement: \(statement)") }
            // Both descriptions are redacted (CutoverError.underlyingDescription).
            if let detail = error.underlyingDescription { Terminal.err("detail: \(detail)") }
            if let rollback = error.rollbackErrorDescription { Terminal.err("rollback failed too: \(rollback)") }
        }
    }

    /// The `error` and `exit_code` members of a JSON result for `error` (already redacted).
    static func errorMembers(_ error: CutoverError) -> [(String, JSON)] {
        [
            ("error", .object([
                ("code", .string(error.code.rawValue)), ("message", .string(error.message)), ("hint", .string(error.hint)),
                ("file", .string(error.file)), ("line", .int(error.line)), ("migration", .string(error.migrationID?.rawValue)),
                ("statement", .string(error.statement)), ("sqlstate", .string(error.databaseCode?.text)),
            ])),
            ("exit_code", .int(Int(error.exitCode))),
        ]
    }

    static func makeLogger(_ options: GlobalOptions) -> Logger {
        var logger = Logger(label: "cutover") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = options.verbose ? .debug : (options.quiet ? .error : .warning)
        return logger
    }

    /// The drivers the tool links. A command has nothing else to run while it waits on
    /// SQLite, so SQLite calls skip the thread switch.
    static var linkedDrivers: [any DatabaseDriver] {
        var sqlite = SQLiteDriver.Configuration()
        sqlite.runsOnCallingThread = true
        return [SQLiteDriver(configuration: sqlite), PostgresDriver()]
    }

    /// The drivers, set up from `[safety]`.
    var drivers: DriverRegistry { DriverRegistry(Self.linkedDrivers, safety: config.safety) }

    /// The deploy pipeline for the database chosen by `--env`, `DATABASE_URL` or `default_env`,
    /// named on stderr (``announce(_:)``) unless `announcing` is false (a command that names
    /// it in its own output).
    func deployment(announcing: Bool = true) throws -> Deployment {
        let deployment = try Deployment(config: config, environment: options.env, drivers: Self.linkedDrivers, logger: logger)
        if announcing { announce(deployment.target) }
        return deployment
    }

    /// Names the database a command is about to touch, and where its URL came from, on
    /// stderr (`env dev: postgres://… (DATABASE_URL, overrides default_env dev)`), once per
    /// command; not with `--quiet` or `--json` (whose output carries `url_source`).
    func announce(_ target: Target) {
        guard !options.quiet, !options.json, announcement.claim() else { return }
        Terminal.err(target.summary)
    }

    /// The database chosen by `--env`, `DATABASE_URL` or `default_env`.
    func target() throws -> Target {
        try ConfigurationLoader().target(in: config, env: options.env, environment: ProcessInfo.processInfo.environment)
    }

    /// The driver for a URL's scheme, set up from `[safety]`; `label` names the database in
    /// the error (the redacted URL when nil).
    func driver(for url: DatabaseURL, label: String? = nil) throws -> any DatabaseDriver {
        try drivers.driver(for: url, label: label)
    }

    /// The parsed migration files, through the user's migration cache.
    func migrations() throws -> [Migration] {
        try MigrationDirectory(path: config.migrationsDirectory, cache: .standard(for: config.migrationsDirectory), logger: logger).load()
    }

    /// Opens the target, builds a migrator that reports progress on stderr, runs `body`, and
    /// closes the session (``Deployment/withMigrator(lockWait:allowOutOfOrder:readHistory:historyDetail:events:_:)``).
    func withMigrator<T>(lockWait: Duration? = nil, allowOutOfOrder: Bool = false, _ body: (Migrator, Target) async throws -> T) async throws -> T {
        let deployment = try deployment()
        return try await deployment.withMigrator(lockWait: lockWait, allowOutOfOrder: allowOutOfOrder, events: eventPrinter()) { migrator, _ in
            try await body(migrator, deployment.target)
        }
    }

    /// ``withMigrator(lockWait:allowOutOfOrder:_:)``, also handing `body` the history.
    func withMigratorAndHistory<T>(
        _ body: (Migrator, Target, [MigrationID: HistoryRecord]) async throws -> T
    ) async throws -> T {
        let deployment = try deployment(announcing: false)
        return try await deployment.withMigrator(readHistory: true, events: eventPrinter()) { migrator, history in
            try await body(migrator, deployment.target, history)
        }
    }

    /// Prints `value` as JSON when `--json` was given, otherwise calls `text`.
    func output(_ value: @autoclosure () -> JSON, text: () -> Void) {
        if options.json { Terminal.out(value().rendered()) } else if !options.quiet { text() }
    }
}

/// A flag set once: whether the target was named yet.
final class Announcement: Sendable {
    private let done = Mutex(false)

    /// True the first time only.
    func claim() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}

/// Parses a migration id argument.
func parseMigrationID(_ text: String, option: String) throws -> MigrationID {
    guard let id = MigrationID(text) else {
        throw ValidationError("\(option) expects a migration id (the leading digits of the file name), not '\(text)'")
    }
    return id
}

/// Parses a duration option such as `--lock-wait 30s`, naming the option and the allowed
/// range when the text is malformed or out of range (exit 2, never an overflow trap).
func parseDurationOption(_ text: String, option: String) throws -> Duration {
    switch DurationParser.parseChecked(text) {
    case .success(let duration):
        return duration
    case .failure(.outOfRange):
        throw ValidationError("\(option) '\(text)' is out of range: use \(DurationParser.allowedRange), e.g. 30s")
    case .failure(.notADuration):
        throw ValidationError("\(option) expects a duration such as 30s, not '\(text)'")
    }
}
