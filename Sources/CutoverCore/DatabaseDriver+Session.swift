import Logging

extension DatabaseDriver {
    /// Opens a session on `url`, runs `body` with it, and closes it, whether `body` returns
    /// or throws: no caller closes a session by hand, and an error never leaks one (as
    /// postgres-nio's `withConnection`).
    ///
    /// ```swift
    /// let tables = try await driver.withSession(url, logger: logger) { db in
    ///     try await db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - url: the database to open.
    ///   - logger: where the driver logs.
    ///   - body: the work; the session must not escape it.
    /// - Returns: what `body` returns.
    /// - Throws: the driver's connection errors (``CutoverError`` `.connectionFailed`,
    ///   `.authenticationFailed`, `.unknownDatabase`), then whatever `body` throws.
    public func withSession<T>(_ url: DatabaseURL, logger: Logger, _ body: (any Database) async throws -> T) async throws -> T {
        let database = try await open(url, logger: logger)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}
