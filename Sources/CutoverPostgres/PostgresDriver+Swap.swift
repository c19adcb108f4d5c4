import CutoverCore
import Logging

extension PostgresDriver: DatabaseSwapping {
    /// `ALTER DATABASE … SET default_transaction_read_only = on` applies to new sessions only,
    /// so the source's existing sessions are ended and reconnect read-only
    /// (https://www.postgresql.org/docs/current/runtime-config-client.html).
    public func pauseWrites(_ source: DatabaseURL, logger: Logger) async throws -> any WritePause {
        let settings = try PostgresConnectionSettings(url: source, configuration: configuration)
        let name = settings.database
        let quoted = PostgresDialect().quoteIdentifier(name)
        try await withMaintenanceSession(settings, avoiding: [name], logger: logger) { admin in
            try await admin.execute("ALTER DATABASE \(quoted) SET default_transaction_read_only = on")
            _ = try await admin.query(
                "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                [.text(name)])
        }
        return PostgresWritePause(driver: self, settings: settings, logger: logger)
    }

    /// Renaming a database needs no session connected to it: connections to both are
    /// refused and ended for the moment of the rename.
    public func swap(_ source: DatabaseURL, with clone: DatabaseURL, keepingOldAs oldName: String, pause: any WritePause, logger: Logger) async throws -> DatabaseURL {
        let settings = try PostgresConnectionSettings(url: source, configuration: configuration)
        let cloneSettings = try PostgresConnectionSettings(url: clone, configuration: configuration)
        let dialect = PostgresDialect()
        let (sourceName, cloneName) = (dialect.quoteIdentifier(settings.database), dialect.quoteIdentifier(cloneSettings.database))
        let old = dialect.quoteIdentifier(oldName)
        try await withMaintenanceSession(settings, avoiding: [settings.database, cloneSettings.database, oldName], logger: logger) { admin in
            try await admin.execute("ALTER DATABASE \(sourceName) WITH ALLOW_CONNECTIONS false")
            do {
                _ = try await admin.query(
                    "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()",
                    [.text(settings.database), .text(cloneSettings.database)])
                try await admin.execute("ALTER DATABASE \(sourceName) RENAME TO \(old)")
            } catch {
                try? await admin.execute("ALTER DATABASE \(sourceName) WITH ALLOW_CONNECTIONS true")
                throw error
            }
            do {
                try await admin.execute("ALTER DATABASE \(cloneName) RENAME TO \(sourceName)")
            } catch {
                // Put the source back under its name before reporting.
                try? await admin.execute("ALTER DATABASE \(old) RENAME TO \(sourceName)")
                try? await admin.execute("ALTER DATABASE \(sourceName) WITH ALLOW_CONNECTIONS true")
                throw error
            }
            do {
                // The migrated database is the live one now: not a clone Cutover may drop.
                try await admin.execute("COMMENT ON DATABASE \(sourceName) IS NULL")
            } catch {
                // Put both names back, so that the caller's cleanup (drop the clone by its
                // name, resume writes on the source) finds what it expects.
                try? await admin.execute("ALTER DATABASE \(sourceName) RENAME TO \(cloneName)")
                try? await admin.execute("ALTER DATABASE \(old) RENAME TO \(sourceName)")
                try? await admin.execute("ALTER DATABASE \(sourceName) WITH ALLOW_CONNECTIONS true")
                throw error
            }
            // The swap has happened: a failure from here on is reported, not thrown, since the
            // caller would otherwise say the source was left as it was.
            let tidying = [
                ("ALTER DATABASE \(sourceName) RESET default_transaction_read_only", "make \(sourceName) writable"),
                ("ALTER DATABASE \(old) WITH ALLOW_CONNECTIONS true", "allow connections to the kept \(old) again"),
                ("COMMENT ON DATABASE \(old) IS \(SQLText.escapedLiteral("the database before `cutover migrate --strategy swap` (kept read-only)"))", "comment on \(old)"),
            ]
            for (sql, what) in tidying {
                do { try await admin.execute(sql) } catch {
                    logger.error("the swap succeeded, but could not \(what); run `\(sql)` yourself: \(error)")
                }
            }
        }
        return source.withDatabase(oldName)
    }

    /// The kept database keeps the `default_transaction_read_only` set while writes were paused.
    public func protectionOfKept(_ old: DatabaseURL) async -> String {
        "new sessions start read-only (default_transaction_read_only = on); a session can still SET it off"
    }
}

/// Undoes ``PostgresDriver/pauseWrites(_:logger:)`` on the (unswapped) source.
struct PostgresWritePause: WritePause {
    let driver: PostgresDriver
    let settings: PostgresConnectionSettings
    let logger: Logger

    func resume() async {
        let quoted = PostgresDialect().quoteIdentifier(settings.database)
        try? await driver.withMaintenanceSession(settings, avoiding: [settings.database], logger: logger) { admin in
            try await admin.execute("ALTER DATABASE \(quoted) RESET default_transaction_read_only")
        }
    }
}
