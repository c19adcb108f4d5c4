import CutoverCore
import Dispatch
import NIOConcurrencyHelpers
import VaporCSQLite

/// One sqlite3 connection, driven through SQLite's C API (the copy of SQLite that sqlite-nio
/// compiles, so no system library is needed).
///
/// By default every call runs on the connection's own serial queue, so a statement waiting out
/// the busy timeout blocks neither a Swift concurrency thread nor any other connection, and a
/// whole call runs in one trip to that queue: a string of several statements (a migration and
/// its history row, see ``SQLiteDialect/atomicBatch(_:)``) costs one thread switch, not one
/// per statement. A process with nothing else to do (the `cutover` tool) can run calls on the
/// calling thread instead and save even that switch (``Execution/callingThread``).
///
/// Why not a shared pool: NIO's shared thread pool has one thread per core. Two connections
/// in a busy wait fill it on a two-core machine, and the connection holding the write lock
/// then cannot run the `COMMIT` that would release them: every caller waits out the whole
/// busy timeout. Dispatch gives each blocked queue its own thread.
final class SQLiteConnectionHandle: @unchecked Sendable {
    /// Where calls run.
    enum Execution: Sendable {
        /// On the connection's own serial dispatch queue: a busy wait blocks that queue only.
        case ownQueue
        /// On the caller's thread, which a busy wait then blocks.
        case callingThread
    }

    // Guarded by `lock`: the connection is used by one caller at a time.
    private var raw: OpaquePointer?
    private let lock = NIOLock()
    private let execution: Execution
    private let queue: DispatchQueue

    private init(raw: OpaquePointer, execution: Execution, queue: DispatchQueue) {
        self.raw = raw
        self.execution = execution
        self.queue = queue
    }

    /// SQLite's one-time set-up, done before the first connection opens.
    private static let initialized: Void = { _ = sqlite_nio_sqlite3_initialize() }()

    /// Opens (creating when missing) the database at `path`, or `:memory:`.
    /// - Throws: ``SQLiteCallError`` when SQLite cannot open it.
    static func open(path: String, execution: Execution = .ownQueue) async throws -> SQLiteConnectionHandle {
        let queue = DispatchQueue(label: "cutover.sqlite.connection")
        return try await perform(on: execution, queue: queue) {
            Self.initialized
            var handle: OpaquePointer?
            // No SQLite mutex: `lock` already lets one call at a time use the connection, and
            // SQLite's own would be taken again for every column of every row read.
            let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard code == SQLITE_OK, let handle else {
                let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open the database"
                sqlite_nio_sqlite3_close(handle)
                throw SQLiteCallError(code: code, message: message)
            }
            return SQLiteConnectionHandle(raw: handle, execution: execution, queue: queue)
        }
    }

    /// Runs every statement in `sql` in order (binds go to each statement that has
    /// parameters) and returns the rows they produce. Stops at the first failure; if the
    /// string opened a transaction that is still open then, it is rolled back, so a string
    /// never leaves behind a transaction of its own.
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [Row] {
        try await Self.perform(on: execution, queue: queue) {
            try self.lock.withLock {
                guard let raw = self.raw else { throw SQLiteCallError(code: SQLITE_MISUSE, message: "the connection is closed") }
                return try Self.run(sql, binds, on: raw)
            }
        }
    }

    /// Runs `sql` as ``run(_:_:)`` does and returns how many rows it inserted, updated or
    /// deleted: the growth of `sqlite3_total_changes64`, which counts rows changed by
    /// triggers too and is not left over from an earlier statement (`sqlite3_changes` is, after DDL).
    func runCountingChanges(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try await Self.perform(on: execution, queue: queue) {
            try self.lock.withLock {
                guard let raw = self.raw else { throw SQLiteCallError(code: SQLITE_MISUSE, message: "the connection is closed") }
                let before = sqlite_nio_sqlite3_total_changes64(raw)
                _ = try Self.run(sql, binds, on: raw)
                return Int(sqlite_nio_sqlite3_total_changes64(raw) - before)
            }
        }
    }

