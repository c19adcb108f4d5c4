import CutoverCore
import Foundation

/// The target database itself: create it, drop it, wait until its server answers
/// (`cutover db create | drop | wait`, as dbmate has them, for containers and CI).
extension Deployment {
    /// How ``waitUntilReachable(timeout:attempt:)`` ended.
    public struct Reachability: Sendable {
        /// How long it took.
        public var waited: Duration
        /// Connection attempts made.
        public var attempts: Int
        /// The server answers but the database does not exist yet (`cutover db create`).
        public var databaseMissing: Bool
    }

    /// Creates the target database unless it exists.
    ///
    /// ```swift
    /// if try await deployment.createDatabase() { logger.info("created") }
    /// ```
    ///
    /// - Returns: false when it already existed.
    /// - Throws: `CutoverError` when the driver cannot create databases, or the server refuses.
    public func createDatabase() async throws -> Bool {
        let driver = try targetDriver(as: (any DatabaseProvisioning).self, for: "be created by cutover")
        return try await driver.createDatabaseIfMissing(target.url, logger: logger)
    }

    /// Drops the target database and everything in it.
    ///
    /// - Returns: false when it did not exist.
    /// - Throws: `CutoverError` `.invalidArgument` while sessions are connected (PostgreSQL).
    /// - Warning: nothing is backed up first; take a backup (`cutover backup`, or `BackupManager`) if
    ///   the data matters.
    public func dropDatabase() async throws -> Bool {
        let driver = try targetDriver(as: (any DatabaseProvisioning).self, for: "be dropped by cutover")
        return try await driver.dropDatabaseIfExists(target.url, logger: logger)
    }

    /// Connects to the target until it answers or `timeout` passes, for a container or CI
    /// job that starts the database and the migrations at once. A server that answers but
    /// lacks the database counts as reachable (``Reachability/databaseMissing``); refused
    /// credentials end the wait at once, since waiting does not fix them.
    ///
    /// - Parameters:
    ///   - timeout: how long to keep trying.
    ///   - attempt: called after each failed attempt with its number and error.
    /// - Throws: the last `CutoverError` (`.connectionFailed`, exit 4) when the time is up.
    public func waitUntilReachable(
        timeout: Duration, attempt: @Sendable (Int, CutoverError) -> Void = { _, _ in }
    ) async throws -> Reachability {
        let clock = ContinuousClock()
        let start = clock.now
        var attempts = 0
        while true {
            attempts += 1
            do {
                try await withSession { _ in }
                return Reachability(waited: clock.now - start, attempts: attempts, databaseMissing: false)
            } catch let error as CutoverError where error.code == .unknownDatabase {
                return Reachability(waited: clock.now - start, attempts: attempts, databaseMissing: true)
            } catch let error as CutoverError where error.code == .connectionFailed {
                attempt(attempts, error)
                guard clock.now - start < timeout else {
                    var failure = error
                    failure.message = "\(target.url.redacted) did not answer within \(timeout.seconds) s (\(attempts) attempts): \(error.message)"
                    failure.hint = "check that the server is starting and listening there; raise --timeout for a slow start"
                    throw failure
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

extension Duration {
    /// Whole seconds, for messages.
    fileprivate var seconds: Int64 { components.seconds }
}
