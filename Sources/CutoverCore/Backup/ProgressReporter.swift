/// How far a long backup, restore or clone has got.
public struct BackupProgress: Sendable, Equatable {
    /// What is running: `backup`, `restore`, `clone`.
    public var operation: String
    /// Bytes written so far (backups, SQLite restores), or read so far (`checksum`), when
    /// known.
    public var bytes: Int64?
    /// The bytes there are in all (the file a `checksum` reads), when known.
    public var bytesTotal: Int64?
    /// Tables whose data is done (PostgreSQL restores), when known.
    public var tablesDone: Int?
    /// Tables in all, when known.
    public var tablesTotal: Int?
    /// Time since the operation started.
    public var elapsed: Duration

    /// Creates a progress report.
    public init(operation: String, bytes: Int64? = nil, bytesTotal: Int64? = nil, tablesDone: Int? = nil, tablesTotal: Int? = nil, elapsed: Duration) {
        self.operation = operation
        self.bytes = bytes
        self.bytesTotal = bytesTotal
        self.tablesDone = tablesDone
        self.tablesTotal = tablesTotal
        self.elapsed = elapsed
    }
}

/// Where drivers send ``BackupProgress`` while a long operation runs, and how often.
///
/// Drivers poll (the size of the file being written, or the tables `pg_restore` reports
/// done) every ``interval`` and call ``report`` with the result; nothing is reported for
/// an operation that ends within the first interval.
///
/// ```swift
/// let reporter = ProgressReporter(interval: .seconds(1)) { progress in
///     print("\(progress.bytes ?? 0) bytes after \(progress.elapsed)")
/// }
/// ```
public struct ProgressReporter: Sendable {
    /// How often to poll and report.
    public var interval: Duration
    /// Called with each report, from any task.
    public var report: @Sendable (BackupProgress) -> Void

    /// Creates a reporter.
    /// - Parameters:
    ///   - interval: how often to report; one second suits a terminal.
    ///   - report: receives each report.
    public init(interval: Duration = .seconds(1), report: @escaping @Sendable (BackupProgress) -> Void) {
        self.interval = interval
        self.report = report
    }

    /// A reporter that reports nothing.
    public static var none: ProgressReporter { ProgressReporter(interval: .seconds(3600)) { _ in } }
}
