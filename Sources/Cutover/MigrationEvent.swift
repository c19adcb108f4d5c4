import CutoverCore

/// Progress reported by the ``Migrator`` while it works; the command-line tool prints
/// these, a library user may log them.
public enum MigrationEvent: Sendable {
    /// Another run holds the lock; waiting.
    case waitingForLock
    /// The run lock is held.
    case lockAcquired(waited: Duration)
    /// A migration begins.
    case migrationStarted(id: MigrationID, name: String, statements: Int, resumingAt: Int)
    /// One statement of a migration finished.
    case statementFinished(id: MigrationID, index: Int, total: Int, line: Int, duration: Duration)
    /// A migration was applied (or rolled back) and recorded.
    case migrationFinished(id: MigrationID, name: String, duration: Duration)
    /// A migration was already applied by another runner when this one got to it.
    case migrationSkipped(id: MigrationID, name: String)
    /// A lock timeout hit; the migration (or statement) will be tried again after `delay`.
    case retrying(id: MigrationID, attempt: Int, of: Int, delay: Duration, message: String)
}

/// A sink for events; must be safe to call from any task.
public typealias MigrationEventHandler = @Sendable (MigrationEvent) -> Void
