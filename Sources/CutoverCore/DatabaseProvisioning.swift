import Logging

/// Drivers that can create and drop the database a URL names (`cutover db create | drop`):
/// for containers, CI and a new developer machine, where the database does not exist yet.
///
/// ```swift
/// let created = try await driver.createDatabaseIfMissing(url, logger: logger)   // false: it was there
/// ```
public protocol DatabaseProvisioning: DatabaseDriver {
    /// Creates the database `url` names (PostgreSQL: `CREATE DATABASE` through a maintenance
    /// session; SQLite: the file).
    /// - Returns: false when it already existed (nothing was changed).
    /// - Throws: ``CutoverError`` when the server cannot be reached or refuses.
    func createDatabaseIfMissing(_ url: DatabaseURL, logger: Logger) async throws -> Bool

    /// Drops the database `url` names, with everything in it (SQLite: the file and its
    /// `-wal`, `-shm` and `-journal` files).
    /// - Returns: false when it did not exist.
    /// - Throws: ``CutoverError`` `.invalidArgument` when sessions are still connected
    ///   (PostgreSQL), naming how many; connection errors.
    /// - Warning: the data is gone; nothing is backed up first.
    func dropDatabaseIfExists(_ url: DatabaseURL, logger: Logger) async throws -> Bool
}
