import CutoverCore

/// Decides, between two batches of a backfill, whether the database can take the next one now:
/// the pluggable signal that keeps a backfill from competing with the application.
///
/// ```swift
/// struct NightOnly: BackfillThrottle {
///     func pause(on database: any Database) async throws -> Duration {
///         Calendar.current.component(.hour, from: .now) < 6 ? .zero : .seconds(60)
///     }
/// }
/// var options = Deployment.BackfillOptions()
/// options.throttle = NightOnly()
/// ```
public protocol BackfillThrottle: Sendable {
    /// How long to wait before the next batch; `.zero` runs it at once. Asked after every batch,
    /// on the backfill's own session, and again after each pause (up to
    /// ``Deployment/BackfillOptions/maxPause`` in a row, after which one batch runs anyway).
    /// - Parameter database: the backfill's session.
    func pause(on database: any Database) async throws -> Duration
}

/// The default throttle: load on the primary. Pauses while another session waits for a lock
/// (possibly one a batch holds, or one an application transaction waits for behind it), or
/// while more than ``maxActiveSessions`` other client sessions are running a statement.
///
/// Replica lag is a later signal (it needs the replicas' addresses).
public struct PrimaryLoadThrottle: BackfillThrottle {
    /// Other client sessions running a statement above which the backfill pauses.
    public var maxActiveSessions: Int
    /// How long one pause lasts.
    public var pauseStep: Duration

    /// Creates the throttle.
    /// - Parameters:
    ///   - maxActiveSessions: other client sessions running a statement above which the backfill pauses.
    ///   - pauseStep: how long one pause lasts.
    public init(maxActiveSessions: Int = 16, pauseStep: Duration = .milliseconds(50)) {
        self.maxActiveSessions = maxActiveSessions
        self.pauseStep = pauseStep
    }

    public func pause(on database: any Database) async throws -> Duration {
        let rows = try await database.query(
            """
            SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::bigint AS waiting, count(*)::bigint AS active
            FROM pg_catalog.pg_stat_activity
            WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()
            """)
        let waiting = rows.first?.int("waiting") ?? 0
        let active = rows.first?.int("active") ?? 0
        return waiting > 0 || active > maxActiveSessions ? pauseStep : .zero
    }
}
