import CutoverCore
import CutoverPostgres
import CutoverSQLite
import Foundation
import Logging

/// A database kind every engine test runs against: a real SQLite file or a real
/// PostgreSQL database on the test cluster. No mocks.
public struct TestBackend: Sendable, CustomStringConvertible {
    public let name: String
    private let makeURLBody: @Sendable (TemporaryDirectory) async throws -> DatabaseURL

    public var description: String { name }

    /// A fresh SQLite file in the test's temporary folder.
    public static let sqlite = TestBackend(name: "sqlite") { directory in
        try DatabaseURL("sqlite:" + directory.path("test.sqlite3"))
    }

    /// A fresh, randomly named database on the test PostgreSQL cluster.
    public static let postgres = TestBackend(name: "postgres") { _ in
        try await PostgresCluster.shared.makeDatabase()
    }

    /// Every backend.
    public static let all: [TestBackend] = [.sqlite, .postgres]

    /// A URL of a new, empty database of this kind.
    public func makeURL(in directory: TemporaryDirectory) async throws -> DatabaseURL {
        try await makeURLBody(directory)
    }

    /// The drivers a ``Deployment`` in a test is given, as an app would pass them.
    public static let drivers: [any DatabaseDriver] = [SQLiteDriver(), patientPostgres]

    /// The PostgreSQL driver of the test support: a connect timeout of a minute, because a
    /// machine running the whole suite in parallel (hundreds of sessions starting at once)
    /// can take longer than the default 10 s to accept one; no test measures this timeout.
    public static let patientPostgres: PostgresDriver = {
        var configuration = PostgresDriver.Configuration()
        configuration.connectTimeout = .seconds(60)
        return PostgresDriver(configuration: configuration)
    }()

    /// Opens `url` with the matching driver.
    public static func open(_ url: DatabaseURL, lockWait: Duration = .seconds(10)) async throws -> any Database {
        let logger = Logger(label: "cutover-test") { _ in SwiftLogNoOpLogHandler() }
        if url.scheme.hasPrefix("sqlite") {
            var configuration = SQLiteDriver.Configuration()
            configuration.busyTimeout = lockWait
            return try await SQLiteDriver(configuration: configuration).open(url, logger: logger)
        }
        return try await patientPostgres.open(url, logger: logger)
    }
}

