import Cutover
import CutoverCore
import CutoverPostgres
import CutoverRuntime
import CutoverSQLite
import Logging

// The code samples of the DocC article Sources/CutoverRuntime/CutoverRuntime.docc/
// TheApplicationSide.md, compiled here and run by RuntimeDocumentationTests. Each sample sits
// between `// sample(NAME): begin` and `// sample: end`; a test checks that the article still
// shows exactly this text, so edit the sample here and copy it into the article.

// sample(startService): begin
/// What a service keeps from its start-up: the deployment and the runtime helpers over it.
struct ServiceDatabase: Sendable {
    let deployment: Deployment
    let flags: FeatureFlags
    let repair: SchemaRepair
    let users: LazyMigration
}

/// Brings the database up to what this version of the service needs, then hands out the
/// helpers. Twenty instances starting at once apply each migration exactly once.
func startService(configPath: String, logger: Logger) async throws -> ServiceDatabase {
    let config = try ConfigurationLoader().load(explicitPath: configPath)
    var deployment = try Deployment(config: config, drivers: [PostgresDriver(), SQLiteDriver()], logger: logger)
    try deployment.registerMigration("20261124120000_add_phone") { db in
        try await db.execute("ALTER TABLE users ADD COLUMN phone text")
    }
    let schemaGuard = SchemaGuard(deployment: deployment, requires: [MigrationID("20261124120000")!], logger: logger)
    try await schemaGuard.enforce(.apply)
    let users = LazyMigration(table: "users", steps: [
        .sql(to: 2, set: ["email": "lower(email)"]),
    ])
    return ServiceDatabase(
        deployment: deployment, flags: FeatureFlags(deployment: deployment, logger: logger),
        repair: SchemaRepair(deployment: deployment, logger: logger), users: users)
}
// sample: end

// sample(userPage): begin
/// One request: the maintenance switch, a rollout by user, a row upgraded as it is read, and
/// a query that repairs a missing column once and retries.
func userPage(id: Int64, service: ServiceDatabase, database: any Database) async throws -> String {
    if try await service.flags.isEnabled(FeatureFlag.maintenance) {
        return "read-only for a few minutes"
    }
    guard let user = try await service.users.read(key: .integer(id), on: database) else { return "no such user" }
    let phone = try await service.repair.run {
        try await database.query("SELECT phone FROM users WHERE id = \(database.dialect.placeholder(1))", [.integer(id)])
    }.first?.string("phone")
    let greeting = try await service.flags.isEnabled("new_greeting", for: String(id)) ? "Welcome back" : "Hello"
    return "\(greeting), \(user.string("email") ?? "?") (\(phone ?? "no phone"))"
}
// sample: end

// sample(watchChanges): begin
/// Keeps the switches and the app's caches current until the service stops: pushed by
/// LISTEN/NOTIFY on PostgreSQL, polled on SQLite.
func watchChanges(service: ServiceDatabase, logger: Logger, onSchemaEvent: @escaping @Sendable (SchemaEvent) async -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await service.flags.watch() }
        group.addTask {
            try await SchemaEvents(deployment: service.deployment, logger: logger).watch { change in
                logger.info("schema changed: \(change)")
                await onSchemaEvent(change)
            }
        }
        try await group.waitForAll()
    }
}
// sample: end
