import CutoverCore

/// Progress reported by the ``Migrator`` while it works; the command-line tool prints
/// these, a library user may log them.
public enum MigrationEvent: Sendable {
    /// The run is about to take the run lock. Sent before every run that applies, rolls
    /// back or repairs, whether or not another run holds the lock; see
    /// ``lockAcquired(waited:)`` for how long it took.
    case waitingForLock
    /// The run lock is held; `waited` is how long taking it took (seconds or more when
    /// another run held it).
    case lockAcquired(waited: Duration)
    /// A migration begins.
    case migrationStarted(id: MigrationID, name: String, statements: Int, resumingAt: Int)
    /// One statement of a migration finished.
    case statementFinished(id: MigrationID, index: Int, total: Int, line: Int, duration: Duration)
    /// A migration was applied (or rolled back) and recorded.
    case migrationFinished(id: MigrationID, name: String, duration: Duration)
    /// A migration was already applied by another runner when this one got to it (SQLite,
    /// where runners race per migration; on PostgreSQL a runner that waited for the run lock
    /// plans again once it holds it, so what the other applied is not in its plan at all).
    case migrationSkipped(id: MigrationID, name: String)
    /// A lock timeout hit; the migration (or statement) will be tried again after `delay`.
    case retrying(id: MigrationID, attempt: Int, of: Int, delay: Duration, message: String)
    /// A migration (or one of its statements, from `line`) has been running for `elapsed`,
    /// and still is: sent once a second while it runs longer than a second, so a long
    /// statement is never silent. `line` is nil when the migration runs in one round trip.
    case stillRunning(id: MigrationID, name: String, line: Int?, elapsed: Duration)
}

/// A sink for events; must be safe to call from any task.
public typealias MigrationEventHandler = @Sendable (MigrationEvent) -> Void
