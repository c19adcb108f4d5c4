import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Passwords in database URLs never reach stdout or stderr, whether the URL parses or not,
/// in text and in `--json`; a URL with an impossible port is bad input and connects nowhere.
@Suite("secrets: no password in any output; no connection to a wrapped port")
struct SecretOutputTests {
    static let secret = "Pw-7f3a9c"

    /// The URLs of the issue: a `?password=` parameter and three mistypings.
    static let leakyURLs = [
        "postgres://app@127.0.0.1:1/shop?password=\(secret)",
        "postgres:/app:\(secret)@127.0.0.1/db",
        "postgres:app:\(secret)@127.0.0.1/db",
        "postgresql//app:\(secret)@127.0.0.1",
    ]

    private func project(url: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("cutover.toml", "default_env = \"prod\"\n[env.prod]\nurl = \"\(url)\"\n")
        try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true)
        return directory
    }

    private func expectNoSecret(_ result: CutoverProcess.Result, _ context: String) {
        #expect(!result.stdout.contains(Self.secret), "\(context): stdout \(result.stdout)")
        #expect(!result.stderr.contains(Self.secret), "\(context): stderr \(result.stderr)")
        #expect(result.status == 2, "\(context): exit \(result.status)\n\(result.stderr)")
    }

    @Test("backup names the URL without its password, from cutover.toml, DATABASE_URL, text, --json and --verbose", arguments: leakyURLs)
    func backup(url: String) async throws {
        let directory = try project(url: url)
        defer { directory.remove() }
        // --verbose adds the driver's error (`detail:`), which may quote the URL.
        for flags in [[], ["--json"], ["--verbose"]] {
            let arguments = ["backup"] + flags
            expectNoSecret(try await CutoverProcess.run(arguments, in: directory.url.path), "\(url) \(arguments)")
            expectNoSecret(
                try await CutoverProcess.run(arguments, in: directory.url.path, environment: ["DATABASE_URL": url]),
                "DATABASE_URL \(url) \(arguments)")
        }
    }

    @Test("diff names mistyped URL arguments without their password", arguments: leakyURLs)
    func diff(url: String) async throws {
        let directory = try project(url: "sqlite:x.db")
        defer { directory.remove() }
        for json in [false, true] {
            let arguments = ["diff", url, "sqlite:x.db", "--sql"] + (json ? ["--json"] : [])
            expectNoSecret(try await CutoverProcess.run(arguments, in: directory.url.path), "\(arguments)")
        }
    }

    @Test("an unquoted URL in cutover.toml is quoted back in the error without its password")
    func unquotedConfigValue() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("cutover.toml", "[env.prod]\nurl = postgres://app:\(Self.secret)@db/shop\n")
        expectNoSecret(try await CutoverProcess.run(["status"], in: directory.url.path), "unquoted url")
    }

    @Test("a port that overflows is bad input: exit 2, the URL redacted, nothing connected")
    func overflowingPort() async throws {
        let listener = try LoopbackListener()
        defer { listener.stop() }
        // 2^64 + p: a parser that wraps would connect to the listener on p.
        let wrapped = String(UInt128(1) << 64 + UInt128(listener.port))
        let urls = [
            "postgres://u:\(Self.secret)@127.0.0.1:99999999999999999999999/db",
            "postgres://u:\(Self.secret)@127.0.0.1:\(wrapped)/db?connect_timeout=2",
        ]
        for url in urls {
            let directory = try project(url: url)
            defer { directory.remove() }
            for arguments in [["status"], ["status", "--json"], ["backup"]] {
                let result = try await CutoverProcess.run(arguments, in: directory.url.path)
                expectNoSecret(result, "\(url) \(arguments)")
                #expect(result.stderr.contains("port"), "\(result.stderr)")
                #expect(result.stderr.contains("u:***@127.0.0.1"), "\(result.stderr)")
                // Foundation's URLComponents turns the overflowing port into none (so 5432) or
                // wraps it: either way a connection attempt is the bug.
                #expect(!result.stderr.contains("could not connect"), "\(result.stderr)")
            }
        }
        #expect(!listener.hasPendingConnection, "cutover connected to port \(listener.port)")
    }
}

/// A TCP socket listening on a free loopback port that never answers; it tells whether
/// anything connected.
private struct LoopbackListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, listen(fd, 8) == 0 else {
            throw CutoverError(.ioFailed, "could not listen on a loopback port (errno \(errno))")
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Whether a connection waits to be accepted (the kernel completes the handshake for a
    /// listening socket, so a client that connected leaves one behind).
    var hasPendingConnection: Bool {
        let client = accept(descriptor, nil, nil)
        if client >= 0 {
            _ = close(client)
            return true
        }
        return false
    }

    func stop() { _ = close(descriptor) }
}
