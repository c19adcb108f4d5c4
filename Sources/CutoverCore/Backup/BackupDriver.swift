import Logging

/// A driver that can dump a whole database to a file, restore such a file, and make and
/// drop copies of a database: the hooks behind `cutover backup`, `cutover restore` and
/// `cutover backup verify`.
///
/// The engine reaches these through CutoverCore only, so it never imports a driver. Every
/// method works from a ``DatabaseURL`` rather than an open session, because the database
/// operations need sessions of their own: `pg_dump` runs as a child process, and
/// `CREATE DATABASE … TEMPLATE` must not run while any session (ours included) is connected
/// to the source.
///
/// - PostgreSQL: `pg_dump --format=custom` inside an exported snapshot, `pg_restore`.
/// - SQLite: `VACUUM INTO` a new file; restores copy the file or rewrite the live one in a
///   single write transaction.
///
/// ```swift
/// let driver: any BackupDriver = PostgresDriver()
/// let (file, counts) = try await driver.backup(url, to: "/backups/x.dump", progress: .none, logger: logger) { snapshot in
///     try await snapshot.summarizeContents().rowCounts
/// }
/// try await driver.restore("/backups/x.dump", into: url.withDatabase("shop_restored"), replacing: false,
///                          properties: file.properties, progress: .none, logger: logger)
/// ```
///
/// ## Topics
/// ### Backing up
/// - ``backupFormat(for:)``
/// - ``backup(_:to:progress:logger:whileConsistent:)``
/// ### Restoring
/// - ``restore(_:into:replacing:properties:progress:logger:)``
/// - ``inspectTarget(_:logger:)``
/// ### Naming
/// - ``siblingURL(of:suffix:)``
/// - ``isSameDatabase(_:_:)``
public protocol BackupDriver: DatabaseCloning {
    /// The file format and extension backups of `url` are written in.
    ///
    /// - Parameter url: a URL of one of ``DatabaseDriver/schemes``.
    /// - Returns: e.g. `pg_dump-custom` / `dump`, `sqlite` / `sqlite3`.
    func backupFormat(for url: DatabaseURL) -> BackupFormat

    /// Writes a consistent snapshot of the whole database at `url` to `path`.
    ///
    /// While the snapshot is being written, `read` runs on a session that sees exactly the
    /// data the backup contains (PostgreSQL: the dump's exported snapshot; SQLite: the
    /// finished backup file), so what it records (row counts, the last applied migration)
    /// matches the file even while the application keeps writing.
    ///
    /// ```swift
    /// let (file, summary) = try await driver.backup(url, to: path, progress: reporter, logger: logger) {
    ///     try await $0.summarizeContents()
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - url: the database to back up.
    ///   - path: the file to write. It must not exist, or be empty; the caller renames it
    ///     into place when the backup is complete.
    ///   - progress: receives the bytes written so far, at its interval.
    ///   - logger: receives the commands run (debug), never a password.
    ///   - read: runs against the snapshot; its result is returned with the file details.
    /// - Returns: what the driver knows about the file, and the result of `read`.
    /// - Throws: ``CutoverError`` `.backupFailed` (tool missing or too old, dump failed, disk
    ///   full), or a connection error (`.connectionFailed`, `.authenticationFailed`,
    ///   `.unknownDatabase`); `CancellationError` (the dump is stopped and `path` left for
    ///   the caller to remove).
    func backup<T: Sendable>(
        _ url: DatabaseURL, to path: String, progress: ProgressReporter, logger: Logger,
        whileConsistent read: (any ContentsSummarizing) async throws -> T
    ) async throws -> (file: BackupFileInfo, read: T)

