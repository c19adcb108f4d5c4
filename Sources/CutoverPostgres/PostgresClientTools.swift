import CutoverCore
import Foundation
import Logging

/// The PostgreSQL client programs backups use (`pg_dump`, `pg_restore`, `psql`), all from
/// one folder so their versions agree, and how to point them at a database.
///
/// The folder is the first of these whose `pg_dump` is at least as new as the server:
/// `pg_dump` on `PATH`, the folder `pg_config --bindir` names, then
/// `/usr/lib/postgresql/<version>/bin`, newest first (Debian and Ubuntu install each major
/// version there). A `pg_dump` older than the server's major version cannot read its
/// catalog, so it is refused with a message naming both versions.
struct PostgresClientTools: Sendable {
    /// The folder holding the programs.
    let directory: String
    /// `pg_dump --version`, e.g. `pg_dump (PostgreSQL) 16.4`.
    let versionText: String

    var pgDump: String { directory + "/pg_dump" }
    var pgRestore: String { directory + "/pg_restore" }
    var psql: String { directory + "/psql" }

    /// Finds programs that can dump a server of `serverVersionNumber` (`server_version_num`).
    ///
    /// - Throws: ``CutoverError`` `.backupFailed` when no `pg_dump` is installed, or only
    ///   older ones.
    static func find(
        serverVersionNumber: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
        libraryRoot: String = "/usr/lib/postgresql", logger: Logger
    ) async throws -> PostgresClientTools {
        var seen = Set<String>()
        var tooOld: [(String, String)] = []
        for directory in await candidateDirectories(environment: environment, libraryRoot: libraryRoot) {
            let resolved = (directory as NSString).resolvingSymlinksInPath
            guard seen.insert(resolved).inserted, FileManager.default.isExecutableFile(atPath: directory + "/pg_dump") else { continue }
            guard let result = try? await ChildProcess.run(directory + "/pg_dump", ["--version"]), result.status == 0 else { continue }
            let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let version = Self.versionNumber(fromVersionOutput: text) else { continue }
            if Self.majorVersion(version) >= Self.majorVersion(serverVersionNumber) {
                logger.debug("using PostgreSQL client programs", metadata: ["cutover_pg_bin": "\(directory)", "cutover_pg_dump": "\(text)"])
                return PostgresClientTools(directory: directory, versionText: text)
            }
            tooOld.append((directory + "/pg_dump", text))
        }
        let server = Self.versionName(serverVersionNumber)
        if let newest = tooOld.first {
            throw CutoverError(
                .backupFailed,
                "\(newest.0) is \(newest.1), older than the server (PostgreSQL \(server)); a pg_dump cannot dump a newer server",
                hint: "install the client programs of PostgreSQL \(Self.majorName(serverVersionNumber)) or newer (Debian/Ubuntu: apt-get install postgresql-client-\(Self.majorName(serverVersionNumber))) and put their folder first on PATH")
        }
        throw CutoverError(
            .backupFailed, "pg_dump was not found (looked on PATH, in `pg_config --bindir` and in \(libraryRoot)/*/bin)",
            hint: "install the PostgreSQL client programs, version \(Self.majorName(serverVersionNumber)) or newer (Debian/Ubuntu: apt-get install postgresql-client), or put the folder holding pg_dump on PATH")
    }

