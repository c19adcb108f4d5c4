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
        public init() {}
    }

    public let configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public var schemes: [String] { ["sqlite", "sqlite3", "file"] }

    public func open(_ url: DatabaseURL, logger: Logger) async throws -> any Database {
        try await SQLiteDatabase.open(url, busyTimeout: configuration.busyTimeout, logger: logger)
    }
}
