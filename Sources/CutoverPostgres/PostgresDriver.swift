import CutoverCore
import Foundation
import Logging
import PostgresNIO

/// Opens PostgreSQL sessions for `postgres://` and `postgresql://` URLs, over postgres-nio.
///
/// The URL follows libpq's form, `postgres://user:password@host:port/database?sslmode=require`.
/// Omitted parts default as in libpq where that is safe: host `localhost`, port 5432, user
/// `$PGUSER` or `postgres`, password `$PGPASSWORD`, database named like the user.
///
/// Query parameters:
/// - `sslmode`: `disable`, `allow`, `prefer` (default), `require`, `verify-ca`, `verify-full`.
/// - `sslrootcert=PATH`: CA certificates (PEM) to verify the server with; `system` or absent
///   means the system trust store.
/// - `sslcert=PATH`, `sslkey=PATH`: a client certificate (PEM, unencrypted key).
/// - `connect_timeout=SECONDS`: limit for connecting and authenticating (0: no limit).
/// - `application_name=NAME`: shown in `pg_stat_activity`.
/// - `options=-c name=value`: run-time settings for the session, passed as in libpq.
/// - `host=/path/to/socket/dir`: a Unix-socket folder instead of a TCP host; also `port`,
///   `user`, `dbname`.
///
/// Unknown parameters are refused, so a misspelt `sslmode` cannot silently drop TLS.
///
/// ```swift
/// let driver = PostgresDriver()
/// let db = try await driver.open(DatabaseURL("postgres://app@db.internal/shop?sslmode=verify-full"), logger: logger)
/// let rows = try await db.query("SELECT count(*) AS n FROM users")
/// await db.close()
/// ```
///
/// ## Topics
/// ### Opening sessions
/// - ``open(_:logger:)``
/// - ``connect(_:logger:)``
/// ### Options
/// - ``Configuration``
public struct PostgresDriver: DatabaseDriver {
    /// Defaults the URL can override.
    public struct Configuration: Sendable {
        /// How long connecting and authenticating may take, unless the URL has `connect_timeout`.
        public var connectTimeout: Duration = .seconds(10)
        /// The `application_name` sessions report, unless the URL has `application_name`.
        public var applicationName: String = "cutover"

        /// Creates a configuration with the defaults.
        public init() {}
    }

    /// The defaults this driver connects with.
    public var configuration: Configuration

    /// Creates a driver.
    /// - Parameter configuration: defaults for the connect timeout and application name.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// `postgres` and `postgresql`.
    public var schemes: [String] { ["postgres", "postgresql"] }

    /// ``PostgresDialect``.
    public var dialect: any Dialect { PostgresDialect() }

    /// The driver with `[safety] connect_timeout` as its connect timeout.
    public func configured(for safety: CutoverCore.Configuration.Safety) -> any DatabaseDriver {
        var driver = self
        driver.configuration.connectTimeout = safety.connectTimeout
        return driver
    }

    /// Opens a session; see ``connect(_:logger:)``.
    public func open(_ url: DatabaseURL, logger: Logger) async throws -> any Database {
        try await connect(url, logger: logger)
    }

    /// Opens a session and returns it as its concrete type.
    ///
    /// - Parameters:
    ///   - url: a `postgres://` or `postgresql://` URL.
    ///   - logger: receives connection events (debug) and SQL text (debug).
    /// - Returns: an open session in autocommit mode.
    /// - Throws: ``CutoverError`` with `.connectionFailed` (unreachable, refused, timed out,
    ///   TLS refused or unverifiable), `.authenticationFailed` (wrong password, unknown role,
    ///   no `pg_hba.conf` entry), `.unknownDatabase`, or `.invalidURL` (bad parameters or
    ///   certificate files). Messages name the server, never the password.
    /// - Precondition: the URL's scheme is one of ``schemes``.
    public func connect(_ url: DatabaseURL, logger: Logger) async throws -> PostgresDatabase {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        return try await PostgresDatabase.open(settings: settings, logger: logger)
    }
}
