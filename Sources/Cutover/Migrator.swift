import CutoverCore
import Logging

/// Applies migration files to one database, exactly once each, in id order.
///
/// Each migration runs in its own transaction together with its history row, and the run
/// stops at the first error: the failed migration leaves nothing behind but a `failed`
/// history row naming the statement, its line and the database's message.
/// `-- cutover:no-transaction` migrations run statement by statement with progress
/// recorded after each one, so a rerun resumes where the last one stopped.
///
/// ```swift
/// let migrator = Migrator(database: db, migrations: try MigrationDirectory(path: "migrations").load())
/// let report = try await migrator.migrate()
/// print(report.applied.map(\.id))
/// ```
///
/// Concurrent runners are safe: on PostgreSQL the run holds a session advisory lock and
/// re-reads the history once it has it; on SQLite each migration's `BEGIN IMMEDIATE`
/// serialises writers and the history row is re-read inside it.
///
/// ## Topics
/// - ``migrate(to:dryRun:)``
/// - ``rollback(to:steps:dryRun:expecting:)``
/// - ``status()``
/// - ``validate()``
/// - ``repair(_:)``
/// - ``baseline(to:)``
public struct Migrator: Sendable {
    /// How a run behaves.
    public struct Configuration: Sendable {
        /// `lock_timeout` set (locally) for every migration; nil leaves the server default.
        public var lockTimeout: Duration?
        /// `statement_timeout` set (locally) for every migration; nil leaves the server default.
        public var statementTimeout: Duration?
        /// Backoff for retries after a lock timeout (SQLSTATE 55P03).
        public var retry = RetryPolicy(retries: 5)
        /// How long to wait for another run's lock.
        public var lockWait: Duration = .seconds(60)
        /// Apply pending migrations older than the newest applied one instead of refusing.
        public var allowOutOfOrder = false
        /// Watches every statement (rehearsal's lock sampler); nil for none.
        public var observer: (any StatementObserver)?

        /// The defaults: no timeouts, five retries, a minute's wait for the lock.
        public init() {}

        /// The settings of `[safety]` in `cutover.toml`.
        public init(safety: CutoverCore.Configuration.Safety) {
            lockTimeout = safety.lockTimeout
            statementTimeout = safety.statementTimeout
            retry = RetryPolicy(retries: safety.lockRetries)
            lockWait = safety.lockWait
        }
    }

    /// The open session the migrations run on.
    public let database: any Database
    /// The migration files, in id order.
    public let migrations: [Migration]
    /// Where each id is in `migrations`.
    private let positions: [MigrationID: Int]
    /// Timeouts, retries, the lock wait and out-of-order handling.
    public let configuration: Configuration
    let logger: Logger
    let events: MigrationEventHandler

