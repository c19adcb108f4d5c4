import ArgumentParser
import Cutover
import CutoverCore
import CutoverPostgres
import CutoverSQLite
import Foundation
import Logging

/// What a command needs: the configuration, the chosen database, a logger, and the
/// output mode. Built once per command by ``run(_:_:)``.
struct CommandContext {
    let options: GlobalOptions
    let config: Configuration
    let logger: Logger

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
            report(error, options: options)
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
        error.underlying = error.underlying.map(DatabaseURL.redact)
        if options.json {
            let members: [(String, JSON)] = [
                ("ok", .bool(false)),
                ("error", .object([
                    ("code", .string(error.code.rawValue)), ("message", .string(error.message)), ("hint", .string(error.hint)),
                    ("file", .string(error.file)), ("line", .int(error.line)), ("migration", .string(error.migrationID?.rawValue)),
                    ("statement", .string(error.statement)), ("sqlstate", .string(error.sqlState)),
                ])),
                ("exit_code", .int(Int(error.exitCode))),
            ]
            Terminal.out(JSON.object(members).rendered())
        }
        Terminal.err(Terminal.red("error: ") + error.description)
        if let hint = error.hint { Terminal.err(Terminal.yellow("hint: ") + hint) }
        if options.verbose {
            if let statement = error.statement { Terminal.err("statement: \(statement)") }
            if let underlying = error.underlying { Terminal.err("detail: \(underlying)") }
        }
    }

    static func makeLogger(_ options: GlobalOptions) -> Logger {
        var logger = Logger(label: "cutover") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = options.verbose ? .debug : (options.quiet ? .error : .warning)
        return logger
    }

    /// The database chosen by `--env`, `DATABASE_URL` or `default_env`.
    func target() throws -> Target {
        try ConfigurationLoader().target(in: config, env: options.env, environment: ProcessInfo.processInfo.environment)
    }

    /// The driver for a URL's scheme, set up from `[safety]`; `label` names the database in
    /// the error (the redacted URL when nil).
    func driver(for url: DatabaseURL, label: String? = nil) throws -> any DatabaseDriver {
        var sqlite = SQLiteDriver.Configuration()
        sqlite.busyTimeout = config.safety.lockWait
        // A command has nothing else to run while it waits on SQLite: skip the thread switch.
        sqlite.runsOnCallingThread = true
        var postgres = PostgresDriver.Configuration()
        postgres.connectTimeout = config.safety.connectTimeout
        let drivers: [any DatabaseDriver] = [SQLiteDriver(configuration: sqlite), PostgresDriver(configuration: postgres)]
        guard let driver = drivers.first(where: { $0.schemes.contains(url.scheme) }) else {
            throw CutoverError(
                .invalidURL, "no driver for '\(url.scheme)' URLs in this version (\(label ?? url.redacted))",
                hint: "use a sqlite: or postgres:// URL")
        }
        return driver
    }

    /// Opens the target database with the driver for its scheme.
    func open(_ target: Target) async throws -> any Database {
        try await driver(for: target.url).open(target.url, logger: logger)
    }

    /// The parsed migration files, through the user's migration cache (``MigrationFileCache``).
    func migrations() throws -> [Migration] {
        let folder = config.migrationsDirectory
        return try MigrationDirectory(path: folder, cache: .standard(for: folder), logger: logger).load()
    }

    /// Opens the database, builds a migrator, runs `body`, and closes the database.
    func withMigrator<T>(lockWait: Duration? = nil, allowOutOfOrder: Bool = false, _ body: (Migrator, Target) async throws -> T) async throws -> T {
        try await withMigratorAndHistory(lockWait: lockWait, allowOutOfOrder: allowOutOfOrder, readHistory: false) { migrator, target, _ in
            try await body(migrator, target)
        }
    }

    /// ``withMigrator(lockWait:allowOutOfOrder:_:)``, also handing `body` the history, read
    /// while the migration files load on another thread (a status of a thousand migrations
    /// spends about as long on each). An error in the files is reported before one from the
    /// database, as when the files were read first.
    func withMigratorAndHistory<T>(
        lockWait: Duration? = nil, allowOutOfOrder: Bool = false, readHistory: Bool = true,
        _ body: (Migrator, Target, [MigrationID: HistoryRecord]) async throws -> T
    ) async throws -> T {
        let target = try target()
        let loading = Task.detached { [self] in try self.migrations() }
        var database: (any Database)?
        var history: [MigrationID: HistoryRecord] = [:]
        var databaseError: (any Error)?
        do {
            let opened = try await open(target)
            database = opened
            if readHistory { history = try await Migrator.history(of: opened) }
        } catch {
            databaseError = error
        }
        let migrations: [Migration]
        do {
            migrations = try await loading.value
        } catch {
            await database?.close()
            throw error
        }
        guard let database else { throw databaseError! }
        var configuration = Migrator.Configuration(safety: config.safety)
        if let lockWait { configuration.lockWait = lockWait }
        configuration.allowOutOfOrder = allowOutOfOrder
        let migrator = Migrator(database: database, migrations: migrations, configuration: configuration, logger: logger, events: progressPrinter())
        do {
            if let databaseError { throw databaseError }
            let result = try await body(migrator, target, history)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// Prints progress on stderr, unless `--quiet`.
    func progressPrinter() -> MigrationEventHandler {
        let quiet = options.quiet
        return { event in
            guard !quiet else { return }
            switch event {
            case .waitingForLock, .lockAcquired:
                break
            case .migrationStarted(let id, let name, let statements, let resumingAt):
                let resume = resumingAt > 0 ? ", resuming at statement \(resumingAt + 1)" : ""
                Terminal.err("→ \(id)_\(name) (\(statements) statement\(statements == 1 ? "" : "s")\(resume))")
            case .statementFinished(_, let index, let total, let line, let duration) where total > 1 && duration > .seconds(1):
                Terminal.err(Terminal.dim("  statement \(index + 1)/\(total) (line \(line)) took \(duration.milliseconds) ms"))
            case .statementFinished:
                break
            case .migrationFinished(_, _, let duration):
                Terminal.err(Terminal.green("  done") + " in \(duration.milliseconds) ms")
            case .migrationSkipped(let id, let name):
                Terminal.err("  \(id)_\(name) was applied by another run; skipped")
            case .retrying(_, let attempt, let of, let delay, let message):
                Terminal.err(Terminal.yellow("  lock timeout") + " (\(message)); retry \(attempt)/\(of) in \(delay.milliseconds) ms")
            }
        }
    }

    /// Prints `value` as JSON when `--json` was given, otherwise calls `text`.
    func output(_ value: @autoclosure () -> JSON, text: () -> Void) {
        if options.json { Terminal.out(value().rendered()) } else if !options.quiet { text() }
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
