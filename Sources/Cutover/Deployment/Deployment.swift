import CutoverCore
import Foundation
import Logging

/// The whole deploy pipeline of `cutover migrate`, for the command-line tool and for
/// application code alike: lint gate → backup → rehearsal on a clone → apply (directly or by
/// swap) → backup after → stored schema check.
///
/// `cutover migrate` is a thin shell over ``migrate(to:options:events:)``: an app that runs
/// its migrations at start-up gets exactly the same safe path.
///
/// ```swift
/// import Cutover
/// import CutoverPostgres
/// import CutoverSQLite
///
/// let config = try ConfigurationLoader().load(explicitPath: "cutover.toml")
/// let deployment = try Deployment(
///     config: config, environment: "production",
///     drivers: [PostgresDriver(), SQLiteDriver()], logger: logger)
/// let report = try await deployment.migrate { event in
///     if case .migration(.migrationFinished(let id, _, let duration)) = event {
///         logger.info("applied \(id) in \(duration)")
///     }
/// }
/// print(report.applied.map(\.id))
/// ```
///
/// The engine never imports a driver: the app passes the drivers it links
/// (`DatabaseDriver`), and the deployment picks one by the URL's scheme, set up from the
/// configuration's `[safety]` (`DatabaseDriver.configured(for:)`).
///
/// ## Topics
/// ### Creating a deployment
/// - ``init(config:environment:drivers:processEnvironment:logger:)``
/// - ``init(config:target:drivers:processEnvironment:logger:)``
/// - ``config``
/// - ``target``
/// ### Running it
/// - ``migrate(to:options:events:)``
/// - ``registerMigration(_:_:)``
/// - ``MigrateOptions``
/// - ``Strategy``
/// - ``rollback(to:steps:options:events:)``
/// - ``RollbackOptions``
/// - ``baseline(to:events:)``
/// - ``writeSchemaDump(to:events:)``
/// - ``schemaDump()``
/// - ``DeploymentEvent``
/// - ``DeploymentReport``
/// ### Parts of the pipeline on their own
/// - ``rehearse(strategy:keep:lint:checksAbort:events:)``
/// - ``checkDrift(introspection:events:)``
/// - ``introspectSchema()``
/// - ``promote(from:dryRun:options:events:)``
public struct Deployment: Sendable {
    /// The parsed `cutover.toml` (or a configuration built in code).
    public let config: CutoverCore.Configuration
    /// The environment and database this deployment changes.
    public let target: Target
    /// The drivers, each set up from `config.safety`.
    package let drivers: DriverRegistry
    /// Where `${VAR}` references of other environments are read from (``selecting(environment:)``).
    let processEnvironment: [String: String]
    let logger: Logger
    /// The migrations registered in Swift (``registerMigration(_:_:)``), applied with the
    /// folder's files in id order.
    public internal(set) var registeredMigrations: [Migration] = []
    /// Makes the observer of each phase of an expand/contract migration, given the session
    /// that runs it (a rehearsal watches their locks); nil in a real run.
    package var phaseObserver: PhaseObserverFactory?

    /// A deployment to the environment `environment` of `config`.
    ///
    /// The database is chosen as `cutover` chooses it: the named environment; with no name,
    /// `DATABASE_URL` from `processEnvironment` when set, else `default_env`, else the only
    /// environment. `${VAR}` references in the URL are expanded from `processEnvironment`.
    ///
    /// - Parameters:
    ///   - config: the configuration, e.g. from ``ConfigurationLoader/load(explicitPath:from:)``.
    ///   - environment: an environment of `config`; nil for the default choice above.
    ///   - drivers: the database drivers the app links, e.g. `[PostgresDriver(), SQLiteDriver()]`.
    ///   - processEnvironment: the variables `DATABASE_URL` and `${VAR}` are read from.
    ///   - logger: where the pipeline logs (disabled by default).
    /// - Throws: `CutoverError` `.invalidConfig` for an unknown environment or an unset
    ///   `${VAR}`, `.invalidURL` for a malformed URL or one no driver serves.
    public init(
        config: CutoverCore.Configuration, environment: String? = nil, drivers: [any DatabaseDriver],
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        let target = try ConfigurationLoader().target(in: config, env: environment, environment: processEnvironment)
        try self.init(config: config, target: target, drivers: drivers, processEnvironment: processEnvironment, logger: logger)
    }

    /// A deployment to an explicit target (a URL the app already knows).
    ///
    /// ```swift
    /// let target = Target(environment: "tenant-42", url: try DatabaseURL(url), source: "tenant registry")
    /// let report = try await Deployment(config: config, target: target, drivers: [PostgresDriver()]).migrate()
    /// ```
    ///
    /// - Throws: `CutoverError` `.invalidURL` when no driver in `drivers` serves the URL.
    public init(
        config: CutoverCore.Configuration, target: Target, drivers: [any DatabaseDriver],
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.processEnvironment = processEnvironment
        self.config = config
        self.target = target
        self.drivers = DriverRegistry(drivers, safety: config.safety)
        self.logger = logger
        _ = try driver(for: target.url)
    }

    /// The same deployment aimed at another environment of the configuration (`promote`'s
    /// target), as if `environment` had been passed to the initialiser.
    package func selecting(environment: String) throws -> Deployment {
        var other = try Deployment(config: config, environment: environment, drivers: drivers.drivers, processEnvironment: processEnvironment, logger: logger)
        other.registeredMigrations = registeredMigrations
        return other
    }

    /// The run settings of `[safety]`.
    package var migratorConfiguration: Migrator.Configuration { Migrator.Configuration(safety: config.safety) }
}
