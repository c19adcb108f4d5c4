import CutoverCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// One PostgreSQL session, opened by ``PostgresDriver``.
///
/// Statements run one at a time over postgres-nio's extended query protocol, so each call
/// takes exactly one statement (the migration splitter provides that) and binds `$1`, `$2`, …
/// with typed values: `.integer` is a `bigint`, `.double` a `double precision`, `.text` a
/// `text`, `.bool` a `boolean`, `.null` an untyped NULL. Cast where a column wants another
/// type (`$1::timestamptz`, see ``PostgresDialect/timestamp(_:)``).
///
/// ```swift
/// let db = try await PostgresDriver().connect(url, logger: logger)
/// try await db.execute("INSERT INTO users (id, email) VALUES ($1, $2)", [.integer(1), .text("a@example.com")])
/// let rows = try await db.query("SELECT email FROM users WHERE id = $1", [.integer(1)])
/// await db.close()
/// ```
///
/// Cancelling the task that runs a statement closes the session: PostgreSQL then aborts the
/// statement and rolls back the open transaction (within about a second on PostgreSQL 14 and
/// later, which check for a vanished client every `client_connection_check_interval`, set to
/// 1 s here; older servers notice when they next write to the client).
///
/// ## Topics
/// ### Running statements
/// - ``execute(_:_:)``
/// - ``query(_:_:)``
/// ### Serialising runs
/// - ``acquireRunLock(wait:logger:)``
/// - ``runLockKey``
/// ### Session
/// - ``serverVersionNumber``
/// - ``isClosed``
/// - ``close()``
public final class PostgresDatabase: Database {
    /// PostgreSQL's SQL dialect.
    public let dialect: any Dialect = PostgresDialect()
    /// The URL this session was opened with, password replaced by `***`.
    public let redactedURL: String
    /// The server's `server_version_num`, e.g. `150004` for 15.4.
    public let serverVersionNumber: Int
    /// ``serverVersionNumber``, for the engine (``Database/serverVersion``).
    public var serverVersion: Int? { serverVersionNumber }

    let connection: PostgresConnection
    let settings: PostgresConnectionSettings
    let logger: Logger
    /// The server process of this session (`pg_backend_pid()`), to cancel its statement.
    let backendPID: Int?

    private init(connection: PostgresConnection, settings: PostgresConnectionSettings, serverVersionNumber: Int, backendPID: Int?, logger: Logger) {
        self.connection = connection
        self.backendPID = backendPID
        self.settings = settings
        self.serverVersionNumber = serverVersionNumber
        self.redactedURL = settings.redactedURL
        self.logger = logger
    }

    /// Connects, reads the server version and prepares the session.
    static func open(settings: PostgresConnectionSettings, logger: Logger) async throws -> PostgresDatabase {
        let connection = try await settings.connect(applicationName: settings.applicationName, logger: logger)
        do {
            let (version, pid) = try await Self.prepareSession(connection, logger: logger)
            logger.debug(
                "connected to PostgreSQL",
                metadata: ["cutover_database": "\(settings.redactedURL)", "cutover_server_version": "\(version)"]
            )
            return PostgresDatabase(connection: connection, settings: settings, serverVersionNumber: version, backendPID: pid, logger: logger)
        } catch {
            try? await connection.close()
            throw settings.connectError(error)
        }
    }

    /// Reads `server_version_num` and, on PostgreSQL 14 and later, sets
    /// `client_connection_check_interval = '1s'`, in one round trip: a backend whose client
    /// has gone (a killed `cutover`, a cancelled task that closed the socket) then stops its
    /// statement at the next check instead of running a long DDL to the end
    /// (https://www.postgresql.org/docs/current/runtime-config-connection.html).
    /// Best effort: a managed server may forbid the setting, and nothing depends on it.
    private static func prepareSession(_ connection: PostgresConnection, logger: Logger) async throws -> (version: Int, pid: Int?) {
        let prepare = """
            SELECT current_setting('server_version_num') AS version, pg_backend_pid() AS pid, \
            CASE WHEN current_setting('server_version_num')::int >= 140000 \
            THEN set_config('client_connection_check_interval', '1s', false) END AS check_interval
            """
        if let numbers = try? await firstIntegers(of: prepare, on: connection, logger: logger), let version = numbers.first ?? nil {
            return (version, numbers.count > 1 ? numbers[1] : nil)
        }
        return ((try await firstIntegers(of: "SHOW server_version_num", on: connection, logger: logger).first ?? nil) ?? 0, nil)
    }

