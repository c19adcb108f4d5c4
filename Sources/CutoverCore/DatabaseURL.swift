import Foundation

/// A parsed database URL: `sqlite:PATH`, `sqlite::memory:`, or
/// `postgres://user:pass@host:port/db?sslmode=require`.
///
/// The password is kept for connecting but never printed: ``redacted`` and ``description``
/// replace it with `***`.
///
/// ```swift
/// let url = try DatabaseURL("postgres://app:s3cret@localhost/shop")
/// print(url)            // postgres://app:***@localhost/shop
/// ```
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// The scheme in lower case: `sqlite`, `postgres`, `postgresql`, `mysql`.
    public let scheme: String
    /// SQLite: the file path (or `:memory:`).
    public let path: String
    /// Server URLs: user name.
    public let user: String?
    /// Server URLs: password (never printed).
    public let password: String?
    /// Server URLs: host name or address.
    public let host: String?
    /// Server URLs: port.
    public let port: Int?
    /// Server URLs: database name.
    public let database: String?
    /// Query parameters (`sslmode`, `sslrootcert`, `connect_timeout`, `application_name`).
    public let parameters: [String: String]
    /// The text as given.
    private let original: String

    /// Parses a URL.
    ///
    /// SQLite URLs name a file (`sqlite:PATH`, `sqlite:///abs/path`) or `sqlite::memory:`;
    /// SQLite's URI parameters (`?mode=ro`, `?mode=memory`, `?cache=shared`) and a nested
    /// `file:` URI are refused, not dropped.
    /// - Throws: ``CutoverError`` `.invalidURL` (exit code 2) with a hint showing the
    ///   accepted forms.
    public init(_ text: String) throws {
        original = text
        let hint = "use sqlite:PATH, sqlite::memory: or postgres://user:password@host:port/database?sslmode=prefer"
        guard let colon = text.firstIndex(of: ":") else {
            throw CutoverError(.invalidURL, "'\(Self.redact(text))' is not a database URL", hint: hint)
        }
        let scheme = text[..<colon].lowercased()
        self.scheme = scheme
        let rest = String(text[text.index(after: colon)...])
        switch scheme {
        case "sqlite", "sqlite3", "file":
            var path = rest
            if path.hasPrefix("//") { path.removeFirst(2) }
            // SQLite's URI filenames (`file:x.db?mode=ro`, `?mode=memory`, `?cache=shared`)
            // are refused rather than half-honoured: dropping the query silently wrote a
            // `mode=memory` database to disk, and a nested `file:` became a file literally
            // named `file:x.db`.
            if let query = path.firstIndex(of: "?") {
                throw CutoverError(
                    .invalidURL, "the SQLite URL '\(text)' has parameters (\(path[path.index(after: query)...])), which Cutover does not support",
                    hint: "write sqlite:PATH for a file (it is opened read-write), or sqlite::memory: for an in-memory database")
            }
            if path.lowercased().hasPrefix("file:") {
                let inner = String(path.dropFirst(5))
                throw CutoverError(
                    .invalidURL, "the SQLite URL '\(text)' nests a 'file:' URI, which Cutover does not support",
                    hint: "write sqlite:\(inner.isEmpty ? "PATH" : inner) (without 'file:')")
            }
            guard !path.isEmpty else {
                throw CutoverError(.invalidURL, "the SQLite URL '\(Self.redact(text))' names no file", hint: "write sqlite:dev.sqlite3 or sqlite::memory:")
            }
            self.path = path
            user = nil; password = nil; host = nil; port = nil; database = nil; parameters = [:]
        case "postgres", "postgresql", "mysql", "mariadb":
            guard rest.hasPrefix("//") else {
                throw CutoverError(.invalidURL, "'\(Self.redact(text))' is not a valid URL", hint: hint)
            }
            // URLComponents wraps a port that overflows Int (…:99999999999999999999999 became
            // another server's port, which then received the credentials): read it from the text.
            let port = try Self.port(inAuthorityOf: rest, url: text)
            guard let components = URLComponents(string: text) else {
                throw CutoverError(.invalidURL, "'\(Self.redact(text))' is not a valid URL", hint: hint)
            }
            user = components.user?.removingPercentEncoding ?? components.user
            password = components.password?.removingPercentEncoding ?? components.password
            host = components.host.flatMap { $0.isEmpty ? nil : $0 }
            self.port = port
            let db = String(components.path.drop(while: { $0 == "/" }))
            database = db.isEmpty ? nil : (db.removingPercentEncoding ?? db)
            var parameters: [String: String] = [:]
            for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
            if let timeout = parameters["connect_timeout"] {
                _ = try Self.connectTimeout(timeout, in: Self.redact(text))
            }
            self.parameters = parameters
            path = ""
        default:
            throw CutoverError(.invalidURL, "unknown database URL scheme '\(scheme)' in '\(Self.redact(text))'", hint: hint)
        }
    }

    /// The `connect_timeout` parameter (whole or fractional seconds) as a duration; `.zero`
    /// for `0`, which libpq reads as "no limit". Checked here, where the URL is parsed, so
    /// the error can name the config file and line.
    /// - Parameter redactedURL: the URL without its password, for the message.
    /// - Throws: ``CutoverError`` `.invalidURL` when it is not a number, or is negative or
    ///   longer than ``DurationParser/maximum`` (a larger number would overflow).
    public static func connectTimeout(_ text: String, in redactedURL: String) throws -> Duration {
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
            throw CutoverError(
                .invalidURL, "connect_timeout '\(text)' in \(redactedURL) is not a number of seconds",
                hint: "write connect_timeout=10 (seconds; 0 waits without limit)")
        }
        // Compared as a Double before converting: Int64(_:) traps on values it cannot hold.
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds <= Double(DurationParser.maximumMilliseconds) else {
            throw CutoverError(
                .invalidURL, "connect_timeout '\(text)' in \(redactedURL) is out of range",
                hint: "use 0 to \(DurationParser.maximumMilliseconds / 1000) seconds (about 24 days; 0 waits without limit)")
        }
        // A positive timeout below a millisecond stays a (tiny) limit, not "no limit".
        return .milliseconds(seconds > 0 ? max(1, Int64(milliseconds)) : 0)
    }

    /// Whether this is an in-memory SQLite database.
    public var isInMemory: Bool { path == ":memory:" }

    /// The URL with its password replaced by `***`.
    public var redacted: String { Self.redact(original) }
    public var description: String { redacted }

    /// The same URL with another SQLite path (used to resolve relative paths against the
    /// config file's folder).
    public func withPath(_ newPath: String) -> DatabaseURL {
        // Rebuilding from text keeps one parsing path.
        (try? DatabaseURL("\(scheme):\(newPath)")) ?? self
    }

    /// The same server URL pointing at another database name.
    public func withDatabase(_ name: String) -> DatabaseURL {
        guard var components = URLComponents(string: original) else { return self }
        components.path = "/" + name
        return (components.string).flatMap { try? DatabaseURL($0) } ?? self
    }

    /// The port written in the authority (`//user:password@host:PORT/…`) of `rest` (the URL
    /// after its scheme's colon): nil when none is written; 1…65535 otherwise.
    /// - Throws: ``CutoverError`` `.invalidURL` (exit 2) for digits out of range or anything
    ///   that is not digits, naming the redacted URL.
    static func port(inAuthorityOf rest: String, url: String) throws -> Int? {
        let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        let afterHost: Substring
        if hostAndPort.hasPrefix("[") {
            // An IPv6 literal: the port follows the closing bracket.
            guard let bracket = hostAndPort.firstIndex(of: "]") else { return nil }
            afterHost = hostAndPort[hostAndPort.index(after: bracket)...]
        } else {
            afterHost = hostAndPort.firstIndex(of: ":").map { hostAndPort[$0...] } ?? ""
        }
        guard afterHost.hasPrefix(":") else { return nil }
        let text = afterHost.dropFirst()
        if text.isEmpty { return nil }
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), text.count <= 5,
            let value = Int(text), (1...65535).contains(value)
        else {
            throw CutoverError(
                // The text is not echoed: in `postgres://app:PW/db` (no host) it is the password.
                .invalidURL, "the port in '\(redact(url))' is not a number from 1 to 65535",
                hint: "use a port from 1 to 65535, or leave it out for the default")
        }
        return value
    }

    public static func == (lhs: DatabaseURL, rhs: DatabaseURL) -> Bool { lhs.original == rhs.original }
    public func hash(into hasher: inout Hasher) { hasher.combine(original) }
}