    /// Restores the backup file at `path` into the database at `url`.
    ///
    /// Without `replacing`, the database must not exist (it is created, PostgreSQL with the
    /// encoding and collation in `properties`) or must be empty. With `replacing`, every
    /// object in it is dropped and the backup's contents put in their place, in one
    /// transaction: another session sees the old contents or the new ones, never a mix,
    /// and a failure leaves the old contents.
    ///
    /// ```swift
    /// try await driver.restore(file, into: url.withDatabase("shop_restored"), replacing: false,
    ///                          properties: record.properties, progress: reporter, logger: logger)
    /// ```
    ///
    /// - Parameters:
    ///   - path: a file written by ``backup(_:to:progress:logger:whileConsistent:)``.
    ///   - url: where to restore.
    ///   - replacing: drop what is in `url` first.
    ///   - properties: ``BackupFileInfo/properties`` of the backup.
    ///   - progress: receives tables (PostgreSQL) or bytes (SQLite) done, at its interval.
    ///   - logger: receives the commands run (debug).
    /// - Throws: ``CutoverError`` `.restoreFailed` (a newly created database is dropped
    ///   again), `.invalidArgument` when `url` is not empty and `replacing` is false, or a
    ///   connection error.
    /// - Warning: with `replacing`, everything in the database at `url` is lost. Take a
    ///   backup of it first (`cutover restore --force` does).
    func restore(
        _ path: String, into url: DatabaseURL, replacing: Bool, properties: [String: String],
        progress: ProgressReporter, logger: Logger
    ) async throws

    /// Whether `url` names a database that does not exist yet, an empty one, or one that
    /// holds tables or other objects.
    ///
    /// - Parameters:
    ///   - url: the database to look at.
    ///   - logger: receives connection events.
    /// - Returns: the state.
    /// - Throws: a connection error (not `.unknownDatabase`: a missing database is `.missing`).
    func inspectTarget(_ url: DatabaseURL, logger: Logger) async throws -> RestoreTargetState

    /// A URL for another database next to `url`, its name ending in `suffix`: PostgreSQL
    /// `shop` → `shop_<suffix>` on the same server (cut to 63 bytes), SQLite `shop.sqlite3`
    /// → `shop_<suffix>.sqlite3` in the same folder.
    ///
    /// - Parameters:
    ///   - url: the original database.
    ///   - suffix: letters, digits and `_`.
    /// - Returns: the new URL; nothing is created.
    func siblingURL(of url: DatabaseURL, suffix: String) -> DatabaseURL

    /// Whether two URLs name the same database (PostgreSQL: host, port and database name;
    /// SQLite: the same file after resolving links).
    ///
    /// - Parameters:
    ///   - lhs: a URL.
    ///   - rhs: another URL.
    /// - Returns: true when both name one database.
    func isSameDatabase(_ lhs: DatabaseURL, _ rhs: DatabaseURL) -> Bool
}

/// A driver that can copy a database under a new name and drop such copies again: the
/// primitive behind rehearsals on a clone.
///
/// ```swift
/// guard let cloning = driver as? any DatabaseCloning else { … }
/// let clone = try await cloning.makeClone(of: url, name: "shop_rehearsal", strategy: .automatic, logger: logger)
/// let session = try await driver.open(clone.url, logger: logger)
/// …
/// await session.close()
/// try await cloning.dropClone(clone.url, logger: logger)
/// ```
///
/// ## Topics
/// - ``makeClone(of:name:strategy:logger:)``
/// - ``dropClone(_:logger:)``
/// - ``CloneStrategy``
/// - ``DatabaseClone``
public protocol DatabaseCloning: DatabaseDriver {
    /// Copies the database at `source` into a new database called `name`.
    ///
    /// PostgreSQL: ``CloneStrategy/template`` runs `CREATE DATABASE name TEMPLATE source`,
    /// a fast file-level copy that PostgreSQL refuses while any other session is connected
    /// to the source (checked in `pg_stat_activity` first, naming the sessions);
    /// ``CloneStrategy/dump`` creates an empty database and pipes `pg_dump` into
    /// `pg_restore`, which is safe while the application is live;
    /// ``CloneStrategy/automatic`` takes the template when nobody is connected and the dump
    /// otherwise. The clone is marked with a comment, so ``dropClone(_:logger:)`` can refuse
    /// to drop a database it did not make. SQLite: `VACUUM INTO` a new file next to the
    /// source (`name` is the file name; `.sqlite3` is added when it has no extension) —
    /// every strategy gives the same result, reported as ``CloneStrategy/snapshot``.
    ///
    /// - Parameters:
    ///   - source: the database to copy.
    ///   - name: the new database's name (PostgreSQL, at most 63 bytes) or file name (SQLite).
    ///   - strategy: how to copy.
    ///   - progress: receives how far a long copy has got (operation `clone`), once per its
    ///     interval: a dump of a big database takes minutes.
    ///   - logger: receives the statements and commands run (debug).
    /// - Returns: the clone's URL (with the source's credentials) and the strategy used.
    /// - Throws: ``CutoverError`` `.cloneFailed` (the name is taken, sessions block a
    ///   template copy, no privilege, the dump failed), or a connection error. A half-made
    ///   clone is dropped before the error is thrown.
    func makeClone(of source: DatabaseURL, name: String, strategy: CloneStrategy, progress: ProgressReporter, logger: Logger) async throws -> DatabaseClone

