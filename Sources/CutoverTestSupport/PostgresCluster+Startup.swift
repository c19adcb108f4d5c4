import CutoverCore
import CutoverPostgres
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Creating, configuring and starting the throw-away cluster.
extension PostgresCluster {

    static func start(_ configuration: Configuration) async throws -> Server {
        if configuration.usesEnvironment, let text = ProcessInfo.processInfo.environment["CUTOVER_TEST_POSTGRES_URL"], !text.isEmpty {
            let url = try DatabaseURL(text)
            return Server(
                url: url, password: url.password, directory: nil, binDirectory: nil, caCertificatePath: nil,
                clientCertificatePath: nil, clientKeyPath: nil, port: url.port
            )
        }
        let bin = try await findBinDirectory()
        removeAbandonedClusters()
        let runsAsRoot = geteuid() == 0
        guard !runsAsRoot || getpwnam("postgres") != nil else {
            throw PostgresClusterError(
                "PostgreSQL refuses to run as root, and there is no 'postgres' user to run the test cluster as; "
                    + "install the server package (apt-get install -y postgresql), which creates it, or set CUTOVER_TEST_POSTGRES_URL"
            )
        }

        let directory = "/tmp/cutover-pg-" + randomHex(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let password = "pw-" + randomHex(16)
        let data = directory + "/data"
        try "\(getpid())\n".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        var tlsFiles: TLSFiles?
        if configuration.tls { tlsFiles = try await makeCertificates(in: directory) }
        if runsAsRoot { try chownToPostgres(directory) }
        ClusterRegistry.shared.register(directory: directory)

        let initdb = try await run(bin + "/initdb", [
            "-D", data, "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=\(directory)/pwfile",
        ], asPostgresUser: runsAsRoot, in: directory)
        guard initdb.status == 0 else {
            throw PostgresClusterError("initdb failed for the test cluster in \(data)", details: initdb.output)
        }
        var hba = "local all all trust\n"
        if tlsFiles != nil {
            hba += "hostssl all \(certificateUser) 127.0.0.1/32 cert\n"
        }
        hba += "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n"
        try hba.write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
        if let tlsFiles {
            // In postgresql.conf rather than on the command line, so a test can turn TLS
            // off with ALTER SYSTEM (command-line settings would override it).
            let settings = [
                "", "ssl = on", "ssl_cert_file = '\(tlsFiles.serverCertificate)'", "ssl_key_file = '\(tlsFiles.serverKey)'",
                "ssl_ca_file = '\(tlsFiles.caCertificate)'", "",
            ].joined(separator: "\n")
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
            try file.seekToEnd()
            try file.write(contentsOf: Data(settings.utf8))
            try file.close()
        }

        var lastFailure = ""
        // A port found free can be taken before the server binds it; try a few.
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let settings = [
                "-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1", "-c fsync=off",
                "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=600",
            ]
            let started = try await run(bin + "/pg_ctl", [
                "-D", data, "-o", settings.joined(separator: " "), "-l", directory + "/log", "-w", "-t", "60", "start",
            ], asPostgresUser: runsAsRoot, in: directory)
            if started.status == 0 {
                var url = try DatabaseURL("postgres://postgres:\(password)@127.0.0.1:\(port)/postgres")
                if tlsFiles != nil {
                    url = try DatabaseURL("postgres://postgres:\(password)@localhost:\(port)/postgres?sslmode=require")
                }
                let server = Server(
                    url: url, password: password, directory: directory, binDirectory: bin,
                    caCertificatePath: tlsFiles?.caCertificate, clientCertificatePath: tlsFiles?.clientCertificate,
                    clientKeyPath: tlsFiles?.clientKey, port: port
                )
                if tlsFiles != nil {
                    let admin = try await PostgresDriver().connect(url, logger: Logger(label: "cutover-test") { _ in SwiftLogNoOpLogHandler() })
                    try await admin.execute("CREATE ROLE \(certificateUser) LOGIN")
                    await admin.close()
                }
                return server
            }
            let log = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
            lastFailure = started.output + "\n" + String(log.suffix(2000))
            if !log.contains("could not bind") && !log.contains("in use") { break }
        }
        throw PostgresClusterError(
            "the test PostgreSQL cluster in \(directory) did not start (CUTOVER_TEST_POSTGRES_URL can name an existing server instead)",
            details: lastFailure
        )
    }

