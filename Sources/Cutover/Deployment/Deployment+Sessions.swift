import Foundation
import CutoverCore
import Logging

/// Sessions, drivers and migration files: what every step of the pipeline starts from.
extension Deployment {
    /// The driver for a URL's scheme (see ``DriverRegistry/driver(for:label:)``).
    package func driver(for url: DatabaseURL, label: String? = nil) throws -> any DatabaseDriver {
        try drivers.driver(for: url, label: label)
    }

    /// The driver of the target's database, when it has the capability `Capability`
    /// (`BackupDriver`, `DatabaseCloning`, `DatabaseSwapping`).
    ///
    /// - Throws: `CutoverError` `.invalidArgument` saying the database cannot do `what`.
    package func targetDriver<Capability>(as _: Capability.Type, for what: String) throws -> Capability {
        guard let driver = try driver(for: target.url) as? Capability else {
            throw CutoverError(.invalidArgument, "\(target.url.scheme) databases cannot \(what) in this version", hint: "use PostgreSQL or SQLite")
        }
        return driver
    }

    /// Opens a session on the target with the driver the deployment chose (set up from
    /// `[safety]`), runs `body`, and closes the session however `body` ends: for app code that
    /// needs the database the deployment migrates (a `LazyMigration`, a query through
    /// `SchemaRepair`) without picking a driver itself.
    ///
    /// ```swift
    /// let count = try await deployment.withSession { db in
    ///     try await db.query("SELECT count(*) AS n FROM users").first?.int("n")
    /// }
    /// ```
    ///
    /// One session per call: a busy service keeps its own pool and uses this for start-up and
    /// background work.
    public func withSession<T>(_ body: (any Database) async throws -> T) async throws -> T {
        try await driver(for: target.url).withSession(target.url, logger: logger, body)
    }

    /// The parsed migration files of `config.migrationsDirectory`, through the user's
    /// migration cache (``MigrationFileCache``).
    ///
    /// - Throws: `CutoverError` `.invalidMigrationFile` naming the file and line.
    package func migrations() throws -> [Migration] {
        let folder = config.migrationsDirectory
        let files: [Migration]
        do {
            files = try MigrationDirectory(path: folder, cache: .standard(for: folder), logger: logger).load()
        } catch let error as CutoverError where error.code == .missingMigrations && !registeredMigrations.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            // An app whose migrations are all registered in Swift needs no folder.
            files = []
        }
        return try Self.merging(files, registeredMigrations)
    }

    /// Opens the target, builds a migrator, runs `body` with it and the history, and closes
    /// the session.
    ///
    /// The history is read while the migration files load in a child task (a status of a
    /// thousand migrations spends about as long on each). An error in the files is reported
    /// before one from the database, as if the files were read first.
    ///
    /// - Parameters:
    ///   - lockWait: overrides `[safety] lock_wait`.
    ///   - readHistory: false skips the history read (`body` gets an empty one).
    package func withMigrator<T>(
        lockWait: Duration? = nil, allowOutOfOrder: Bool = false, readHistory: Bool = false,
        events: @escaping DeploymentEventHandler, _ body: (Migrator, [MigrationID: HistoryRecord]) async throws -> T
    ) async throws -> T {
        let driver = try driver(for: target.url)
        let loading = Task { Result { try migrations() } }
        var configuration = migratorConfiguration
        if let lockWait { configuration.lockWait = lockWait }
        configuration.allowOutOfOrder = allowOutOfOrder
        do {
            return try await driver.withSession(target.url, logger: logger) { database in
                let history = readHistory ? try await Migrator.history(of: database) : [:]
                let migrator = Migrator(
                    database: database, migrations: try await loading.value.get(), configuration: configuration, logger: logger,
                    events: { events(.migration($0)) })
                return try await body(migrator, history)
            }
        } catch {
            // A broken migration file is the error to fix first, even when the database
            // could not be reached either.
            if case .failure(let fileError) = await loading.value { throw fileError }
            throw error
        }
    }
}
