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

        // Safe when several instances start together: the library serialises it.
        let history = RecordHistory(deployment: deployment, table: "users")
        try await history.enable()

        let users = UserStore(deployment: deployment, repair: SchemaRepair(deployment: deployment, logger: logger))
        return ServiceRuntime(
            deployment: deployment, schemaGuard: schemaGuard, flags: FeatureFlags(deployment: deployment, refreshInterval: settings.flagsRefresh, logger: logger),
            history: history, users: users)
    }
}
