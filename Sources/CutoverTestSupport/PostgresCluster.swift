import CutoverCore
import CutoverPostgres
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real PostgreSQL server for tests: a throw-away cluster started once per test process
/// from the installed binaries, or the server named by `CUTOVER_TEST_POSTGRES_URL`.
///
/// The own cluster is created with `initdb` in a fresh folder under `/tmp`, listens on a free
/// port of 127.0.0.1 (and a Unix socket in that folder), trusts local socket connections and
/// asks TCP clients for a SCRAM password, so wrong-password paths are real. It runs with
/// `fsync=off` because its data is thrown away, and is stopped (`immediate`) and deleted when
/// the process exits; clusters left behind by a crashed test process are removed by the
/// next one. As root (PostgreSQL refuses to run as root) the binaries run as the `postgres`
/// system user through `runuser`.
///
/// ```swift
/// @Test func createsTable() async throws {
///     try await PostgresCluster.shared.withDatabase { url in
///         let db = try await PostgresDriver().connect(url, logger: logger)
///         try await db.execute("CREATE TABLE t (id int)")
///         await db.close()
///     }
/// }
/// ```
///
/// The binaries are `$CUTOVER_TEST_POSTGRES_BIN`, else those `pg_config --bindir` names,
/// else the newest `/usr/lib/postgresql/*/bin`, else `initdb` on PATH. When none are
/// installed, every call throws a ``PostgresClusterError`` that says how to install them:
/// tests fail rather than skip.
///
/// ## Topics
/// ### Clusters
/// - ``shared``
/// - ``init(configuration:)``
/// - ``Configuration``
/// ### Databases
/// - ``makeDatabase(prefix:)``
/// - ``dropDatabase(_:)``
/// - ``withDatabase(prefix:_:)``
/// ### The server
/// - ``server()``
/// - ``baseURL()``
/// - ``superuserURL(database:)``
/// - ``executeAsSuperuser(_:)``
/// - ``queryAsSuperuser(_:)``
/// - ``certificateUser``
/// - ``Server``
/// ### Helpers
/// - ``run(_:_:asPostgresUser:in:)``
/// - ``randomHex(_:)``
/// - ``PostgresClusterError``
public actor PostgresCluster {
    /// What kind of server to provide.
    public struct Configuration: Sendable {
        /// Start the cluster with `ssl=on`, a test CA, a server certificate for `localhost`
        /// and 127.0.0.1, and a client certificate for role `certuser` (pg_hba `cert`).
        public var tls: Bool
        /// Use `CUTOVER_TEST_POSTGRES_URL` when it is set instead of starting a cluster.
        public var usesEnvironment: Bool

        /// Creates a configuration.
        public init(tls: Bool = false, usesEnvironment: Bool = true) {
            self.tls = tls
            self.usesEnvironment = usesEnvironment
        }
    }

    /// A running server.
    public struct Server: Sendable {
        /// Superuser URL of the `postgres` database (the environment URL as given).
        public let url: DatabaseURL
        /// The superuser's password (own clusters; nil for an environment URL without one).
        public let password: String?
        /// The folder holding the cluster: data directory, Unix socket, log, certificates.
        /// Nil for an environment server.
        public let directory: String?
        /// The folder of `initdb`, `pg_ctl`, `pg_dump`, … that started the cluster.
        public let binDirectory: String?
        /// The CA certificate that signed the server and client certificates (TLS clusters).
        public let caCertificatePath: String?
        /// A client certificate and key for role `certuser` (TLS clusters).
        public let clientCertificatePath: String?
        /// The key of ``clientCertificatePath``.
        public let clientKeyPath: String?
        /// The TCP port (own clusters).
        public let port: Int?
    }

    /// The cluster every test shares: `CUTOVER_TEST_POSTGRES_URL` or one own cluster without TLS.
    public static let shared = PostgresCluster()

    /// The role name a TLS cluster authenticates by client certificate.
    public static let certificateUser = "certuser"

    private let configuration: Configuration
    private var startup: Task<Server, any Error>?
    private var adminSession: Task<PostgresDatabase, any Error>?
    private let logger = Logger(label: "cutover-test-postgres") { _ in SwiftLogNoOpLogHandler() }

    /// Creates a cluster handle; nothing starts until first use.
    /// - Parameter configuration: TLS and whether the environment URL may be used.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    // MARK: - Server

    /// The running server, starting it on first use (once, even under concurrent callers).
    /// - Throws: ``PostgresClusterError`` when the binaries are missing or the cluster does
    ///   not start (the description includes the end of its log); ``CutoverError`` when
    ///   `CUTOVER_TEST_POSTGRES_URL` is not a valid URL.
    public func server() async throws -> Server {
        if let startup { return try await startup.value }
        let configuration = self.configuration
        let task = Task { try await Self.start(configuration) }
        startup = task
        return try await task.value
    }

    /// The superuser URL of the `postgres` database.
    public func baseURL() async throws -> DatabaseURL {
        try await server().url
    }

    /// The superuser URL of `database`.
    public func superuserURL(database: String) async throws -> DatabaseURL {
        try await server().url.withDatabase(database)
    }

    /// Runs one statement as the superuser in the `postgres` database (roles, `ALTER SYSTEM`).
    /// - Throws: ``CutoverError`` from the driver.
    public func executeAsSuperuser(_ sql: String) async throws {
        let admin = try await admin()
        try await Self.uncancelled { try await admin.execute(sql) }
    }

    /// Runs one query as the superuser in the `postgres` database.
    /// - Throws: ``CutoverError`` from the driver.
    public func queryAsSuperuser(_ sql: String) async throws -> [Row] {
        let admin = try await admin()
        return try await Self.uncancelled { try await admin.query(sql) }
    }

    /// Runs a statement of the shared superuser session in a task of its own: a cancelled
    /// caller (a test over its time limit) must not cancel it, because cancelling a statement
    /// closes its session, and every other test's statement on the shared session with it.
    private static func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    /// One superuser session shared by all callers, reopened when it failed or was closed.
    private func admin() async throws -> PostgresDatabase {
        if let current = adminSession {
            if let session = try? await current.value, !session.isClosed { return session }
            // Only the first caller to see the broken session replaces it; the others
            // (resuming after this actor hop) find the replacement below.
            if adminSession == current { adminSession = nil }
        }
        if let replacement = adminSession { return try await replacement.value }
        let url = try await baseURL()
        let logger = self.logger
        let task = Task { try await TestBackend.patientPostgres.connect(url, logger: logger) }
        adminSession = task
        return try await task.value
    }

    // MARK: - Databases

    /// Creates an empty, randomly named database (`t_3f9a0c1b2d`) and returns its superuser URL.
    /// - Parameter prefix: the start of the name, letters, digits and `_`.
    /// - Throws: ``PostgresClusterError`` when the server cannot be started, ``CutoverError``
    ///   when it cannot be reached.
    public func makeDatabase(prefix: String = "t") async throws -> DatabaseURL {
        let clean = String(prefix.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }.prefix(40))
        let name = (clean.isEmpty ? "t" : clean) + "_" + Self.randomHex(10)
        try await executeAsSuperuser("CREATE DATABASE \"\(name)\"")
        return try await baseURL().withDatabase(name)
    }

    /// Drops the database of `url`, ending sessions still connected to it. Errors are ignored.
    public func dropDatabase(_ url: DatabaseURL) async {
        guard let name = url.database, name != "postgres", let admin = try? await admin() else { return }
        let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        // WITH (FORCE) (PostgreSQL 13+) ends leftover sessions, such as a lock session of a
        // test that failed before releasing it.
        let sql = admin.serverVersionNumber >= 130000
            ? "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)" : "DROP DATABASE IF EXISTS \(quoted)"
        try? await Self.uncancelled { try await admin.execute(sql) }
    }

    /// Waits until no session is connected to the database of `url`: a backend ends a moment
    /// after its client has closed the connection, and until then it counts as connected
    /// (a template copy, for one, refuses to start). Polls `pg_stat_activity` for at most
    /// `limit`.
    /// - Returns: whether the database had no sessions left in time.
    @discardableResult
    public func waitUntilNoSessions(on url: DatabaseURL, limit: Duration = .seconds(30)) async throws -> Bool {
        guard let name = url.database else { return true }
        let quoted = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let count = try await queryAsSuperuser("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = \(quoted)").first?.int("n") ?? 0
            if count == 0 { return true }
            if clock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body` with a new database, drops it when `body` returns, and keeps it when
    /// `body` throws so the state can be inspected (its name is printed to stderr).
    /// - Parameters:
    ///   - prefix: the start of the database name.
    ///   - body: the test, given the database's superuser URL.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` or ``makeDatabase(prefix:)`` throws.
    public nonisolated func withDatabase<T>(
        prefix: String = "t", _ body: (DatabaseURL) async throws -> T
    ) async throws -> T {
        let url = try await makeDatabase(prefix: prefix)
        do {
            let result = try await body(url)
            await dropDatabase(url)
            return result
        } catch {
            FileHandle.standardError.write(Data("kept test database \(url.database ?? "?") (\(url.redacted)) after a failure\n".utf8))
            throw error
        }
    }
}
