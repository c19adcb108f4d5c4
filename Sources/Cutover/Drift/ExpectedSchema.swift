import CutoverCore
import CutoverOperations
import Logging

/// The schema the migration files say a database should have: the migrations are replayed
/// on a scratch database of the same kind and its schema is read back.
///
/// The scratch database comes from the driver (``ScratchDatabaseProviding``): in memory for
/// SQLite, `CREATE DATABASE <db>_cutover_scratch_<random>` on the same PostgreSQL server.
/// It is dropped afterwards, also when replaying or reading fails. The migrations run
/// through the ordinary ``Migrator`` (so `-- cutover:no-transaction` files behave as in a
/// real run) — without backups, rehearsal or lint, which belong to the command line.
/// Cutover's own history table, which the replay creates, is left out by introspection.
///
/// ```swift
/// let expected = try ExpectedSchema(driver: PostgresDriver(), migrations: files)
/// let schema = try await expected.build(applying: appliedIDs, near: productionURL)
/// ```
///
/// ## Topics
/// - ``init(driver:migrations:configuration:logger:)``
/// - ``build(applying:near:options:)``
package struct ExpectedSchema: Sendable {
    /// Makes and drops the scratch database.
    package let driver: any ScratchDatabaseProviding
    /// Every migration file; ``build(applying:near:options:)`` picks the ones it is asked for.
    package let migrations: [Migration]
    /// Timeouts and retries for the replay; the observer and out-of-order check are ignored.
    package let configuration: Migrator.Configuration
    /// The folder of the `.yaml` migrations, replayed with the `.sql` ones; nil: none.
    package var expandContractFolder: String?
    let logger: Logger

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - driver: the driver of the database the expected schema is for.
    ///   - migrations: the parsed migration files.
    ///   - configuration: timeouts for the replay (`[safety]`).
    ///   - logger: receives the scratch database's statements (debug).
    /// - Throws: `CutoverError` `.introspectionUnsupported` when the driver cannot make
    ///   scratch databases.
    package init(
        driver: any DatabaseDriver, migrations: [Migration], configuration: Migrator.Configuration = .init(),
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard let scratch = driver as? any ScratchDatabaseProviding else {
            throw CutoverError(
                .introspectionUnsupported, "the driver for \(driver.schemes.first ?? "this") databases cannot make scratch databases",
                hint: "drift detection needs the SQLite or PostgreSQL driver")
        }
        self.driver = scratch
        self.migrations = migrations
        var replay = configuration
        replay.observer = nil
        replay.allowOutOfOrder = true
        self.configuration = replay
        self.logger = logger
    }

    /// Replays the migrations with `ids` (in id order) on a new scratch database next to
    /// `url` and reads its schema.
    ///
    /// - Parameters:
    ///   - ids: the migrations to replay, e.g. those applied on the live database.
    ///   - url: the live database; only its server and credentials are used.
    ///   - options: what to read, as for the live database.
    /// - Returns: the schema the migrations produce.
    /// - Throws: `CutoverError` `.validationFailed` when a file is missing for an id,
    ///   `.migrationFailed` when a migration fails on the scratch database, or what making
    ///   the scratch database throws. The scratch database is dropped in every case.
    package func build(
        applying ids: [MigrationID], expandContract: [CompletedExpandContract] = [], near url: DatabaseURL, options: IntrospectionOptions = .init()
    ) async throws -> Schema {
        let files = try self.files(ids)
        let yaml = try expandContract.sorted { $0.id < $1.id }.map { completed in
            guard let folder = expandContractFolder else {
                throw CutoverError(.introspectionUnsupported, "the replay has no folder to read \(completed.id)'s .yaml file from", hint: "check drift through `cutover status`")
            }
            return (completed, try ExpandContractFile.load(id: completed.id, folder: folder))
        }
        let scratchURL = try await driver.makeScratchDatabase(near: url, logger: logger)
        do {
            let schema = try await replay(files, yaml, on: scratchURL, options: options)
            try await driver.dropScratchDatabase(scratchURL, logger: logger)
            return schema
        } catch {
            let dropped = await CleanupLedger.drop("the scratch database", scratchURL) {
                try await driver.dropScratchDatabase(scratchURL, logger: logger)
            }
            if !dropped { logger.warning("could not drop the scratch database", metadata: ["cutover_database": "\(scratchURL.redacted)"]) }
            throw error
        }
    }

    /// The files for `ids`, or an error naming the ids without one.
    func files(_ ids: [MigrationID]) throws -> [Migration] {
        let byID = Dictionary(migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = ids.filter { byID[$0] == nil }
        if let first = missing.first {
            throw CutoverError(
                .validationFailed,
                "cannot tell what the schema should be: \(missing.count == 1 ? "applied migration \(first) has" : "\(missing.count) applied migrations (\(missing.map(\.rawValue).joined(separator: ", "))) have") no file in the migrations folder",
                hint: "restore the file\(missing.count == 1 ? "" : "s") from version control (see `cutover status`, state missing)", migrationID: first)
        }
        return ids.sorted().compactMap { byID[$0] }
    }

    /// Applies `files` to the scratch database on one session and introspects it there (an
    /// in-memory SQLite database exists only for that session).
    private func replay(
        _ files: [Migration], _ yaml: [(CompletedExpandContract, ExpandContractFile)], on scratchURL: DatabaseURL, options: IntrospectionOptions
    ) async throws -> Schema {
        try await driver.withSession(scratchURL, logger: logger) { session in
            let migrator = Migrator(database: session, migrations: files, configuration: configuration, logger: logger)
            do {
                // The .yaml migrations in id order among the .sql ones, each start to complete.
                var versionSchemas: [String: String] = [:]
                for (completed, file) in yaml {
                    if let before = files.last(where: { $0.id < completed.id })?.id { _ = try await migrator.migrate(to: before) }
                    versionSchemas[completed.schema] = try await ExpandContractReplay(database: session, logger: logger)
                        .apply(file, schema: completed.schema, previousVersionSchema: versionSchemas[completed.schema])
                }
                _ = try await migrator.migrate()
            } catch var error as CutoverError {
                error.message = "replaying the migrations on a scratch database failed: " + error.message
                error.hint = "the migration files cannot build the schema from an empty database on their own; \(error.hint ?? "fix the migration")"
                throw error
            }
            return try await session.introspectSchema(options: options)
        }
    }
}