    /// Drops a database made by ``makeClone(of:name:strategy:logger:)`` (or a scratch
    /// database of `cutover backup verify`), ending the sessions still connected to it.
    ///
    /// PostgreSQL refuses (`.invalidArgument`) to drop a database without Cutover's marker
    /// comment, so a mistaken URL cannot drop production. Dropping a clone that does not
    /// exist succeeds.
    ///
    /// - Parameters:
    ///   - clone: the clone's URL.
    ///   - logger: receives the statements run (debug).
    /// - Throws: ``CutoverError`` `.invalidArgument` (not a clone), `.cloneFailed`, or a
    ///   connection error.
    /// - Warning: the clone's data is lost; SQLite clones are deleted files.
    func dropClone(_ clone: DatabaseURL, logger: Logger) async throws
}

/// A session that can describe its database's schema and count its rows, to check that a
/// restored backup matches what was backed up.
///
/// ```swift
/// let summary = try await (session as! any ContentsSummarizing).summarizeContents()
/// print(summary.rowCounts["public.users"] ?? 0)
/// ```
public protocol ContentsSummarizing: Database {
    /// The normalised schema and the exact row count of every table.
    ///
    /// Runs in the session's current transaction, if one is open (the snapshot of a backup).
    ///
    /// - Returns: the summary.
    /// - Throws: ``CutoverError`` `.statementFailed` or a connection error.
    func summarizeContents() async throws -> ContentsSummary
}

/// How a driver writes backups.
public struct BackupFormat: Sendable, Hashable {
    /// A stable name stored in the catalog: `pg_dump-custom`, `sqlite`.
    public var name: String
    /// The file extension, without the dot: `dump`, `sqlite3`.
    public var fileExtension: String

    /// Creates a format.
    public init(name: String, fileExtension: String) {
        self.name = name
        self.fileExtension = fileExtension
    }
}

/// What a driver reports about a backup file it wrote.
public struct BackupFileInfo: Sendable, Equatable {
    /// The tool that wrote it, e.g. `pg_dump (PostgreSQL) 16.4`, `SQLite 3.46.0 VACUUM INTO`.
    public var tool: String
    /// The server's version (PostgreSQL `server_version`), or the SQLite library version.
    public var serverVersion: String?
    /// Facts a restore needs (PostgreSQL: `encoding`, `lc_collate`, `lc_ctype` of the
    /// source database), stored in the catalog and handed back to
    /// ``BackupDriver/restore(_:into:replacing:properties:progress:logger:)``.
    public var properties: [String: String]

    /// Creates file details.
    public init(tool: String, serverVersion: String?, properties: [String: String] = [:]) {
        self.tool = tool
        self.serverVersion = serverVersion
        self.properties = properties
    }
}

/// What is at a restore target.
public enum RestoreTargetState: Sendable, Equatable {
    /// No such database (PostgreSQL) or file (SQLite).
    case missing
    /// It exists and holds no tables, views, sequences, functions or types.
    case empty
    /// It holds objects; `detail` names a few (`12 tables, e.g. public.users`).
    case notEmpty(detail: String)
}

extension DatabaseCloning {
    /// ``makeClone(of:name:strategy:progress:logger:)`` without progress reports.
    public func makeClone(of source: DatabaseURL, name: String, strategy: CloneStrategy, logger: Logger) async throws -> DatabaseClone {
        try await makeClone(of: source, name: name, strategy: strategy, progress: .none, logger: logger)
    }
}
