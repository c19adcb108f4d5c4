import CutoverCore
import Foundation
import Logging
import SQLiteNIO

/// One connection to an SQLite file (or in-memory database).
///
/// Whole runs are not locked: SQLite has no session lock that survives a crash cleanly, so
/// runners serialise on each migration's `BEGIN IMMEDIATE` write transaction, waiting up
/// to the busy timeout, and re-read the history inside it.
public final class SQLiteDatabase: Database {
    private let connection: SQLiteConnection
    private let logger: Logger
    public let redactedURL: String
    public var dialect: any Dialect { SQLiteDialect() }

    init(connection: SQLiteConnection, url: DatabaseURL, logger: Logger) {
        self.connection = connection
        self.redactedURL = url.redacted
        self.logger = logger
    }

    /// Opens `url`, creating the file when missing, and sets the busy timeout.
    /// - Throws: ``CutoverError`` `.connectionFailed` when the file cannot be opened.
    public static func open(_ url: DatabaseURL, busyTimeout: Duration, logger: Logger) async throws -> SQLiteDatabase {
        let storage: SQLiteConnection.Storage = url.isInMemory ? .memory : .file(path: url.path)
        if !url.isInMemory {
            let folder = (url.path as NSString).deletingLastPathComponent
            if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
                throw CutoverError(
                    .connectionFailed, "cannot open SQLite database '\(url.path)': the folder '\(folder)' does not exist",
                    hint: "create the folder, or fix the path in the URL")
            }
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        } catch let error as SQLiteError {
            throw CutoverError(
                .connectionFailed, "cannot open SQLite database '\(url.path)': \(error.message)",
                hint: "check the path and its permissions", sqlState: "\(error.reason)")
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

    private func run(_ sql: String, _ binds: [SQLValue]) async throws -> [Row] {
        let collector = RowCollector()
        do {
            try await connection.query(sql, binds.map(Self.sqliteData)) { row in collector.append(row) }
        } catch let error as SQLiteError {
            throw CutoverError(.statementFailed, error.message, statement: sql, sqlState: "\(error.reason)")
        }
        return collector.rows.map { row in
            let columns = row.columns
            return Row(columns: columns.map(\.name), values: columns.map { Self.value($0.data) })
        }
    }

    public func acquireRunLock(wait: Duration, logger: Logger) async throws -> any RunLock {
        NoRunLock()
    }

    public func close() async {
        try? await connection.close()
    }

    static func sqliteData(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .integer(let value): .integer(SQLiteInt64(value))
        case .double(let value): .float(value)
        case .text(let value): .text(value)
        case .bool(let value): .integer(value ? 1 : 0)
        }
    }

    static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .null: .null
        case .integer(let value): .integer(Int64(value))
        case .float(let value): .double(value)
        case .text(let value): .text(value)
        case .blob(let buffer): .text("<blob \(buffer.readableBytes) bytes>")
        }
    }
}

/// Collects rows delivered on sqlite-nio's thread pool.
private final class RowCollector: @unchecked Sendable {
    // Guarded by `lock`; rows arrive on one thread at a time but the closure is @Sendable.
    private let lock = NSLock()
    private var storage: [SQLiteRow] = []

    func append(_ row: SQLiteRow) {
        lock.lock()
        storage.append(row)
        lock.unlock()
    }

    var rows: [SQLiteRow] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
