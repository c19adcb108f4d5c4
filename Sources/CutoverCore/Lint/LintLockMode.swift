/// PostgreSQL's table-level lock modes, weakest first
/// (https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES).
enum LintLockMode: Int, Comparable, Sendable {
    case accessShare, rowShare, rowExclusive, shareUpdateExclusive, share, shareRowExclusive, exclusive, accessExclusive

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name PostgreSQL's documentation uses (`ACCESS EXCLUSIVE`).
    var name: String {
        switch self {
        case .accessShare: "ACCESS SHARE"
        case .rowShare: "ROW SHARE"
        case .rowExclusive: "ROW EXCLUSIVE"
        case .shareUpdateExclusive: "SHARE UPDATE EXCLUSIVE"
        case .share: "SHARE"
        case .shareRowExclusive: "SHARE ROW EXCLUSIVE"
        case .exclusive: "EXCLUSIVE"
        case .accessExclusive: "ACCESS EXCLUSIVE"
        }
    }

    /// Whether the mode conflicts with ROW EXCLUSIVE, the lock every INSERT, UPDATE and
    /// DELETE takes: while it is held or queued, the application cannot write the table.
    var blocksWrites: Bool { self >= .share }

    /// What the application notices while the lock is held or waited for.
    var effect: String {
        switch self {
        case .accessExclusive: "blocks reads and writes"
        case .share, .shareRowExclusive, .exclusive: "blocks writes"
        default: "blocks neither reads nor writes"
        }
    }

    /// Parses the mode of `LOCK TABLE … IN mode MODE` from its words.
    init?(words: [String]) {
        switch words.joined(separator: " ") {
        case "ACCESS SHARE": self = .accessShare
        case "ROW SHARE": self = .rowShare
        case "ROW EXCLUSIVE": self = .rowExclusive
        case "SHARE UPDATE EXCLUSIVE": self = .shareUpdateExclusive
        case "SHARE": self = .share
        case "SHARE ROW EXCLUSIVE": self = .shareRowExclusive
        case "EXCLUSIVE": self = .exclusive
        case "ACCESS EXCLUSIVE": self = .accessExclusive
        default: return nil
        }
    }
}
