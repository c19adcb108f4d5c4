import CutoverCore
import Foundation
import Logging

/// One connection to an SQLite file (or in-memory database).
///
/// Whole runs are not locked: SQLite has no session lock that survives a crash cleanly, so
/// runners serialise on each migration's `BEGIN IMMEDIATE` write transaction, waiting up
/// to the busy timeout, and re-read the history inside it.
public final class SQLiteDatabase: Database {
    private let connection: SQLiteConnectionHandle
    private let logger: Logger
    public let redactedURL: String
    public var dialect: any Dialect { SQLiteDialect() }

    init(connection: SQLiteConnectionHandle, url: DatabaseURL, logger: Logger) {
        self.connection = connection
        self.redactedURL = url.redacted
        self.logger = logger
    }

    /// Opens `url`, creating the file when missing, and sets the busy timeout.
    /// - Parameter runsOnCallingThread: run SQLite on the calling thread instead of the
    ///   connection's own queue (see ``SQLiteDriver/Configuration/runsOnCallingThread``).
    /// - Throws: ``CutoverError`` `.connectionFailed` when the file cannot be opened.
    public static func open(_ url: DatabaseURL, busyTimeout: Duration, runsOnCallingThread: Bool = false, logger: Logger) async throws -> SQLiteDatabase {
        if !url.isInMemory {
            let folder = (url.path as NSString).deletingLastPathComponent
            if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
                throw CutoverError(
                    .connectionFailed, "cannot open SQLite database '\(url.path)': the folder '\(folder)' does not exist",
                    hint: "create the folder, or fix the path in the URL")
            }
        }
        let connection: SQLiteConnectionHandle
        do {
            connection = try await SQLiteConnectionHandle.open(
                path: url.isInMemory ? ":memory:" : url.path, execution: runsOnCallingThread ? .callingThread : .ownQueue)
        } catch let error as SQLiteCallError {
            throw CutoverError(
                .connectionFailed, "cannot open SQLite database '\(url.path)': \(error.message)",
                hint: "check the path and its permissions", databaseCode: .sqlite(error.resultCode), underlying: error)
        }
        let database = SQLiteDatabase(connection: connection, url: url, logger: logger)
        try await database.execute("PRAGMA busy_timeout = \(busyTimeout.milliseconds)")
        return database
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await run(sql, binds)
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [Row] {
        try await run(sql, binds)
    }

    /// Runs `sql` and returns the rows it inserted, updated or deleted (triggers' included);
    /// DDL counts 0.
    public func executeCountingRows(_ sql: String, _ binds: [SQLValue]) async throws -> Int? {
        do {
            return try await connection.runCountingChanges(sql, binds)
        } catch let error as SQLiteCallError {
            throw statementError(error, sql: sql)
        }
    }

    private func run(_ sql: String, _ binds: [SQLValue]) async throws -> [Row] {
        do {
            return try await connection.run(sql, binds)
        } catch let error as SQLiteCallError {
            throw statementError(error, sql: sql)
        }
    }

    private func statementError(_ error: SQLiteCallError, sql: String) -> CutoverError {
        CutoverError(.statementFailed, error.message, statement: sql, databaseCode: .sqlite(error.resultCode), underlying: error,
            rollbackError: error.rollbackError)
    }

    public func acquireRunLock(wait: Duration, logger: Logger) async throws -> any RunLock {
        NoRunLock()
    }

    public func close() async {
        await connection.close()
    }
}