    /// The cells of the first row as integers (nil where a cell is not one).
    private static func firstIntegers(of sql: String, on connection: PostgresConnection, logger: Logger) async throws -> [Int?] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        var numbers: [Int?]?
        for try await row in rows where numbers == nil {
            numbers = row.map { cell in
                switch PostgresValueDecoder.value(cell) {
                case .text(let text): Int(text)
                case .integer(let number): Int(number)
                default: nil
                }
            }
        }
        return numbers ?? []
    }

    // MARK: - Statements

    /// Runs one statement and discards its rows.
    ///
    /// - Parameters:
    ///   - sql: exactly one statement, with `$1`, `$2`, … placeholders.
    ///   - binds: one value per placeholder.
    /// - Throws: ``CutoverError`` `.statementFailed` with the server's message (and detail),
    ///   hint, SQLSTATE and the statement; `.connectionFailed` when the session is lost;
    ///   `CancellationError` when the task is cancelled (the session is then closed).
    public func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        try await run(sql, binds) { _ in }
    }

    /// Runs one statement, discards its rows, and returns the row count of its command tag
    /// (`UPDATE 500` → 500; for `SELECT … FOR UPDATE`, the rows it locked); nil for a tag
    /// without a count (`CREATE TABLE`, `DO`).
    /// - Throws: the same errors as ``execute(_:_:)``.
    public func executeCountingRows(_ sql: String, _ binds: [SQLValue]) async throws -> Int? {
        try await run(sql, binds) { _ in }
    }

    /// Runs one statement and returns its rows.
    ///
    /// Column values are converted as described in ``PostgresDatabase``: integers, floating
    /// point and `numeric` (as `Double`), booleans and text-like types map directly;
    /// timestamps become ISO-8601 text in UTC (`2026-11-24T12:00:00.123Z`).
    ///
    /// - Parameters:
    ///   - sql: exactly one statement, with `$1`, `$2`, … placeholders.
    ///   - binds: one value per placeholder.
    /// - Returns: the rows in the order the server sent them.
    /// - Throws: the same errors as ``execute(_:_:)``.
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [Row] {
        var rows: [Row] = []
        var columns: [String]?  // the same for every row: built once, shared
        try await run(sql, binds) { row in
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for cell in row { values.append(PostgresValueDecoder.value(cell)) }
            let names = columns ?? row.map(\.columnName)
            columns = names
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }

    /// Sends the statement and hands each row to `body`; rows are always read to the end,
    /// because an error can arrive after the first rows (`SELECT 1/(n-3) FROM …`).
    /// Returns the row count of the command tag, nil when it has none.
    @discardableResult
    private func run(_ sql: String, _ binds: [SQLValue], _ body: (PostgresRow) -> Void) async throws -> Int? {
        logger.debug("sql", metadata: ["cutover_sql": "\(sql)"])
        if !binds.isEmpty { logger.trace("binds", metadata: ["cutover_binds": "\(binds)"]) }
        let query = PostgresQuery(unsafeSQL: sql, binds: Self.bindings(binds))
        let connection = self.connection
        // postgres-nio 1.33 never completes a query written to a connection that is already
        // closed (the write fails with no promise attached), so a session the server ended
        // between two statements must be caught here.
        guard !connection.isClosed else {
            throw CutoverError(
                .connectionFailed, "the session with \(settings.endpointDescription) is closed",
                hint: "the server ended it, the network dropped it, or it was closed; open a new session and run again",
                statement: sql
            )
        }
        try Task.checkCancellation()
        do {
            return try await withTaskCancellationHandler {
                let result = try await Self.queryUnlessClosed(query, on: connection, logger: logger)
                for row in result.rows { body(row) }
                return Self.rowCount(result.metadata)
            } onCancel: {
                // postgres-nio has no public CancelRequest; closing the socket makes the
                // server abort the statement and roll back (see the type's discussion).
                // The close waits a moment on the event loop so that a query that passed the
                // cancellation check just before reaches the connection first and is failed
                // by the close, instead of being written to a closed channel (see above).
                connection.eventLoop.scheduleTask(in: .milliseconds(50)) {
                    let closing: EventLoopFuture<Void> = connection.close()
                    closing.whenComplete { _ in }
                }
            }
        } catch {
            if Task.isCancelled {
                // The statement was sent: closing the socket is noticed by the server only at
                // its next check, and a statement waiting for a lock, or a one-round-trip
                // batch that ends in COMMIT, would go on and commit. Cancel it on the server
                // before reporting the cancellation (SIGINT: "the one running was rolled back").
                await cancelOnServer()
                throw CancellationError()
            }
            throw statementError(error, sql: sql)
        }
    }

    /// `connection.query`, or an error as soon as the connection closes. postgres-nio 1.33
    /// never completes a query written to a connection that has just closed (the write fails
    /// with no promise attached), and a query can pass the `isClosed` check in ``run`` just as
    /// a cancelled sibling task closes the connection (a failed `async let` cancels the others;
    /// under load the close can come before the write): without this the command would wait
    /// forever.
    ///
    /// The rows are collected on the event loop (postgres-nio's future-based `query`), all of
    /// them before any is handed over: every statement here is read to the end anyway, and a
    /// thousand-row history then crosses threads once instead of in back-pressured batches.
    private static func queryUnlessClosed(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> PostgresQueryResult {
        let outcome = NIOLockedValueBox<Bool>(false)  // whether the continuation was resumed
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresQueryResult, any Error>) in
            @Sendable func finish(_ result: Result<PostgresQueryResult, any Error>) {
                let first = outcome.withLockedValue { resumed in
                    defer { resumed = true }
                    return !resumed
                }
                if first { continuation.resume(with: result) }
            }
            connection.query(query, logger: logger).whenComplete { result in finish(result) }
            connection.closeFuture.whenComplete { _ in
                finish(.failure(CutoverError(
                    .connectionFailed, "the session closed before the statement completed",
                    hint: "the server ended it, the network dropped it, or the run was cancelled; run again",
                    statement: query.sql)))
            }
        }
    }

    /// The row count of a command tag. postgres-nio reads it for INSERT, UPDATE, DELETE,
    /// SELECT, MOVE, FETCH and COPY; `MERGE n` (PostgreSQL 15) it leaves in `command`.
    static func rowCount(_ metadata: PostgresQueryMetadata) -> Int? {
        if let rows = metadata.rows { return rows }
        let words = metadata.command.split(separator: " ")
        guard words.count == 2, words[0] == "MERGE" else { return nil }
        return Int(words[1])
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .double(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bool(let flag): bindings.append(flag)
            }
        }
        return bindings
    }

    /// Cancels this session's running statement from a new session
    /// (`pg_cancel_backend`), even in a cancelled task. Best effort: a failure is logged.
    private func cancelOnServer() async {
        guard let pid = backendPID else { return }
        let (settings, logger) = (self.settings, self.logger)
        do {
            try await withoutCancellation {
                let canceller = try await settings.connect(applicationName: "cutover-cancel", logger: logger)
                do {
                    _ = try await canceller.query(PostgresQuery(unsafeSQL: "SELECT pg_catalog.pg_cancel_backend(\(pid))"), logger: logger).collect()
                } catch {
                    try? await canceller.close()
                    throw error
                }
                try? await canceller.close()
            }
        } catch {
            logger.warning("could not cancel the interrupted statement on the server (pid \(pid)); the server stops it when it notices the closed session", metadata: ["cutover_error": "\(error)"])
        }
    }

    // MARK: - Closing

    /// Whether the session is closed (by ``close()``, the server, or a lost network).
    public var isClosed: Bool { connection.isClosed }

    /// Closes the session. Safe to call more than once; an open transaction is rolled back
    /// by the server.
    public func close() async {
        try? await connection.close()
    }

    deinit {
        // A session dropped without close() is closed rather than leaked (postgres-nio
        // asserts that connections are closed before they go away). The completion
        // handler keeps the connection alive until the close has finished.
        let connection = self.connection
        if !connection.isClosed {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }
}
