import CutoverCore
import Logging

extension SQLiteDriver: ScratchDatabaseProviding {
    /// An in-memory database: fast, nothing written to disk, gone when its session closes.
    public func makeScratchDatabase(near url: DatabaseURL, logger: Logger) async throws -> DatabaseURL {
        try DatabaseURL("sqlite::memory:")
    }

    /// Nothing to drop: closing the in-memory database's session discarded it.
    public func dropScratchDatabase(_ url: DatabaseURL, logger: Logger) async throws {
        precondition(url.isInMemory, "SQLite scratch databases are in memory, not '\(url.redacted)'")
    }
}