    /// Folders to look in, in order of preference.
    static func candidateDirectories(environment: [String: String], libraryRoot: String) async -> [String] {
        var folders: [String] = []
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let onPath = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        folders += onPath.filter { FileManager.default.isExecutableFile(atPath: $0 + "/pg_dump") }
        if let pgConfig = onPath.map({ $0 + "/pg_config" }).first(where: FileManager.default.isExecutableFile(atPath:)),
            let result = try? await ChildProcess.run(pgConfig, ["--bindir"]), result.status == 0
        {
            folders.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: libraryRoot)) ?? [])
            .compactMap { name in Double(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        folders += versions.map { "\(libraryRoot)/\($0.0)/bin" }
        return folders
    }

    // MARK: - Versions

    /// `pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)` → 160004; `9.6.24` → 90624.
    static func versionNumber(fromVersionOutput text: String) -> Int? {
        guard let token = text.split(separator: " ").first(where: { $0.first?.isNumber == true }) else { return nil }
        // Development builds read `17devel`, `17beta1`: keep the leading digits of each part.
        // At most six digits a part: a longer number is no version and would overflow below.
        let parts = token.split(separator: ".").map { Int($0.prefix(while: \.isNumber).prefix(6)) ?? 0 }
        guard let first = parts.first, first > 0 else { return nil }
        if first >= 10 { return first * 10000 + (parts.count > 1 ? parts[1] : 0) }
        return first * 10000 + (parts.count > 1 ? parts[1] : 0) * 100 + (parts.count > 2 ? parts[2] : 0)
    }

    /// The major version of a `server_version_num`: 160004 → 160000, 90624 → 90600 (before
    /// version 10 the major version had two parts).
    static func majorVersion(_ number: Int) -> Int {
        number >= 100_000 ? number / 10000 * 10000 : number / 100 * 100
    }

    /// 160004 → "16", 90624 → "9.6".
    static func majorName(_ number: Int) -> String {
        number >= 100_000 ? "\(number / 10000)" : "\(number / 10000).\(number / 100 % 100)"
    }

    /// 160004 → "16.4", 90624 → "9.6.24".
    static func versionName(_ number: Int) -> String {
        number >= 100_000 ? "\(number / 10000).\(number % 10000)" : "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }

    /// Throws unless a `pg_dump` of `toolVersion` can dump a server of `serverVersionNumber`.
    ///
    /// - Throws: ``CutoverError`` `.backupFailed`.
    static func checkCompatible(toolVersionOutput: String, serverVersionNumber: Int) throws {
        guard let tool = versionNumber(fromVersionOutput: toolVersionOutput) else {
            throw CutoverError(.backupFailed, "cannot read the version of pg_dump from '\(toolVersionOutput)'", hint: "check that pg_dump runs: pg_dump --version")
        }
        guard majorVersion(tool) >= majorVersion(serverVersionNumber) else {
            throw CutoverError(
                .backupFailed,
                "pg_dump \(versionName(tool)) is older than the server (PostgreSQL \(versionName(serverVersionNumber))); a pg_dump cannot dump a newer server",
                hint: "install the client programs of PostgreSQL \(majorName(serverVersionNumber)) or newer and put their folder first on PATH")
        }
    }

    // MARK: - Connecting

    /// A libpq connection string for `settings` (without the password) and the
    /// environment that carries the password (`PGPASSWORD`), so the password never appears
    /// on a command line, where `ps` would show it.
    static func connection(_ settings: PostgresConnectionSettings, applicationName: String) -> (conninfo: String, environment: [String: String?]) {
        var parts: [(String, String)] = []
        switch settings.endpoint {
        case .tcp(let host, let port):
            parts += [("host", host), ("port", "\(port)")]
        case .socket(let path):
            // `<dir>/.s.PGSQL.<port>` → host=<dir> port=<port>, as libpq wants it.
            let folder = (path as NSString).deletingLastPathComponent
            let port = (path as NSString).lastPathComponent.split(separator: ".").last.map(String.init) ?? "5432"
            parts += [("host", folder), ("port", port)]
        }
        parts += [("user", settings.user), ("dbname", settings.database), ("sslmode", settings.sslMode.rawValue)]
        if let root = settings.sslRootCert { parts.append(("sslrootcert", root)) }
        if let cert = settings.sslCert, let key = settings.sslKey { parts += [("sslcert", cert), ("sslkey", key)] }
        // libpq takes whole seconds and treats values below 2 as 2.
        let seconds = max(2, Int((Double(settings.connectTimeout.nanoseconds) / 1e9).rounded(.up)))
        parts += [("connect_timeout", "\(seconds)"), ("application_name", applicationName)]
        let conninfo = parts.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " ")
        var environment: [String: String?] = ["PGPASSWORD": settings.password]
        // Settings that would override what the connection string leaves out.
        for name in ["PGSERVICE", "PGOPTIONS", "PGTARGETSESSIONATTRS"] { environment[name] = String?.none }
        if settings.password == nil { environment["PGPASSWORD"] = String?.none }
        return (conninfo, environment)
    }

    /// A libpq connection-string value: single-quoted, `\` and `'` escaped.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The last lines of a program's error output, with the password (should a tool ever
    /// print it) replaced by `***`.
    static func errorSummary(_ text: String, password: String?, lines: Int = 6) -> String {
        var cleaned = text
        if let password, !password.isEmpty { cleaned = cleaned.replacingOccurrences(of: password, with: "***") }
        cleaned = DatabaseURL.redact(cleaned)
        let interesting = cleaned.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("pg_restore: processing") && !$0.hasPrefix("pg_restore: creating") }
        let errors = interesting.filter { $0.contains("error") || $0.contains("FATAL") || $0.contains("ERROR") }
        return (errors.isEmpty ? interesting.suffix(lines) : errors.prefix(lines)).joined(separator: "\n")
    }
}