    /// Creates a migrator.
    /// - Parameters:
    ///   - database: an open session; the migrator does not close it.
    ///   - migrations: the parsed files, from ``MigrationDirectory/load()``.
    ///   - configuration: timeouts, retries and the lock wait; ``Configuration/init(safety:)``
    ///     reads them from `cutover.toml`.
    ///   - logger: where the run logs (disabled by default).
    ///   - events: called with progress as the run goes.
    public init(
        database: any Database, migrations: [Migration], configuration: Configuration = .init(),
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() }),
        events: @escaping MigrationEventHandler = { _ in }
    ) {
        self.database = database
        let inOrder = migrations.indices.dropFirst().allSatisfy { migrations[$0 - 1].id < migrations[$0].id }
        self.migrations = inOrder ? migrations : migrations.sorted { $0.id < $1.id }
        var positions: [MigrationID: Int] = [:]
        positions.reserveCapacity(migrations.count)
        for offset in self.migrations.indices {
            let id = self.migrations[offset].id
            // Strictly increasing ids are unique; otherwise the first of equal ids wins.
            if inOrder || positions[id] == nil { positions[id] = offset }
        }
        self.positions = positions
        self.configuration = configuration
        self.logger = logger
        self.events = events
    }

    var history: HistoryStore { HistoryStore(database: database) }
    var dialect: any Dialect { database.dialect }

    /// The state of every migration, from the files and the history. Takes no lock and
    /// creates nothing.
    ///
    /// - Returns: one state per migration found in the files or the history, in id order.
    /// - Throws: `CutoverError` when the history cannot be read.
    public func status() async throws -> [MigrationState] {
        MigrationPlanner().states(migrations: migrations, history: try await history.all())
    }

    /// Every row of the history table, keyed by migration id; empty when the table does not
    /// exist yet. Takes no lock and creates nothing.
    ///
    /// ```swift
    /// let applied = try await migrator.historyRecords().values.filter { $0.phase == .applied }
    /// ```
    ///
    /// - Returns: the rows.
    /// - Throws: `CutoverError` `.statementFailed` or a connection error.
    public func historyRecords() async throws -> [MigrationID: HistoryRecord] {
        try await history.all()
    }

    /// The history rows of `database`, keyed by id; empty when it has no history table. For
    /// reading the history before the migration files are loaded.
    ///
    /// - Parameter database: an open session.
    /// - Returns: the rows.
    /// - Throws: `CutoverError` when the history cannot be read.
    public static func history(of database: any Database) async throws -> [MigrationID: HistoryRecord] {
        try await HistoryStore(database: database).all()
    }

    /// The migration with `id`, or an error listing what exists.
    func migration(_ id: MigrationID) throws -> Migration {
        guard let position = positions[id] else {
            throw CutoverError(
                .invalidArgument, "no migration file has the id \(id)",
                hint: migrations.isEmpty ? "the migrations folder is empty" : "known ids run from \(migrations.first!.id) to \(migrations.last!.id); see `cutover status`")
        }
        return migrations[position]
    }

    /// True while this task holds a run lock that keeps every other runner out (PostgreSQL's
    /// advisory lock): the history read under it stays current, so the per-migration
    /// re-reads that SQLite's per-transaction serialisation needs are skipped.
    @TaskLocal static var holdsExclusiveRunLock = false

    /// Whether history rows must be re-read inside each write transaction.
    var mustRecheckHistory: Bool { !Self.holdsExclusiveRunLock }

    /// Runs `body` while holding the run lock, with the history table in place.
    func withRunLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        events(.waitingForLock)
        let lock = try await database.acquireRunLock(wait: configuration.lockWait, logger: logger)
        events(.lockAcquired(waited: clock.now - start))
        do {
            try await ensureHistoryTable()
            try await applySessionTimeouts()
            let result = try await Self.$holdsExclusiveRunLock.withValue(lock.isExclusive) { try await body() }
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }

    /// Sets `[safety]` lock_timeout and statement_timeout for the whole session (PostgreSQL),
    /// once the run lock is held: every migration's transaction then runs under them without
    /// a `SET LOCAL` round trip of its own. Applied again after a migration that may have
    /// changed session settings (see ``reapplySessionTimeouts(after:)``).
    func applySessionTimeouts() async throws {
        for statement in dialect.sessionTimeoutStatements(lockTimeout: configuration.lockTimeout, statementTimeout: configuration.statementTimeout) {
            try await database.execute(statement)
        }
    }

    /// Applies the session timeouts again when one of `statements` may have changed a
    /// session setting (a migration's own `SET lock_timeout = 0` must not carry over to the
    /// migrations after it).
    func reapplySessionTimeouts(after statements: [SQLStatement]) async throws {
        if statements.contains(where: { dialect.mayChangeSessionSettings($0.sql) }) { try await applySessionTimeouts() }
    }

    /// Creates the history table inside a write transaction, so concurrent first runs on
    /// SQLite serialise on it.
    private func ensureHistoryTable() async throws {
        if try await history.exists() { return }
        try await inWriteTransaction { try await history.create() }
    }

    /// Runs `body` in a write transaction; rolls back when it throws, keeping a failed
    /// rollback's error beside the one `body` threw (`Database.rollBack(after:)`).
    func inWriteTransaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            try await database.execute(dialect.beginTransaction)
        } catch let error as CutoverError where dialect.isLockTimeout(error) {
            throw CutoverError(
                .lockNotAcquired, "another process held the write lock on \(database.redactedURL) for longer than lock_wait (\(configuration.lockWait))",
                hint: "wait for the other run to finish, or raise [safety] lock_wait", databaseCode: error.databaseCode, underlying: error)
        }
        do {
            let result = try await body()
            try await database.execute("COMMIT")
            return result
        } catch {
            throw await database.rollBack(after: error)
        }
    }
}
