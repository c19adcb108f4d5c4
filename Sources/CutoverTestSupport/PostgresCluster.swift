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
/// - ``Server``
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
        try await admin().execute(sql)
    }

    /// Runs one query as the superuser in the `postgres` database.
    /// - Throws: ``CutoverError`` from the driver.
    public func queryAsSuperuser(_ sql: String) async throws -> [Row] {
        try await admin().query(sql)
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
        let task = Task { try await PostgresDriver().connect(url, logger: logger) }
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
        try await admin().execute("CREATE DATABASE \"\(name)\"")
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
        try? await admin.execute(sql)
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

    // MARK: - Starting

    private static func start(_ configuration: Configuration) async throws -> Server {
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
                "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=200",
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

    // MARK: - Processes

    /// Runs a program to completion and returns its exit status and combined output.
    ///
    /// Uses `posix_spawn` with every inherited descriptor above stderr closed, not
    /// Foundation's `Process`: on Linux, `Process` learns that a child ended when a socket it
    /// hands the child closes, and `pg_ctl start` leaves a server running that inherits that
    /// socket, so the wait would never end.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    ///   - asPostgresUser: run it as the `postgres` system user through `runuser` (for the
    ///     server binaries, which refuse root).
    ///   - directory: the working directory; defaults to `/tmp`, which every user can enter.
    /// - Returns: the exit status (128 + signal when killed) and what the program wrote to
    ///   stdout and stderr.
    /// - Throws: ``PostgresClusterError`` when the program cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], asPostgresUser: Bool, in directory: String = "/tmp"
    ) async throws -> (status: Int32, output: String) {
        let runuser = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
        let argv = asPostgresUser ? [runuser, "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        // Output goes to a file, not a pipe: a server left running could hold a pipe open,
        // and a file never blocks a chatty child.
        let outputPath = NSTemporaryDirectory() + "cutover-run-" + randomHex(8) + ".log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            // spawn + blocking waitpid on a plain thread, off the cooperative pool.
            DispatchQueue.global().async {
                do {
                    let pid = try spawn(argv, directory: directory, outputPath: outputPath)
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
                    let signal = status & 0x7f
                    continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status, text)
    }

    private static func spawn(_ argv: [String], directory: String, outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        #if canImport(Glibc)
        // glibc declares these only under _GNU_SOURCE, which Swift does not set; they exist
        // since glibc 2.29 (chdir) and 2.34 (closefrom).
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        let handle = dlopen(nil, RTLD_NOW)
        guard let closeFrom = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np"),
            let changeDirectory = dlsym(handle, "posix_spawn_file_actions_addchdir_np")
        else {
            throw PostgresClusterError("this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        _ = directory.withCString { unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, $0) }
        #else
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        posix_spawn_file_actions_addchdir_np(&actions, directory)
        #endif
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environment)
        guard result == 0 else {
            throw PostgresClusterError("could not start \(argv[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    // MARK: - Helpers

    private static func chownToPostgres(_ directory: String) throws {
        guard let entry = getpwnam("postgres") else { return }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        var paths = [directory]
        paths += ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).map { directory + "/" + $0 }
        for path in paths where chown(path, uid, gid) != 0 {
            throw PostgresClusterError("could not hand \(path) to the postgres user (errno \(errno))")
        }
    }

    /// Binds port 0 on 127.0.0.1 and reads the port the kernel picked.
    private static func freeLoopbackPort() throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw PostgresClusterError("could not open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw PostgresClusterError("could not bind a loopback socket to find a free port") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw PostgresClusterError("could not read the free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `count` random lowercase hex digits, for names that must not collide.
    public static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement()! })
    }

    /// Stops and deletes clusters whose owning test process is gone (a crash or a kill -9
    /// skips the exit handler).
    private static func removeAbandonedClusters() {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("cutover-pg-") }
        for folder in folders {
            let directory = "/tmp/" + folder
            guard let text = try? String(contentsOfFile: directory + "/owner.pid", encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            ClusterRegistry.stopAndRemove(directory: directory)
        }
    }
}

/// Why the test cluster could not be provided. Its description carries everything needed
/// to act on it (how to install PostgreSQL, the end of the server log), because a test
/// failure shows only the description.
public struct PostgresClusterError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// Program output or server log, when there is some.
    public var details: String?

    /// Creates an error.
    public init(_ message: String, details: String? = nil) {
        self.message = message
        self.details = details
    }

    public var description: String {
        guard let details, !details.isEmpty else { return message }
        return message + "\n" + details
    }
}

/// The clusters this process started, stopped by an exit handler.
///
/// The one piece of process-wide state in the test support: `atexit` takes a C function
/// that cannot capture, so the folders to clean up live here.
final class ClusterRegistry: @unchecked Sendable {
    // @unchecked: `directories` is only touched under `lock`.
    static let shared = ClusterRegistry()
    private let lock = NSLock()
    private var directories: [String] = []
    private var isHandlerInstalled = false

    func register(directory: String) {
        lock.withLock {
            directories.append(directory)
            if !isHandlerInstalled {
                isHandlerInstalled = true
                atexit { ClusterRegistry.shared.stopAll() }
            }
        }
    }

    private func stopAll() {
        let all = lock.withLock { directories }
        for directory in all { Self.stopAndRemove(directory: directory) }
    }

    /// `pg_ctl stop -m immediate` without a subprocess: SIGQUIT to the postmaster (safe in an
    /// exit handler), a short wait for it to go, then the folder is deleted.
    static func stopAndRemove(directory: String) {
        let pidFile = directory + "/data/postmaster.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces))
        {
            kill(pid, SIGQUIT)
            // The postmaster removes its pid file on the way out.
            for _ in 0..<60 where FileManager.default.fileExists(atPath: pidFile) && kill(pid, 0) == 0 {
                usleep(50_000)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
