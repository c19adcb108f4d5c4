import CutoverCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Everything needed to open a session, resolved once from a `postgres://` URL, the driver's
/// configuration and the libpq environment variables. Holds only values, so a
/// ``PostgresDatabase`` can keep it to open its lock session later.
struct PostgresConnectionSettings: Sendable {
    /// libpq's `sslmode` values (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION).
    enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Where the server listens.
    enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// A Unix-domain socket file (`<dir>/.s.PGSQL.<port>`), from a `host` that is a path.
        case socket(path: String)
    }

    /// Query parameters the driver understands. Anything else is refused: a misspelt
    /// `sslmode` silently ignored would connect without the protection the user asked for.
    static let knownParameters = [
        "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options",
        "host", "port", "user", "dbname",
    ]

    var endpoint: Endpoint
    var user: String
    var password: String?
    var database: String
    var sslMode: SSLMode
    var sslRootCert: String?
    var sslCert: String?
    var sslKey: String?
    var connectTimeout: Duration
    var applicationName: String
    /// The libpq `options` startup parameter (`-c search_path=app`), passed through.
    var options: String?
    /// The URL with its password replaced, for messages.
    var redactedURL: String

    /// "localhost:5432" or the socket path: how messages name the server.
    var endpointDescription: String {
        switch endpoint {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .socket(let path): path
        }
    }

    /// Resolves the settings.
    ///
    /// Defaults follow libpq where it is safe to: host `localhost`, port 5432, user `$PGUSER`
    /// or `postgres`, password `$PGPASSWORD`, database = user, `sslmode=prefer`.
    /// - Throws: ``CutoverError`` `.invalidURL` for an unknown parameter or value.
    init(
        url: DatabaseURL, configuration: PostgresDriver.Configuration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        precondition(["postgres", "postgresql"].contains(url.scheme), "PostgresDriver cannot open \(url.scheme): URLs")
        let parameters = url.parameters
        redactedURL = url.redacted

        if let unknown = parameters.keys.sorted().first(where: { !Self.knownParameters.contains($0) }) {
            // The URL is not echoed: an unknown `password=` parameter would leak through it.
            let hint = unknown == "password"
                ? "put the password in the URL's user part (postgres://user:PASSWORD@host/db) or in PGPASSWORD"
                : "supported parameters: \(Self.knownParameters.joined(separator: ", "))"
            throw CutoverError(.invalidURL, "unknown parameter '\(unknown)' in the PostgreSQL URL", hint: hint)
        }

        var port = url.port ?? 5432
        if let text = parameters["port"] {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw CutoverError(.invalidURL, "port '\(text)' in \(url.redacted) is not a port number", hint: "use a number from 1 to 65535")
            }
            port = value
        }
        // A host that is a path names the folder of the server's Unix socket, as in libpq
        // (`?host=/var/run/postgresql`).
        let host = parameters["host"].flatMap { $0.isEmpty ? nil : $0 } ?? url.host ?? "localhost"
        if host.hasPrefix("/") {
            endpoint = .socket(path: host.hasSuffix("/") ? "\(host).s.PGSQL.\(port)" : "\(host)/.s.PGSQL.\(port)")
        } else {
            // URLComponents keeps the brackets of an IPv6 literal; the resolver wants none.
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            endpoint = .tcp(host: bare, port: port)
        }

        user = url.user.flatMap { $0.isEmpty ? nil : $0 } ?? parameters["user"] ?? environment["PGUSER"] ?? "postgres"
        password = url.password ?? environment["PGPASSWORD"]
        database = url.database ?? parameters["dbname"] ?? user

        let modeText = parameters["sslmode"] ?? "prefer"
        guard let mode = SSLMode(rawValue: modeText) else {
            throw CutoverError(
                .invalidURL, "unknown sslmode '\(modeText)' in \(url.redacted)",
                hint: "use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        sslMode = mode
        sslRootCert = parameters["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        sslCert = parameters["sslcert"].flatMap { $0.isEmpty ? nil : $0 }
        sslKey = parameters["sslkey"].flatMap { $0.isEmpty ? nil : $0 }
        if (sslCert == nil) != (sslKey == nil) {
            throw CutoverError(
                .invalidURL, "\(url.redacted) gives only one of sslcert and sslkey",
                hint: "a client certificate needs both sslcert=PATH and sslkey=PATH"
            )
        }

        if let text = parameters["connect_timeout"] {
            let timeout = try DatabaseURL.connectTimeout(text, in: url.redacted)
            // libpq: "Zero, negative, or not specified means wait indefinitely". A day is as
            // good as forever for a connection attempt and keeps the arithmetic finite.
            connectTimeout = timeout == .zero ? .seconds(86_400) : timeout
        } else {
            connectTimeout = configuration.connectTimeout
        }
        applicationName = parameters["application_name"] ?? configuration.applicationName
        options = parameters["options"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: - Connecting

    /// Opens one session and authenticates.
    /// - Throws: ``CutoverError`` `.connectionFailed`, `.authenticationFailed`,
    ///   `.unknownDatabase` or `.invalidURL` (unreadable certificate files); `CancellationError`.
    func connect(applicationName: String, logger: Logger) async throws -> PostgresConnection {
        let configuration = try makeConfiguration(applicationName: applicationName)
        let eventLoop = PostgresConnection.defaultEventLoopGroup.any()
        let (address, timeout) = (numericAddress, connectTimeout)
        // The connect runs in a task of its own, which the caller's cancellation does not
        // reach: postgres-nio 1.33 can wait forever when a connect is cancelled half-way (seen
        // when a failed `async let` sibling cancelled it). It ends by itself (connected,
        // refused, or the connect timeout); a cancelled caller then closes what it got.
        let connecting = Task {
            var endpoint = configuration
            if let address {
                endpoint = try await Self.configuration(configuration, connectingTo: address, on: eventLoop, timeout: timeout)
            }
            return try await PostgresConnection.connect(
                on: eventLoop,
                configuration: endpoint,
                id: Int.random(in: 1...Int(Int32.max)),
                logger: logger
            )
        }
        let connection: PostgresConnection
        do {
            connection = try await connecting.value
        } catch {
            throw connectError(error)
        }
        if Task.isCancelled {
            try? await connection.close()
            throw CancellationError()
        }
        return connection
    }

    /// The server's address when the host is an IP address (`127.0.0.1`, `::1`): nothing to
    /// look up. postgres-nio would still hand the host to a `getaddrinfo` on a thread of its
    /// own, about a millisecond of every command's start.
    var numericAddress: SocketAddress? {
        guard case .tcp(let host, let port) = endpoint else { return nil }
        return try? SocketAddress(ipAddress: host, port: port)
    }

    /// `configuration` with its endpoint replaced by a TCP connection opened to `address`:
    /// postgres-nio then speaks the protocol (TLS included) on that channel, within what is
    /// left of `timeout` (the limit covers the whole connect, as with a host name).
    private static func configuration(
        _ configuration: PostgresConnection.Configuration, connectingTo address: SocketAddress, on eventLoop: any EventLoop,
        timeout: Duration
    ) async throws -> PostgresConnection.Configuration {
        let clock = ContinuousClock()
        let start = clock.now
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(timeout.nanoseconds))
            .connect(to: address).get()
        var connected = PostgresConnection.Configuration(
            establishedChannel: channel, tls: configuration.tls, username: configuration.username,
            password: configuration.password, database: configuration.database)
        connected.options = configuration.options
        let left = max(timeout - (clock.now - start), .milliseconds(1))
        connected.options.connectTimeout = .nanoseconds(left.nanoseconds)
        return connected
    }

    func makeConfiguration(applicationName: String) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            configuration = .init(
                host: host, port: port, username: user, password: password, database: database, tls: try makeTLS()
            )
        case .socket(let path):
            // libpq ignores sslmode on Unix sockets: the traffic never leaves the machine.
            configuration = .init(unixSocketPath: path, username: user, password: password, database: database)
        }
        configuration.options.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        // Sent in the startup packet, so the name is in pg_stat_activity from the first
        // moment (a lock holder is recognisable) and costs no extra round trip.
        var startup = [("application_name", applicationName)]
        if let options { startup.append(("options", options)) }
        configuration.options.additionalStartupParameters = startup
        return configuration
    }

    /// The postgres-nio TLS mode for `sslmode`.
    ///
    /// postgres-nio knows only disable, prefer and require, so `allow` (libpq: plain first,
    /// TLS if the server insists) becomes prefer, which succeeds wherever allow does. As in
    /// libpq, `require` with an `sslrootcert` verifies the chain like `verify-ca`. Without
    /// `sslrootcert`, verification uses the system's trust store (libpq's
    /// `sslrootcert=system`), since Cutover does not read `~/.postgresql/root.crt`.
    func makeTLS() throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable: return .disable
        case .allow, .prefer: tls.certificateVerification = .none
        case .require: tls.certificateVerification = sslRootCert == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let sslRootCert, sslRootCert != "system" {
            try requireReadable(sslRootCert, parameter: "sslrootcert")
            tls.trustRoots = .file(sslRootCert)
        }
        if let sslCert, let sslKey {
            try requireReadable(sslCert, parameter: "sslcert")
            try requireReadable(sslKey, parameter: "sslkey")
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(sslCert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: sslKey, format: .pem))
            } catch {
                throw CutoverError(
                    .invalidURL, "could not load the client certificate \(sslCert) with key \(sslKey)",
                    hint: "sslcert and sslkey must be PEM files (an unencrypted key)", underlying: error
                )
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw CutoverError(
                .invalidURL, "could not set up TLS for \(redactedURL)",
                hint: "check that sslrootcert names a PEM file of CA certificates", underlying: error
            )
        }
        return sslMode == .prefer || sslMode == .allow ? .prefer(context) : .require(context)
    }

    private func requireReadable(_ path: String, parameter: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CutoverError(
                .invalidURL, "\(parameter) file '\(path)' does not exist or cannot be read",
                hint: "fix the path in the URL's \(parameter) parameter"
            )
        }
    }
}

extension Duration {
    /// Whole nanoseconds, for NIO's `TimeAmount`; saturating instead of trapping on overflow.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}
