import CutoverCore
import Logging

extension PostgresDriver: DatabaseProvisioning {
    /// `CREATE DATABASE` through a maintenance session (`postgres`, else `template1`) unless
    /// a database of that name exists.
    public func createDatabaseIfMissing(_ url: DatabaseURL, logger: Logger) async throws -> Bool {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        let quoted = PostgresDialect().quoteIdentifier(settings.database)
        return try await withMaintenanceSession(settings, avoiding: [settings.database], logger: logger) { admin in
            if try await exists(settings.database, on: admin) { return false }
            do {
                try await admin.execute("CREATE DATABASE \(quoted)")
            } catch let error as CutoverError where error.sqlState == .insufficientPrivilege {
                throw CutoverError(
                    .invalidArgument, "\(settings.user) may not create databases on \(settings.endpointDescription): \(error.message)",
                    hint: "create it as a superuser, or give the role CREATEDB (ALTER ROLE \(settings.user) CREATEDB)", databaseCode: error.databaseCode, underlying: error)
            }
            return true
        }
    }

    /// `DROP DATABASE` (without `FORCE`: connected sessions make it refuse, naming them).
    public func dropDatabaseIfExists(_ url: DatabaseURL, logger: Logger) async throws -> Bool {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        let quoted = PostgresDialect().quoteIdentifier(settings.database)
        return try await withMaintenanceSession(settings, avoiding: [settings.database], logger: logger) { admin in
            guard try await exists(settings.database, on: admin) else { return false }
            do {
                try await admin.execute("DROP DATABASE \(quoted)")
            } catch let error as CutoverError where error.sqlState == .objectInUse {
                let sessions = try? await admin.query("SELECT count(*) AS n FROM pg_catalog.pg_stat_activity WHERE datname = $1", [.text(settings.database)])
                let count = sessions?.first?.int("n") ?? 0
                throw CutoverError(
                    .invalidArgument, "\(settings.database) is in use: \(count) other session\(count == 1 ? " is" : "s are") connected to it",
                    hint: "stop the applications using it first (pg_stat_activity lists them)", databaseCode: error.databaseCode, underlying: error)
            }
            return true
        }
    }

    private func exists(_ name: String, on admin: PostgresDatabase) async throws -> Bool {
        try await !admin.query("SELECT 1 AS x FROM pg_catalog.pg_database WHERE datname = $1", [.text(name)]).isEmpty
    }
}
