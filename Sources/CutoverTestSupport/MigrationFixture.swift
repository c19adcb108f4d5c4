import Cutover
import CutoverCore
import Foundation

/// A migrations folder and a database of one backend, for one test.
public struct MigrationFixture: Sendable {
    public let backend: TestBackend
    public let directory: TemporaryDirectory
    public let url: DatabaseURL
    public var migrationsPath: String { directory.path("migrations") }

    /// Creates a temp folder with an empty `migrations/` and a fresh database.
    public static func make(_ backend: TestBackend) async throws -> MigrationFixture {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true)
        return MigrationFixture(backend: backend, directory: directory, url: try await backend.makeURL(in: directory))
    }

    /// Writes `migrations/<file>`.
    public func write(_ file: String, _ contents: String) throws {
        try directory.write("migrations/\(file)", contents)
    }

    /// Removes `migrations/<file>`.
    public func remove(_ file: String) throws {
        try FileManager.default.removeItem(atPath: directory.path("migrations/\(file)"))
    }

    /// Opens the database, loads the folder and runs `body` with a migrator.
    public func withMigrator<T: Sendable>(
        _ configure: (inout Migrator.Configuration) -> Void = { _ in },
        _ body: (Migrator) async throws -> T
    ) async throws -> T {
        let database = try await TestBackend.open(url)
        var configuration = Migrator.Configuration()
        configuration.retry = RetryPolicy(retries: 2, base: .milliseconds(20))
        configure(&configuration)
        let migrator = Migrator(database: database, migrations: try MigrationDirectory(path: migrationsPath).load(), configuration: configuration)
        do {
            let result = try await body(migrator)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// Runs a query on a fresh session and returns its rows.
    public func query(_ sql: String) async throws -> [Row] {
        let database = try await TestBackend.open(url)
        do {
            let rows = try await database.query(sql)
            await database.close()
            return rows
        } catch {
            await database.close()
            throw error
        }
    }

    /// Waits (at most a minute, asking every 50 ms) until some session holds an advisory lock
    /// on this PostgreSQL database: a runner started elsewhere has taken the run lock.
    public func waitUntilRunLockHeld() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        let held = "SELECT 1 AS held FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        while try await query(held).isEmpty, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether a table exists (in the default schema).
    public func tableExists(_ name: String) async throws -> Bool {
        let sql = backend.name == "sqlite"
            ? "SELECT 1 AS x FROM sqlite_schema WHERE type = 'table' AND name = '\(name)'"
            : "SELECT 1 AS x FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename = '\(name)'"
        return try await !query(sql).isEmpty
    }

    /// Drops the database (PostgreSQL) and the folder.
    public func cleanUp() async {
        if backend.name == "postgres" { await PostgresCluster.shared.dropDatabase(url) }
        directory.remove()
    }
}
