import Logging

/// Drivers that can run the offline-style "swap" strategy: pause writes on the source,
/// migrate a clone, then put the clone in the source's place.
///
/// ```swift
/// let pause = try await swapping.pauseWrites(source, logger: logger)
/// let clone = try await swapping.makeClone(of: source, name: "shop_swap", strategy: .automatic, logger: logger)
/// // … migrate the clone …
/// let old = try await swapping.swap(source, with: clone.url, keepingOldAs: "shop_before_42", pause: pause, logger: logger)
/// ```
public protocol DatabaseSwapping: DatabaseCloning {
    /// Makes the source refuse writes while staying readable (PostgreSQL: the database's
    /// `default_transaction_read_only`, and existing sessions are ended so they reconnect
    /// read-only; SQLite: a held write lock, so writers wait and then fail with SQLITE_BUSY).
    /// - Throws: ``CutoverError`` when the source cannot be paused.
    func pauseWrites(_ source: DatabaseURL, logger: Logger) async throws -> any WritePause

    /// Renames the source to `oldName` and the clone to the source's name, so the same URL
    /// reaches the migrated database; the old one stays, intact and readable (read-only).
    /// - Returns: the URL of the old database.
    /// - Throws: ``CutoverError`` when the names cannot be swapped; the source is then unchanged.
    /// - Warning: every connection to the source is ended; applications must reconnect.
    func swap(_ source: DatabaseURL, with clone: DatabaseURL, keepingOldAs oldName: String, pause: any WritePause, logger: Logger) async throws -> DatabaseURL

    /// What really keeps the old database (the URL ``swap(_:with:keepingOldAs:pause:logger:)``
    /// returned) from being written, in words for the report, checked now rather than assumed:
    /// `read-only file (mode 0444); root can still write it`.
    func protectionOfKept(_ old: DatabaseURL) async -> String
}

/// Writes paused by ``DatabaseSwapping/pauseWrites(_:logger:)``.
public protocol WritePause: Sendable {
    /// Lets writes through again (after a failed swap: the source is back as it was).
    func resume() async
}
