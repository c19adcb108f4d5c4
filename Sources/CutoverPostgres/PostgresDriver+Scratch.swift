import CutoverCore
import Logging

extension PostgresDriver: ScratchDatabaseProviding {
    /// Creates `<db>_cutover_scratch_<random>` on the server of `url` through a maintenance
    /// session, as the clone and restore code does, and marks it with Cutover's comment.
    ///
    /// The database is created from the server's default template (`template1`), as the
    /// live database most likely was, so objects an administrator put into `template1`
    /// appear in both and are not reported as drift. When `template1` is busy (SQLSTATE
    /// 55006: our own maintenance session is on it), `template0` is used.
    public func makeScratchDatabase(near url: DatabaseURL, logger: Logger) async throws -> DatabaseURL {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        let name = Self.scratchName(for: settings.database)
        // Created and marked in one step that cancellation does not cut in half (an unmarked
        // database could not be dropped by dropScratchDatabase).
        try Task.checkCancellation()
        try await withoutCancellation { try await self.createScratchDatabase(name, near: settings, logger: logger) }
        return url.withDatabase(name)
    }

    private func createScratchDatabase(_ name: String, near settings: PostgresConnectionSettings, logger: Logger) async throws {
        let quoted = PostgresDialect().quoteIdentifier(name)
        try await withMaintenanceSession(settings, avoiding: [settings.database, name], logger: logger) { admin in
            logger.debug("creating scratch database", metadata: ["cutover_database": "\(name)"])
            do {
                do {
                    try await admin.execute("CREATE DATABASE \(quoted)")
                } catch let error as CutoverError where error.sqlState == .objectInUse {
                    try await admin.execute("CREATE DATABASE \(quoted) TEMPLATE template0")
                }
            } catch let error as CutoverError {
                let isPrivilegeMissing = error.sqlState == .insufficientPrivilege
                throw CutoverError(
                    isPrivilegeMissing ? .invalidArgument : error.code,
                    "could not create a scratch database '\(name)' on \(settings.endpointDescription) to replay the migrations on: \(error.message)",
                    hint: isPrivilegeMissing
                        ? "the user needs the CREATEDB privilege (ALTER ROLE … CREATEDB) to check drift; `cutover status --no-drift` skips the check"
                        : "check the server's log", databaseCode: error.databaseCode, underlying: error)
            }
            do {
                try await admin.execute("COMMENT ON DATABASE \(quoted) IS \(SQLText.escapedLiteral("\(Self.createdMarker) scratch database for the expected schema of \(settings.database)"))")
            } catch {
                // Unmarked, dropDatabase would refuse it: drop it here, where we know we made it.
                try? await admin.execute("DROP DATABASE IF EXISTS \(quoted)")
                throw error
            }
        }
    }

    /// Drops the scratch database; refuses one without Cutover's marker comment.
    public func dropScratchDatabase(_ url: DatabaseURL, logger: Logger) async throws {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        try await dropDatabase(settings, logger: logger)
    }

    /// `<db>_cutover_scratch_<8 hex digits>`, the database name cut so the whole fits in
    /// PostgreSQL's 63 bytes.
    static func scratchName(for database: String) -> String {
        let suffix = "_cutover_scratch_" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
        var base = database
        while base.utf8.count + suffix.utf8.count > 63 { base.removeLast() }
        return base + suffix
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
