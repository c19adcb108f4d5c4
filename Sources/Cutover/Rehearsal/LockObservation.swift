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

/// How a lock mode affects ordinary reads (SELECT) and writes (INSERT/UPDATE/DELETE)
/// (https://www.postgresql.org/docs/current/explicit-locking.html, table 13.2).
public struct LockImpact: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 0 for ``blocksNothing`` up to 2 for ``blocksReadsAndWrites``; orders impacts.
    public let rank: Int
    /// The impact in words (`blocks writes`).
    public let description: String

    /// ACCESS EXCLUSIVE conflicts with every mode, even ACCESS SHARE (plain SELECT).
    public static let blocksReadsAndWrites = LockImpact(rank: 2, description: "blocks reads and writes")
    /// SHARE, SHARE ROW EXCLUSIVE and EXCLUSIVE conflict with ROW EXCLUSIVE (writes).
    public static let blocksWrites = LockImpact(rank: 1, description: "blocks writes")
    /// The weaker modes conflict only with other DDL or VACUUM.
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
    /// Locks first taken by this statement.
    public var locks: [LockObservation]

    /// The worst impact among locks on relations that existed before the migration.
    public var impact: LockImpact {
        locks.filter { !$0.isNewRelation }.map(\.impact).max() ?? .blocksNothing
    }
}
