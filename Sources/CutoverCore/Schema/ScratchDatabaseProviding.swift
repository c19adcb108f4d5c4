import Logging

/// A driver that can make an empty, throw-away database of its kind, to replay migrations
/// on and read the schema they produce (the expected schema behind drift detection).
///
/// - SQLite: an in-memory database (`sqlite::memory:`); nothing is created on disk, and the
///   database lives exactly as long as the one session opened on it.
/// - PostgreSQL: `CREATE DATABASE <db>_cutover_scratch_<random>` on the server of `url`,
///   made through a maintenance session (`postgres` or `template1`) and marked with
///   Cutover's comment, so ``dropScratchDatabase(_:logger:)`` drops only what Cutover made.
///
/// ```swift
/// guard let scratch = driver as? any ScratchDatabaseProviding else { … }
/// let url = try await scratch.makeScratchDatabase(near: liveURL, logger: logger)
/// let session = try await scratch.open(url, logger: logger)
/// // … migrate and introspect on this one session, then close it …
/// try await scratch.dropScratchDatabase(url, logger: logger)   // on the error path too
/// ```
///
/// ## Topics
/// - ``makeScratchDatabase(near:logger:)``
/// - ``dropScratchDatabase(_:logger:)``
public protocol ScratchDatabaseProviding: DatabaseDriver {
    /// Creates an empty database next to `url` (same server, same credentials).
    ///
    /// - Parameters:
    ///   - url: the database the scratch one stands in for; only its server and
    ///     credentials are used, it is never changed.
    ///   - logger: receives the statements run (debug).
    /// - Returns: the scratch database's URL. Open exactly one session on an in-memory
    ///   SQLite URL: each open makes a new, empty database.
    /// - Throws: ``CutoverError`` `.invalidArgument` when the user may not create databases
    ///   (PostgreSQL `CREATEDB`), or a connection error.
    func makeScratchDatabase(near url: DatabaseURL, logger: Logger) async throws -> DatabaseURL

    /// Drops a database made by ``makeScratchDatabase(near:logger:)``, ending sessions still
    /// connected to it. Refuses databases without Cutover's marker; succeeds when the
    /// database is already gone. Nothing to do for in-memory SQLite.
    ///
    /// - Parameters:
    ///   - url: the scratch database's URL.
    ///   - logger: receives the statements run (debug).
    /// - Throws: ``CutoverError`` `.invalidArgument` (not made by Cutover), or a connection error.
    /// - Warning: everything in the database is lost.
    func dropScratchDatabase(_ url: DatabaseURL, logger: Logger) async throws
}