    /// Closes the connection; later calls fail. Safe to call more than once.
    func close() async {
        _ = try? await Self.perform(on: execution, queue: queue) {
            self.lock.withLock {
                if let raw = self.raw { sqlite_nio_sqlite3_close_v2(raw) }
                self.raw = nil
            }
        }
    }

    private static func perform<T: Sendable>(
        on execution: Execution, queue: DispatchQueue, _ work: @Sendable @escaping () throws -> T
    ) async throws -> T {
        switch execution {
        case .ownQueue:
            try await withCheckedThrowingContinuation { continuation in
                queue.async { continuation.resume(with: Result { try work() }) }
            }
        case .callingThread: try work()
        }
    }

    // MARK: - The calls themselves

    private static func run(_ sql: String, _ binds: [SQLValue], on db: OpaquePointer) throws -> [Row] {
        let wasAutocommit = sqlite_nio_sqlite3_get_autocommit(db) != 0
        do {
            return try sql.withCString { start -> [Row] in
                var rows: [Row] = []
                var next: UnsafePointer<CChar>? = start
                while let current = next, current.pointee != 0 {
                    var statement: OpaquePointer?
                    var tail: UnsafePointer<CChar>?
                    let code = sqlite_nio_sqlite3_prepare_v2(db, current, -1, &statement, &tail)
                    guard code == SQLITE_OK else { throw SQLiteCallError(db: db) }
                    next = tail
                    guard let statement else { continue }  // only whitespace or a comment was left
                    defer { sqlite_nio_sqlite3_finalize(statement) }
                    try bind(binds, to: statement, on: db)
                    try collectRows(of: statement, on: db, into: &rows)
                }
                return rows
            }
        } catch {
            guard wasAutocommit, sqlite_nio_sqlite3_get_autocommit(db) == 0 else { throw error }
            let rolledBack = sqlite_nio_sqlite3_exec(db, "ROLLBACK", nil, nil, nil) == SQLITE_OK
            guard !rolledBack, var failure = error as? SQLiteCallError else { throw error }
            failure.rollbackError = SQLiteCallError(db: db)
            throw failure
        }
    }

    private static func bind(_ binds: [SQLValue], to statement: OpaquePointer, on db: OpaquePointer) throws {
        let count = Int(sqlite_nio_sqlite3_bind_parameter_count(statement))
        guard count > 0 else { return }
        guard count <= binds.count else {
            throw SQLiteCallError(code: SQLITE_RANGE, message: "the statement has \(count) parameters but \(binds.count) values were given")
        }
        for index in 0..<count {
            let position = Int32(index + 1)
            let code: Int32 =
                switch binds[index] {
                case .null: sqlite_nio_sqlite3_bind_null(statement, position)
                case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, position, value)
                case .double(let value): sqlite_nio_sqlite3_bind_double(statement, position, value)
                case .bool(let value): sqlite_nio_sqlite3_bind_int64(statement, position, value ? 1 : 0)
                case .text(let value): sqlite_nio_sqlite3_bind_text64(statement, position, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
                }
            guard code == SQLITE_OK else { throw SQLiteCallError(db: db) }
        }
    }

    private static func collectRows(of statement: OpaquePointer, on db: OpaquePointer, into rows: inout [Row]) throws {
        var columns: [String]?
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW:
                let names = columns ?? (0..<sqlite_nio_sqlite3_column_count(statement)).map { index in
                    sqlite_nio_sqlite3_column_name(statement, index).map { String(cString: $0) } ?? ""
                }
                columns = names
                rows.append(Row(columns: names, values: (0..<Int32(names.count)).map { value(of: statement, column: $0) }))
            case SQLITE_DONE:
                return
            default:
                throw SQLiteCallError(db: db)
            }
        }
    }

    private static func value(of statement: OpaquePointer, column: Int32) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite_nio_sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .double(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB: return .text("<blob \(sqlite_nio_sqlite3_column_bytes(statement, column)) bytes>")
        default: return .null
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
