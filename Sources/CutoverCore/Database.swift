import Logging

/// One session with a database: the protocol every driver implements.
///
/// A `Database` is a single connection. Statements run in autocommit mode unless the caller
/// sends the dialect's ``Dialect/beginTransaction`` first; the engine owns transaction
/// boundaries so that a migration and its history row commit together.
///
/// Sessions are closure-scoped: ``DatabaseDriver/withSession(_:logger:_:)`` opens one and
/// closes it when the closure returns or throws.
///
/// ```swift
/// let rows = try await driver.withSession(url, logger: logger) { db in
///     try await db.execute("CREATE TABLE t (id integer)")
///     return try await db.query("SELECT count(*) AS n FROM t")
/// }
/// ```
public protocol Database: AnyObject, Sendable {
    /// How SQL is written for this database.
    var dialect: any Dialect { get }
    /// The URL this session was opened with, password removed.
    var redactedURL: String { get }

    /// Runs one statement and discards any rows.
    /// - Throws: ``CutoverError`` with code `.statementFailed` and the SQLSTATE, or a connection error.
    func execute(_ sql: String, _ binds: [SQLValue]) async throws
    /// Runs one statement, discards any rows, and returns how many rows it changed, as the
    /// database reports it: PostgreSQL's command tag (`UPDATE 500`: rows updated, deleted,
    /// inserted or, for `SELECT … FOR UPDATE`, locked), SQLite's count of rows inserted,
    /// updated or deleted (those of triggers included; DDL counts 0, even one that rewrites
    /// a table). nil when the database gives no count (PostgreSQL DDL, `DO` blocks), never a
    /// guess. Rehearsal uses it to say how many rows a statement kept locked.
    ///
    /// The default runs ``execute(_:_:)`` and returns nil.
    /// - Throws: the same errors as ``execute(_:_:)``.
    func executeCountingRows(_ sql: String, _ binds: [SQLValue]) async throws -> Int?
    /// Runs one statement and returns its rows.
    /// - Throws: ``CutoverError`` with code `.statementFailed` and the SQLSTATE, or a connection error.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [Row]
    /// Takes the lock that serialises whole migration runs, waiting at most `wait`.
    ///
    /// The lock must belong to this session, the one that runs the migrations, so that it
    /// lasts as long as the server may still commit this session's work: a killed client's
    /// backend goes on with its statement until it notices, and a lock held by another
    /// session would let a second runner start the same migration meanwhile. PostgreSQL
    /// takes a session advisory lock in autocommit (no open transaction, so no deadlock with
    /// `CREATE INDEX CONCURRENTLY`). Databases without session locks return a lock whose
    /// release does nothing and rely on per-migration write transactions (SQLite
    /// `BEGIN IMMEDIATE`).
    /// - Throws: ``CutoverError`` `.lockNotAcquired` naming the holder when the wait runs out.
    func acquireRunLock(wait: Duration, logger: Logger) async throws -> any RunLock
    /// The other session holding the run lock now, if any, without waiting for it: what
    /// `cutover status` shows as a run in progress. nil when the lock is free, or for
    /// databases without a session lock to ask about (SQLite).
    func runLockHolder() async throws -> RunLockHolder?
    /// Closes the session. Safe to call more than once. Callers outside a driver use
    /// ``DatabaseDriver/withSession(_:logger:_:)`` instead.
    func close() async
    /// The server's version as PostgreSQL's `server_version_num` (150004 for 15.4), for
    /// rules that depend on it (lint); nil for databases without such a number.
    var serverVersion: Int? { get }
}

extension Database {
    /// No version number: the default for databases other than PostgreSQL.
    public var serverVersion: Int? { nil }
    /// No lock to ask about: the default for databases other than PostgreSQL.
    public func runLockHolder() async throws -> RunLockHolder? { nil }
    /// Runs one statement without binds.
    public func execute(_ sql: String) async throws { try await execute(sql, []) }
    /// No row count: the default for drivers that do not report one.
    public func executeCountingRows(_ sql: String, _ binds: [SQLValue]) async throws -> Int? {
        try await execute(sql, binds)
        return nil
    }
    /// Runs one query without binds.
    public func query(_ sql: String) async throws -> [Row] { try await query(sql, []) }
}

/// A held run lock. Call ``release()`` when the run ends; a process that dies releases it
/// too (the server ends the session).
public protocol RunLock: Sendable {
    /// Whether holding it keeps every other runner out for the whole run (a session lock).
    /// When false, runners serialise per migration and must re-read the history inside each
    /// write transaction.
    var isExclusive: Bool { get }
    func release() async
}

extension RunLock {
    /// Session locks are exclusive.
    public var isExclusive: Bool { true }
}

/// A run lock for databases that serialise by write transactions instead.
public struct NoRunLock: RunLock {
    public init() {}
    public var isExclusive: Bool { false }
    public func release() async {}
}

/// Opens sessions for URLs of one scheme. The command-line tool registers one driver per
/// database; the engine only sees this protocol.
///
/// Drivers that can dump, restore and copy whole databases also conform to
/// ``BackupDriver`` and ``DatabaseCloning``; the engine finds them with a cast
/// (`driver as? any DatabaseCloning`), so it never imports a driver.
public protocol DatabaseDriver: Sendable {
    /// URL schemes this driver serves (`sqlite`, `postgres`, `postgresql`).
    var schemes: [String] { get }
    /// How SQL is written for this driver's databases: what a session's
    /// ``Database/dialect`` is, known before connecting (`cutover lint` needs no connection).
    var dialect: any Dialect { get }
    /// Opens a session.
    /// - Throws: ``CutoverError`` with `.connectionFailed`, `.authenticationFailed` or `.unknownDatabase`.
    func open(_ url: DatabaseURL, logger: Logger) async throws -> any Database
    /// The same driver with the settings of `[safety]` that concern it (how long SQLite waits
    /// on a busy file, how long a PostgreSQL connect may take).
    func configured(for safety: Configuration.Safety) -> any DatabaseDriver
}

extension DatabaseDriver {
    /// Drivers without settings from `[safety]` return themselves.
    public func configured(for safety: Configuration.Safety) -> any DatabaseDriver { self }
}
