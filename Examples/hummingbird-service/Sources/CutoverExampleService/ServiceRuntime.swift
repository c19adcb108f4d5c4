import Cutover
import CutoverCore
import CutoverPostgres
import CutoverRuntime
import CutoverSQLite
import Logging

/// What the service sets up once at start-up, in this order:
///
/// 1. a `Deployment` for `cutover.toml`'s `local` environment (`sqlite:service.sqlite3`), or for
///    `DATABASE_URL` when set (`postgres://…`);
/// 2. `Deployment.migrate()`: the `migrations/` folder applied through the same pipeline as
///    `cutover migrate`, under its run lock, so twenty instances starting at once apply each
///    migration exactly once;
/// 3. a `SchemaGuard` that fails fast when the database lacks a migration this version needs
///    (or is too new for it);
/// 4. `RecordHistory.enable()` on `users` (at every start; on SQLite it also refreshes the
///    triggers after a migration changed the table's columns), under the run lock;
/// 5. `FeatureFlags` (its `watch()` runs in the background, see ``ExampleService``);
/// 6. the users store: every query wrapped in `SchemaRepair`, reads through `LazyMigration`.
struct ServiceRuntime: Sendable {
    let deployment: Deployment
    let schemaGuard: SchemaGuard
    let flags: FeatureFlags
    let history: RecordHistory
    let users: UserStore

    /// The migrations this version of the service was built with (its `migrations/` folder).
    static let requiredMigrations = ["20261201090000", "20261201100000", "20261201110000"].compactMap(MigrationID.init)

    /// The switch that changes the greeting of `GET /users/:id`, rolled out by user id
    /// (`cutover flag set new_greeting on --percent 50`).
    static let newGreeting = "new_greeting"

    /// Runs the start-up steps above.
    /// - Throws: the library's `CutoverError` (with its hint) when a step fails; the service
    ///   then exits with the message instead of serving a schema it does not understand.
    static func start(settings: Settings, logger: Logger) async throws -> ServiceRuntime {
        let config = try ConfigurationLoader().load(explicitPath: settings.configPath)
        let drivers: [any DatabaseDriver] = [SQLiteDriver(), PostgresDriver()]
        let deployment = try Deployment(config: config, drivers: drivers, logger: logger)
        logger.notice("database: \(deployment.target.summary)")

        if settings.migrateOnStart {
            let report = try await deployment.migrate()
            let applied = report.applied.map(\.id.rawValue)
            logger.notice(applied.isEmpty ? "migrations: none pending" : "migrations applied: \(applied.joined(separator: ", "))")
        }

        let schemaGuard = SchemaGuard(deployment: deployment, requires: requiredMigrations, logger: logger)
        try await schemaGuard.enforce(.failFast)

        let sessions = try Sessions(deployment: deployment, drivers: drivers, logger: logger)
        let history = RecordHistory(deployment: deployment, table: "users")
        // Under the migration run lock: `enable()` run by several instances at the same moment
        // fails on PostgreSQL ("tuple concurrently updated", a duplicate key in pg_proc or
        // pg_type: its CREATE TABLE IF NOT EXISTS and CREATE OR REPLACE FUNCTION race). Drop
        // the lock here once the library serialises `enable()` itself. On SQLite it is a no-op.
        try await sessions.withDatabase { database in
            let lock = try await database.acquireRunLock(wait: deployment.config.safety.lockWait, logger: logger)
            do {
                try await history.enable()
            } catch {
                await lock.release()
                throw error
            }
            await lock.release()
        }

        let users = UserStore(sessions: sessions, repair: SchemaRepair(deployment: deployment, logger: logger))
        return ServiceRuntime(
            deployment: deployment, schemaGuard: schemaGuard, flags: FeatureFlags(deployment: deployment, refreshInterval: settings.flagsRefresh, logger: logger),
            history: history, users: users)
    }
}

/// Opens a session on the service's database for each unit of work (one request's queries).
///
/// A session is one connection: cheap on SQLite, a connect per request on PostgreSQL. A
/// service with real traffic would keep a pool (e.g. postgres-nio's `PostgresClient`); the
/// runtime features work with any client.
struct Sessions: Sendable {
    let url: DatabaseURL
    let driver: any DatabaseDriver
    let logger: Logger

    /// The driver serving the deployment's URL, set up from `cutover.toml`'s `[safety]` (how
    /// long SQLite waits on a busy file, how long a PostgreSQL connect may take).
    init(deployment: Deployment, drivers: [any DatabaseDriver], logger: Logger) throws {
        let url = deployment.target.url
        guard let driver = drivers.first(where: { $0.schemes.contains(url.scheme) }) else {
            throw CutoverError(.invalidURL, "no driver for \(url.redacted)", hint: "use sqlite:PATH or postgres://…")
        }
        self.url = url
        self.driver = driver.configured(for: deployment.config.safety)
        self.logger = logger
    }

    /// Opens a session, runs `body`, and closes the session.
    func withDatabase<T>(_ body: (any Database) async throws -> T) async throws -> T {
        try await driver.withSession(url, logger: logger, body)
    }
}