    /// `$CUTOVER_TEST_POSTGRES_BIN`, else `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin`, else the folder of `initdb` on PATH.
    static func findBinDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment, libraryRoot: String = "/usr/lib/postgresql"
    ) async throws -> String {
        let fileManager = FileManager.default
        func hasServer(_ folder: String) -> Bool {
            fileManager.isExecutableFile(atPath: folder + "/initdb") && fileManager.isExecutableFile(atPath: folder + "/pg_ctl")
        }
        if let explicit = environment["CUTOVER_TEST_POSTGRES_BIN"], !explicit.isEmpty {
            guard hasServer(explicit) else {
                throw PostgresClusterError("CUTOVER_TEST_POSTGRES_BIN=\(explicit) holds no initdb and pg_ctl")
            }
            return explicit
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let pathFolders = path.split(separator: ":").map(String.init)
        if let pgConfig = pathFolders.map({ $0 + "/pg_config" }).first(where: fileManager.isExecutableFile(atPath:)),
            let result = try? await run(pgConfig, ["--bindir"], asPostgresUser: false), result.status == 0,
            hasServer(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let versions = ((try? fileManager.contentsOfDirectory(atPath: libraryRoot)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        if let version = versions.first(where: { hasServer("\(libraryRoot)/\($0)/bin") }) {
            return "\(libraryRoot)/\(version)/bin"
        }
        if let folder = pathFolders.first(where: hasServer) { return folder }
        throw PostgresClusterError(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found for the integration tests. Install them "
                + "(Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql), "
                + "or set CUTOVER_TEST_POSTGRES_URL=postgres://user:password@host:port/postgres to use a running server, "
                + "or CUTOVER_TEST_POSTGRES_BIN to the folder holding initdb and pg_ctl"
        )
    }

    // MARK: - TLS material

    private struct TLSFiles {
        var caCertificate: String
        var serverCertificate: String
        var serverKey: String
        var clientCertificate: String
        var clientKey: String
    }

    /// A test CA, a server certificate for localhost / 127.0.0.1 and a client certificate for
    /// ``certificateUser``, all P-256 keys valid for two days.
    private static func makeCertificates(in directory: String) async throws -> TLSFiles {
        let files = TLSFiles(
            caCertificate: directory + "/ca.crt", serverCertificate: directory + "/server.crt",
            serverKey: directory + "/server.key", clientCertificate: directory + "/client.crt", clientKey: directory + "/client.key"
        )
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) ?? "openssl"
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-days", "2", "-subj", "/CN=cutover-test-ca", "-keyout", directory + "/ca.key", "-out", files.caCertificate,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"] + key,
            ["req", "-new", "-subj", "/CN=localhost", "-keyout", files.serverKey, "-out", directory + "/server.csr"] + key,
            ["x509", "-req", "-in", directory + "/server.csr", "-CA", files.caCertificate, "-CAkey", directory + "/ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", directory + "/server.ext", "-out", files.serverCertificate],
            ["req", "-new", "-subj", "/CN=\(certificateUser)", "-keyout", files.clientKey, "-out", directory + "/client.csr"] + key,
            ["x509", "-req", "-in", directory + "/client.csr", "-CA", files.caCertificate, "-CAkey", directory + "/ca.key",
             "-CAcreateserial", "-days", "2", "-out", files.clientCertificate],
        ]
        for arguments in steps {
            let result = try await run(openssl, arguments, asPostgresUser: false, in: directory)
            guard result.status == 0 else {
                throw PostgresClusterError("openssl failed to make the test certificates (is openssl installed?)", details: result.output)
            }
        }
        // PostgreSQL refuses a key file others can read.
        chmod(files.serverKey, 0o600)
        chmod(files.clientKey, 0o600)
        return files
    }
}
