import CutoverCore

/// Progress reported by ``BackupManager`` while it works; the command-line tool prints
/// these on stderr, a library user may log them.
public enum BackupEvent: Sendable {
    /// A backup, restore or verification begins. `target` is a redacted URL.
    case started(operation: String, id: String, target: String)
    /// How far a long operation has got (about once per ``BackupManager/Configuration/progressInterval``).
    case progress(BackupProgress)
    /// The operation finished.
    case finished(operation: String, id: String, duration: Duration)
    /// An old backup was removed by the `keep` rule.
    case removed(BackupRecord)
    /// Backups beyond `keep` were kept because no newer backup of the environment is verified.
    case heldBack([BackupRecord], keep: Int)
    /// An unfinished backup file of a run that was killed (`<id>.<ext>.partial`, no longer
    /// locked by a writer) was removed.
    case removedPartialFile(name: String, bytes: Int64)
    /// The existing backup folder was open to group or others (`formerMode`, e.g. 0o755)
    /// and was restricted to its owner (0700).
    case restrictedFolder(path: String, formerMode: Int)
}

/// A sink for backup events; must be safe to call from any task.
public typealias BackupEventHandler = @Sendable (BackupEvent) -> Void
