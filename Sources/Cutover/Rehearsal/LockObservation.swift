import CutoverCore

/// One lock a statement held, as seen from another session.
public struct LockObservation: Sendable, Equatable {
    /// `schema.table` (or `schema.index`); an OID when the relation was created by the
    /// same, still uncommitted, transaction.
    public var relation: String
    /// The strongest mode held on it, in PostgreSQL's naming (`AccessExclusiveLock`).
    public var mode: String
    /// How long it was held: until the end of the statement for a statement that runs
    /// alone, until COMMIT for a migration's transaction.
    public var heldMilliseconds: Int
    /// True when the relation did not exist before the migration: nobody else can be
    /// waiting for it.
    public var isNewRelation: Bool

    /// What the lock does to the application's traffic.
    public var impact: LockImpact { LockImpact(mode: mode) }
}

/// How a lock affects the application's ordinary reads (SELECT) and writes
/// (INSERT/UPDATE/DELETE). Table lock modes follow PostgreSQL's conflict table
/// (https://www.postgresql.org/docs/current/explicit-locking.html, table 13.2); row locks
/// and SQLite's database write lock are ``WriteLockObservation``s.
public struct LockImpact: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Orders impacts: 0 for ``blocksNothing`` up to 4 for ``blocksReadsAndWrites``.
    public let rank: Int
    /// The impact in words (`blocks writes`).
    public let description: String

    /// ACCESS EXCLUSIVE conflicts with every mode, even ACCESS SHARE (plain SELECT).
    public static let blocksReadsAndWrites = LockImpact(rank: 4, description: "blocks reads and writes")
    /// SQLite's write lock: one per database file, so every other writer, of any table,
    /// waits until COMMIT. Readers go on (in WAL mode always; with a rollback journal, the
    /// default, except while the commit, or a transaction too big for the page cache,
    /// writes to the file).
    public static let blocksAllWriters = LockImpact(rank: 3, description: "blocks all writers to the database")
    /// SHARE, SHARE ROW EXCLUSIVE and EXCLUSIVE conflict with ROW EXCLUSIVE (writes).
    public static let blocksWrites = LockImpact(rank: 2, description: "blocks writes")
    /// Row locks of UPDATE, DELETE, `INSERT … ON CONFLICT DO UPDATE` or `SELECT … FOR
    /// UPDATE`: writers of those rows (and `FOR UPDATE` readers) wait until COMMIT; other
    /// rows and plain reads go on. Their table lock (ROW EXCLUSIVE) alone blocks nothing.
    public static let blocksWritesToRows = LockImpact(rank: 1, description: "blocks writes to the rows it changed")
    /// The weaker table lock modes conflict only with other DDL or VACUUM.
    public static let blocksNothing = LockImpact(rank: 0, description: "blocks nothing")

    /// The impact of a PostgreSQL lock mode name.
    public init(mode: String) {
        switch mode {
        case "AccessExclusiveLock": self = .blocksReadsAndWrites
        case "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock": self = .blocksWrites
        default: self = .blocksNothing
        }
    }

    private init(rank: Int, description: String) {
        self.rank = rank
        self.description = description
    }

    /// Whether `lhs` disturbs traffic less than `rhs`.
    public static func < (lhs: LockImpact, rhs: LockImpact) -> Bool { lhs.rank < rhs.rank }

    /// Strength order of PostgreSQL's table lock modes, weakest first.
    static let modeOrder = [
        "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
        "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    ]

    /// The stronger of two modes.
    static func stronger(_ a: String, _ b: String) -> String {
        (modeOrder.firstIndex(of: a) ?? -1) >= (modeOrder.firstIndex(of: b) ?? -1) ? a : b
    }
}

/// What rehearsal saw for one statement.
public struct StatementObservation: Sendable {
    /// The migration the statement belongs to.
    public var migration: MigrationID
    /// That migration's name.
    public var migrationName: String
    /// The statement's 0-based position in the migration.
    public var index: Int
    /// The 1-based line in the file where the statement starts.
    public var line: Int
    /// The statement's text.
    public var sql: String
    /// How long it ran on the clone.
    public var durationMilliseconds: Int
    /// The database's message when the statement failed.
    public var error: String?
    /// Table locks first taken by this statement.
    public var locks: [LockObservation]
    /// The rows the statement changed as the database counted them
    /// (`Database.executeCountingRows(_:_:)`): PostgreSQL's command tag (for `SELECT … FOR
    /// UPDATE`, the rows it locked), SQLite's rows inserted, updated or deleted. nil when
    /// the database gave no count (PostgreSQL DDL, `DO` blocks) or the statement failed.
    public var rowsTouched: Int?
    /// The row locks (PostgreSQL) or database write lock (SQLite) the statement held until
    /// COMMIT on data other sessions use; nil when it touched no existing rows.
    public var writeLock: WriteLockObservation?

    /// The worst impact among locks on relations that existed before the migration and the
    /// statement's ``writeLock``.
    public var impact: LockImpact {
        (locks.filter { !$0.isNewRelation }.map(\.impact) + [writeLock?.impact].compactMap { $0 }).max() ?? .blocksNothing
    }
}

/// A lock on data, rather than on a table's definition, that a statement of a migration
/// held until COMMIT: PostgreSQL's row locks on the existing rows it updated, deleted or
/// locked (its table lock, ROW EXCLUSIVE, blocks nothing, but writers of those rows wait),
/// or SQLite's write lock on the whole database.
public struct WriteLockObservation: Sendable, Equatable {
    /// What the lock covers.
    public enum Scope: String, Sendable, Equatable {
        /// The rows the statement changed (``StatementObservation/rowsTouched``).
        case rows
        /// The whole database (SQLite).
        case database
    }

    /// What the lock covers.
    public var scope: Scope
    /// How many rows: for ``Scope/rows`` those locked, for ``Scope/database`` those the
    /// statement changed; nil when the database's count does not tell (a `WITH` query's
    /// command tag counts its main statement's rows) or it gave none.
    public var rows: Int?
    /// How long it was held: PostgreSQL, from the statement's start until COMMIT; SQLite,
    /// from the start of the migration's write transaction (`BEGIN IMMEDIATE` takes the
    /// lock) until COMMIT.
    public var heldMilliseconds: Int

    /// What the lock does to the application's traffic.
    public var impact: LockImpact { scope == .rows ? .blocksWritesToRows : .blocksAllWriters }
}
