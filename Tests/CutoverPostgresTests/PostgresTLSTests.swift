import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

/// TLS against an own cluster with `ssl=on` and a test CA. Serialized: one test turns the
/// server's TLS off and on again.
@Suite("PostgresDriver TLS", .serialized)
struct PostgresTLSTests {
    static let cluster = PostgresCluster(configuration: .init(tls: true, usesEnvironment: false))

    func makeURL(host: String = "localhost", user: String = "postgres", withPassword: Bool = true, _ query: String) async throws -> DatabaseURL {
        let server = try await Self.cluster.server()
        let password = withPassword ? ":" + (server.password ?? "") : ""
        return try DatabaseURL("postgres://\(user)\(password)@\(host):\(try #require(server.port))/postgres?\(query)")
    }

    /// Whether the session's connection is encrypted.
    func isEncrypted(_ url: DatabaseURL) async throws -> Bool {
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        let value = try await scalar(db, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        await db.close()
        return value == .bool(true)
    }

    @Test("sslmode disable, prefer and require")
    func modes() async throws {
        #expect(try await isEncrypted(makeURL("sslmode=require")))
        #expect(try await isEncrypted(makeURL("sslmode=prefer")))
        #expect(try await isEncrypted(makeURL("sslmode=allow")))
        #expect(try await !isEncrypted(makeURL("sslmode=disable")))
    }

    @Test("verify-full and verify-ca check the certificate against sslrootcert")
    func verification() async throws {
        let ca = try #require(try await Self.cluster.server().caCertificatePath)
        #expect(try await isEncrypted(makeURL("sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(try await isEncrypted(makeURL(host: "127.0.0.1", "sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(try await isEncrypted(makeURL("sslmode=verify-ca&sslrootcert=\(ca)")))

        // The test CA is not in the system trust store.
        let untrusted = try await makeURL("sslmode=verify-full")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(untrusted, logger: testLogger) }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("TLS handshake failed"))
        #expect(error.hint?.contains("sslrootcert") == true)
    }

    @Test("a client certificate authenticates its role")
    func clientCertificate() async throws {
        let server = try await Self.cluster.server()
        let ca = try #require(server.caCertificatePath)
        let cert = try #require(server.clientCertificatePath)
        let key = try #require(server.clientKeyPath)
        let url = try await makeURL(
            user: PostgresCluster.certificateUser, withPassword: false,
            "sslmode=verify-full&sslrootcert=\(ca)&sslcert=\(cert)&sslkey=\(key)"
        )
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        #expect(try await scalar(db, "SELECT current_user") == .text(PostgresCluster.certificateUser))
        await db.close()

        let onlyCert = try await makeURL(user: PostgresCluster.certificateUser, withPassword: false, "sslmode=require&sslcert=\(cert)")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(onlyCert, logger: testLogger) }
        #expect(error.code == .invalidURL)
    }

    @Test("a Unix-socket folder as host connects without TLS")
    func unixSocket() async throws {
        let server = try await Self.cluster.server()
        let directory = try #require(server.directory)
        let url = try DatabaseURL("postgres:///postgres?host=\(directory)&port=\(try #require(server.port))&sslmode=require")
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        #expect(try await scalar(db, "SELECT inet_server_addr() IS NULL") == .bool(true))
        await db.close()

        let missing = try DatabaseURL("postgres:///postgres?host=/nonexistent&port=5432")
        let error = try await #require(throws: CutoverError.self) { try await PostgresDriver().connect(missing, logger: testLogger) }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("/nonexistent/.s.PGSQL.5432"))
    }

    @Test("sslmode=require against a server without TLS fails with an sslmode hint")
    func serverWithoutTLS() async throws {
        try await setServerSSL(false)
        do {
            let error = try await #require(throws: CutoverError.self) {
                try await PostgresDriver().connect(makeURL("sslmode=require"), logger: testLogger)
            }
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("does not accept TLS"))
            #expect(error.hint?.contains("sslmode") == true)
            // prefer falls back to a plain connection.
            #expect(try await !isEncrypted(makeURL("sslmode=prefer")))
        } catch {
            try await setServerSSL(true)
            throw error
        }
        try await setServerSSL(true)
    }

    /// Turns `ssl` off or on with ALTER SYSTEM and waits until new sessions see it.
    func setServerSSL(_ on: Bool) async throws {
        try await Self.cluster.executeAsSuperuser(on ? "ALTER SYSTEM RESET ssl" : "ALTER SYSTEM SET ssl = off")
        try await Self.cluster.executeAsSuperuser("SELECT pg_reload_conf()")
        let probe = try await makeURL("sslmode=disable")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let db = try await PostgresDriver().connect(probe, logger: testLogger)
            let value = try await scalar(db, "SHOW ssl")
            await db.close()
            if value == .text(on ? "on" : "off") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the server did not switch ssl \(on ? "on" : "off")")
    }
}
