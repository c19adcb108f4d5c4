import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

let testLogger = Logger(label: "cutover-postgres-test") { _ in SwiftLogNoOpLogHandler() }

/// Runs `body` with a session on a fresh database of the shared cluster.
func withSession<T>(
    prefix: String = "t", _ body: (PostgresDatabase, DatabaseURL) async throws -> T
) async throws -> T {
    try await PostgresCluster.shared.withDatabase(prefix: prefix) { url in
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        do {
            let result = try await body(db, url)
            await db.close()
            return result
        } catch {
            await db.close()
            throw error
        }
    }
}

/// The single value of a one-row, one-column query.
func scalar(_ db: any Database, _ sql: String, _ binds: [SQLValue] = []) async throws -> SQLValue? {
    try await db.query(sql, binds).first?.values.first
}

struct TimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// Runs `body`, failing with ``TimedOut`` (and cancelling it) when it takes longer than `seconds`.
func withTimeout<T: Sendable>(
    seconds: Double, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            throw TimedOut(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake)
/// but never answers: a server that hangs, to exercise the connect timeout.
struct ListenerFailed: Error {}

final class SilentListener: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw ListenerFailed()
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// A loopback port with nothing listening on it.
func closedLoopbackPort() throws -> Int {
    let listener = try SilentListener()
    return listener.port  // closed again when `listener` goes away
}
