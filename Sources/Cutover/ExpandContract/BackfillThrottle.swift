import CutoverCore

/// Decides, between two batches of a backfill, whether the database can take the next one now:
/// the pluggable signal that keeps a backfill from competing with the application.
///
/// ```swift
/// struct NightOnly: BackfillThrottle {
///     func pause(on database: any Database, after batch: Duration) async throws -> Duration {
///         Calendar.current.component(.hour, from: .now) < 6 ? .zero : .seconds(60)
///     }
/// }
/// var options = Deployment.BackfillOptions()
/// options.throttle = NightOnly()
/// ```
public protocol BackfillThrottle: Sendable {
    /// How long to wait before the next batch; `.zero` runs it at once. Asked after every
    /// batch but the last, on the backfill's own session; the pause is cut to
    /// ``Deployment/BackfillOptions/maxPause``, so a busy database slows the backfill down
    /// without stopping it.
    /// - Parameters:
    ///   - database: the backfill's session.
    ///   - batch: how long the batch just done took.
    func pause(on database: any Database, after batch: Duration) async throws -> Duration
}

/// The default throttle: load on the primary, read from `pg_stat_activity` after each batch.
///
/// - Another session waits for a lock (perhaps one a batch holds, or one queued behind it), or
///   more than ``maxActiveSessions`` other client sessions are running a statement: pause
///   ``busyPause``.
/// - Other client sessions are running statements: pause as long as the batch took, times
///   ``sharedRatio``, so the backfill takes at most about a third of one core from them
///   (with the default 2.0) and the application keeps most of its throughput.
/// - Nobody else is working: no pause, full speed.
///
/// Replica lag is a later signal (it needs the replicas' addresses).
public struct PrimaryLoadThrottle: BackfillThrottle {
    /// Other client sessions running a statement above which the backfill pauses ``busyPause``.
    public var maxActiveSessions: Int
    /// The pause while sessions wait for locks or too many are active.
    public var busyPause: Duration
    /// The pause after a batch, as a multiple of the batch's duration, while other sessions work.
    public var sharedRatio: Double

    /// Creates the throttle.
    /// - Parameters:
    ///   - maxActiveSessions: other client sessions running a statement above which the backfill pauses `busyPause`.
    ///   - busyPause: the pause while sessions wait for locks or too many are active.
    ///   - sharedRatio: the pause after a batch, as a multiple of its duration, while other sessions work.
    public init(maxActiveSessions: Int = 16, busyPause: Duration = .milliseconds(200), sharedRatio: Double = 2.0) {
        self.maxActiveSessions = maxActiveSessions
        self.busyPause = busyPause
        self.sharedRatio = sharedRatio
    }

    public func pause(on database: any Database, after batch: Duration) async throws -> Duration {
        let rows = try await database.query(
            """
            SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::bigint AS waiting, count(*)::bigint AS active
            FROM pg_catalog.pg_stat_activity
            WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()
            """)
        let waiting = rows.first?.int("waiting") ?? 0
        let active = rows.first?.int("active") ?? 0
        if waiting > 0 || active > maxActiveSessions { return busyPause }
        return active > 0 ? batch * sharedRatio : .zero
    }
}
