import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@testable import CutoverPostgres

@Suite("PostgresDriver connecting")
struct PostgresConnectionTests {
    /// The shared cluster's URL with other credentials or another database.
    func makeURL(user: String? = nil, password: String?, database: String = "postgres", query: String = "") async throws -> DatabaseURL {
        let base = try await PostgresCluster.shared.baseURL()
        let host = base.host ?? "127.0.0.1"
        let port = base.port ?? 5432
        let credentials = (user ?? base.user ?? "postgres") + (password.map { ":" + $0 } ?? "")
        return try DatabaseURL("postgres://\(credentials)@\(host):\(port)/\(database)\(query)")
    }

    @Test("a wrong password is an authentication failure that does not show the password")
    func wrongPassword() async throws {
        let secret = "not-the-password-\(Int.random(in: 1000...9999))"
        let url = try await makeURL(password: secret)
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(url, logger: testLogger) }
        #expect(error.code == .authenticationFailed)
        #expect(error.sqlState == .invalidPassword)
        #expect(error.message.contains("postgres"))
        #expect(error.hint?.contains("password") == true)
        #expect(!String(reflecting: error).contains(secret))
        #expect(error.exitCode == 4)
    }

    @Test("an unknown role is an authentication failure")
    func unknownRole() async throws {
        let url = try await makeURL(user: "no_such_role", password: "whatever")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(url, logger: testLogger) }
        #expect(error.code == .authenticationFailed)
        #expect(error.message.contains("no_such_role"))
    }

    @Test("a role with a password logs in with it and is refused without it")
    func passwordRole() async throws {
        let role = "app_" + PostgresCluster.randomHex(6)
        try await PostgresCluster.shared.executeAsSuperuser("CREATE ROLE \(role) LOGIN PASSWORD 's3cret/with@signs'")
        let good = try await makeURL(user: role, password: "s3cret%2Fwith%40signs")
        let db = try await PostgresDriver().connect(good, logger: testLogger)
        #expect(try await scalar(db, "SELECT current_user") == .text(role))
        await db.close()

        // No password at all: the server asks for one.
        var settings = try PostgresConnectionSettings(
            url: try await makeURL(user: role, password: nil), configuration: .init(), environment: [:]
        )
        settings.password = nil
        let error = try await #require(throws: CutoverError.self) {
            try await PostgresDatabase.open(settings: settings, logger: testLogger)
        }
        #expect(error.code == .authenticationFailed)
        #expect(error.hint?.contains("PGPASSWORD") == true)
        try await PostgresCluster.shared.executeAsSuperuser("DROP ROLE \(role)")
    }

    @Test("a database that does not exist is reported with a createdb hint")
    func unknownDatabase() async throws {
        let base = try await PostgresCluster.shared.baseURL()
        let url = base.withDatabase("no_such_db_here")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(url, logger: testLogger) }
        #expect(error.code == .unknownDatabase)
        #expect(error.sqlState == .invalidCatalogName)
        #expect(error.message.contains("no_such_db_here"))
        #expect(error.hint == "create it with createdb no_such_db_here or fix the URL")
    }

    @Test("a closed port is a connection failure naming host and port, without the password")
    func connectionRefused() async throws {
        let port = try closedLoopbackPort()
        let url = try DatabaseURL("postgres://app:hunter2secret@127.0.0.1:\(port)/shop")
        let started = ContinuousClock.now
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(url, logger: testLogger) }
        #expect(ContinuousClock.now - started < .seconds(60), "refused at once, not after an OS connect timeout (slack for a loaded machine)")
        #expect(error.code == .connectionFailed)
        #expect(error.message == "could not connect to 127.0.0.1:\(port) (connection refused)")
        #expect(error.hint == "is PostgreSQL running? check host and port in the URL")
        #expect(!String(reflecting: error).contains("hunter2secret"))
    }

    @Test("a server that never answers times out after connect_timeout")
    func connectTimeout() async throws {
        let listener = try SilentListener()
        let url = try DatabaseURL("postgres://app:hunter2secret@127.0.0.1:\(listener.port)/shop?connect_timeout=1")
        let started = ContinuousClock.now
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(url, logger: testLogger) }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(60), "after connect_timeout, not never (slack for a loaded machine)")
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("timed out"))
        #expect(!String(reflecting: error).contains("hunter2secret"))

        // Without connect_timeout the driver's configuration applies.
        var configuration = PostgresDriver.Configuration()
        configuration.connectTimeout = .milliseconds(500)
        let plain = try DatabaseURL("postgres://app@127.0.0.1:\(listener.port)/shop")
        let quick = ContinuousClock.now
        await #expect(throws: CutoverError.self) { try await PostgresDriver(configuration: configuration).connect(plain, logger: testLogger) }
        #expect(ContinuousClock.now - quick < .seconds(60), "bounded by the 500 ms timeout, with slack for a loaded machine")
    }

    @Test("application_name and options reach the server")
    func startupParameters() async throws {
        try await withSession { db, url in
            #expect(try await scalar(db, "SELECT current_setting('application_name')") == .text("cutover"))
            if db.serverVersionNumber >= 140000 {
                #expect(try await scalar(db, "SHOW client_connection_check_interval") == .text("1s"))
            }
            let named = try DatabaseURL(url.redacted.replacingOccurrences(of: "***", with: url.password ?? "")
                + "?application_name=deployer&options=-c%20search_path%3Dcustom")
            let other = try await PostgresDriver().connect(named, logger: testLogger)
            #expect(try await scalar(other, "SELECT current_setting('application_name')") == .text("deployer"))
            #expect(try await scalar(other, "SHOW search_path") == .text("custom"))
            await other.close()

            var configuration = PostgresDriver.Configuration()
            configuration.applicationName = "from-config"
            let third = try await PostgresDriver(configuration: configuration).connect(url, logger: testLogger)
            #expect(try await scalar(third, "SELECT current_setting('application_name')") == .text("from-config"))
            await third.close()
        }
    }

    @Test("URL parameters are validated")
    func urlValidation() async throws {
        let badMode = try DatabaseURL("postgres://app:pw@db.example/shop?sslmode=required")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().open(badMode, logger: testLogger) }
        #expect(error.code == .invalidURL)
        #expect(error.hint == "use one of disable, allow, prefer, require, verify-ca, verify-full")

        let typo = try DatabaseURL("postgres://app:pw@db.example/shop?sslmod=require")
        let typoError = try await #require(throws: CutoverError.self) { try await PostgresDriver().open(typo, logger: testLogger) }
        #expect(typoError.code == .invalidURL)
        #expect(typoError.message.contains("sslmod"))

        let leaky = try DatabaseURL("postgres://app@db.example/shop?password=topsecret")
        let leakyError = try await #require(throws: CutoverError.self) { try await PostgresDriver().open(leaky, logger: testLogger) }
        #expect(!String(reflecting: leakyError).contains("topsecret"))

        // connect_timeout is checked where the URL is parsed, so a config error names its line.
        let timeoutError = try #require(throws: CutoverError.self) { try DatabaseURL("postgres://app@db.example/shop?connect_timeout=soon") }
        #expect(timeoutError.code == .invalidURL)

        let missingRoot = try DatabaseURL("postgres://app@db.example/shop?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
        let rootError = try await #require(throws: CutoverError.self) { try await PostgresDriver().open(missingRoot, logger: testLogger) }
        #expect(rootError.code == .invalidURL)
        #expect(rootError.message.contains("/nonexistent/ca.pem"))
    }

    @Test("defaults follow libpq: localhost, 5432, PGUSER, PGPASSWORD, database = user")
    func defaults() throws {
        let bare = try PostgresConnectionSettings(
            url: DatabaseURL("postgres://"), configuration: .init(), environment: ["PGUSER": "deploy", "PGPASSWORD": "pw"]
        )
        #expect(bare.endpoint == .tcp(host: "localhost", port: 5432))
        #expect(bare.user == "deploy")
        #expect(bare.password == "pw")
        #expect(bare.database == "deploy")
        #expect(bare.sslMode == .prefer)
        #expect(bare.connectTimeout == .seconds(10))

        let none = try PostgresConnectionSettings(url: DatabaseURL("postgresql://db.internal/shop"), configuration: .init(), environment: [:])
        #expect(none.user == "postgres")
        #expect(none.password == nil)
        #expect(none.database == "shop")

        let socket = try PostgresConnectionSettings(
            url: DatabaseURL("postgres:///shop?host=/var/run/postgresql&port=5433&connect_timeout=2.5"), configuration: .init(),
            environment: [:]
        )
        #expect(socket.endpoint == .socket(path: "/var/run/postgresql/.s.PGSQL.5433"))
        #expect(socket.connectTimeout == .milliseconds(2500))

        let ipv6 = try PostgresConnectionSettings(url: DatabaseURL("postgres://u@[::1]:6000/db"), configuration: .init(), environment: [:])
        #expect(ipv6.endpoint == .tcp(host: "::1", port: 6000))
        #expect(ipv6.endpointDescription == "[::1]:6000")
    }

    @Test("an IP address is connected to directly; a host name and a socket go through the resolver")
    func numericAddresses() throws {
        func address(_ url: String) throws -> String? {
            try PostgresConnectionSettings(url: DatabaseURL(url), configuration: .init(), environment: [:]).numericAddress.map { "\($0)" }
        }
        #expect(try address("postgres://u@127.0.0.1:6000/db")?.contains("127.0.0.1") == true)
        #expect(try address("postgres://u@[::1]:6000/db")?.contains("::1") == true)
        #expect(try address("postgres://u@localhost:6000/db") == nil)
        #expect(try address("postgres://u@db.internal/db") == nil)
        #expect(try address("postgres:///shop?host=/var/run/postgresql") == nil)
    }

    @Test("a host name connects as well as an IP address")
    func hostName() async throws {
        let base = try await PostgresCluster.shared.baseURL()
        let credentials = (base.user ?? "postgres") + (base.password.map { ":" + $0 } ?? "")
        let url = try DatabaseURL("postgres://\(credentials)@localhost:\(base.port ?? 5432)/postgres")
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        #expect(try await db.query("SELECT 1 AS one").first?.int("one") == 1)
        await db.close()
    }
}
