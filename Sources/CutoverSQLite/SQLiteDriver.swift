import CutoverCore
import Foundation
import Logging

/// Opens SQLite databases for `sqlite:PATH` and `sqlite::memory:` URLs, with the SQLite
/// that sqlite-nio bundles (no system library needed).
///
/// ```swift
/// let db = try await SQLiteDriver().open(try DatabaseURL("sqlite:dev.sqlite3"), logger: logger)
/// ```
public struct SQLiteDriver: DatabaseDriver {
    /// Driver options.
    public struct Configuration: Sendable {
        /// How long a statement waits for another connection's write lock before SQLITE_BUSY.
        public var busyTimeout: Duration = .seconds(60)
        /// Run SQLite on the calling thread rather than on the connection's own queue. It saves a
        /// thread switch per call, which adds up over a thousand migrations, but a busy wait
        /// (another connection holds the write lock) then blocks a Swift concurrency thread:
        /// meant for a process that has nothing else to run meanwhile, like the `cutover`
        /// tool. Leave it off in a server.
        public var runsOnCallingThread = false
        /// The defaults: a minute's busy timeout, SQLite on NIO's thread pool.
        public init() {}
    }

    /// The options every database this driver opens gets.
    public let configuration: Configuration

    /// A driver; pass it to a `Deployment` (`drivers: [SQLiteDriver()]`) or open a database
    /// with it yourself.
    /// - Parameter configuration: the busy timeout and where SQLite runs. A deployment
    ///   replaces the busy timeout with `[safety] lock_wait`.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// The URL schemes this driver serves: `sqlite:`, `sqlite3:` and `file:`.
    public var schemes: [String] { ["sqlite", "sqlite3", "file"] }

    /// ``SQLiteDialect``.
    public var dialect: any Dialect { SQLiteDialect() }

    /// The driver with `[safety] lock_wait` as how long a statement waits on a file another
    /// process is writing (SQLite's busy timeout).
    public func configured(for safety: CutoverCore.Configuration.Safety) -> any DatabaseDriver {
        var configuration = self.configuration
        configuration.busyTimeout = safety.lockWait
        return SQLiteDriver(configuration: configuration)
    }

    /// Opens the database file at `url` (created when missing), or an in-memory database.
    /// Prefer `withSession(_:logger:_:)`, which closes the session however its body ends.
    /// - Parameters:
    ///   - url: a `sqlite:PATH` or `sqlite::memory:` URL.
    ///   - logger: receives the statements run (debug).
    /// - Returns: an open session; the caller closes it.
    /// - Throws: `CutoverError` when the file cannot be opened.
    public func open(_ url: DatabaseURL, logger: Logger) async throws -> any Database {
        try await SQLiteDatabase.open(url, busyTimeout: configuration.busyTimeout, runsOnCallingThread: configuration.runsOnCallingThread, logger: logger)
    }
}
