import Synchronization
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

/// The default throttle: load on the primary, read after each batch from `pg_stat_activity`
/// (who is running or waiting now) and `pg_stat_database` (the database's commit rate, which
/// backends report about once a second).
///
/// - Another session waits for a lock (perhaps one a batch holds, or one queued behind it), or
///   more than ``maxActiveSessions`` other client sessions are running a statement: pause
///   ``busyPause``.
/// - The application is working (a client session is running a statement now, or transactions
///   committed over the last measured second): pause as long as the batch took, times a ratio.
///   The ratio starts at ``sharedRatio`` (the backfill takes at most about a fifth of one core
///   with the default 4.0; Benchmarks/README, session 4, has the runs) and adapts to the commit
///   rate, measured over windows of at least
///   ``window``: a window whose rate falls below ``slowdownThreshold`` of the best one seen
///   doubles the ratio (up to ``maxRatio``); a window at or above it lowers the ratio by a
///   fifth again (down to ``sharedRatio``). The best rate fades by 2 % a window, so a load that
///   falls on its own is followed.
/// - Nobody else is working: no pause, full speed.
///
/// The backfill's own transactions (``CommitRateWindow/ownTransactionsPerBatch`` a batch) are
/// taken out of the rate. Replica lag is a later signal (it needs the
/// replicas' addresses).
public struct PrimaryLoadThrottle: BackfillThrottle {
    /// Other client sessions running a statement above which the backfill pauses ``busyPause``.
    public var maxActiveSessions: Int
    /// The pause while sessions wait for locks or too many are active.
    public var busyPause: Duration
    /// The pause after a batch, as a multiple of the batch's duration, while other sessions
    /// work and their commit rate holds up; the lowest ratio.
    public var sharedRatio: Double
    /// The highest ratio the commit rate may drive the pause to.
    public var maxRatio: Double
    /// The fraction of the best commit rate seen below which the ratio doubles.
    public var slowdownThreshold: Double
    /// The shortest span a commit rate is measured over.
    public var window: Duration

    private let rate = CommitRateWindow()

    /// Creates the throttle.
    /// - Parameters:
    ///   - maxActiveSessions: other client sessions running a statement above which the backfill pauses `busyPause`.
    ///   - busyPause: the pause while sessions wait for locks or too many are active.
    ///   - sharedRatio: the pause after a batch, as a multiple of its duration, while other sessions work.
    ///   - maxRatio: the highest ratio a falling commit rate may drive the pause to.
    ///   - slowdownThreshold: the fraction of the best commit rate seen below which the ratio doubles.
    ///   - window: the shortest span a commit rate is measured over.
    public init(
        maxActiveSessions: Int = 16, busyPause: Duration = .milliseconds(200), sharedRatio: Double = 4.0,
        maxRatio: Double = 16, slowdownThreshold: Double = 0.75, window: Duration = .seconds(2)
    ) {
        self.maxActiveSessions = maxActiveSessions
        self.busyPause = busyPause
        self.sharedRatio = sharedRatio
        self.maxRatio = max(maxRatio, sharedRatio)
        self.slowdownThreshold = slowdownThreshold
        self.window = window
    }

    public func pause(on database: any Database, after batch: Duration) async throws -> Duration {
        let rows = try await database.query(
            """
            SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::bigint AS waiting, count(*)::bigint AS active,
                   (SELECT xact_commit + xact_rollback FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database())::bigint AS transactions
            FROM pg_catalog.pg_stat_activity
            WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()
            """)
        let waiting = rows.first?.int("waiting") ?? 0
        let active = rows.first?.int("active") ?? 0
        let ratio = rate.record(
            transactions: rows.first?.int("transactions"), at: ContinuousClock.now,
            policy: .init(sharedRatio: sharedRatio, maxRatio: maxRatio, slowdownThreshold: slowdownThreshold, window: window))
        if waiting > 0 || active > maxActiveSessions { return busyPause }
        return active > 0 || ratio.othersCommitted ? batch * ratio.value : .zero
    }
}

/// The commit-rate state of one ``PrimaryLoadThrottle``: the open window, the best rate seen
/// and the current ratio.
package final class CommitRateWindow: Sendable {
    /// The throttle's settings the window applies.
    package struct Policy {
        package var sharedRatio: Double
        package var maxRatio: Double
        package var slowdownThreshold: Double
        package var window: Duration

        package init(sharedRatio: Double, maxRatio: Double, slowdownThreshold: Double, window: Duration) {
            (self.sharedRatio, self.maxRatio, self.slowdownThreshold, self.window) = (sharedRatio, maxRatio, slowdownThreshold, window)
        }
    }

    /// The ratio to pause by, and whether any transaction committed in the last closed window.
    package struct Ratio: Equatable {
        package var value: Double
        package var othersCommitted: Bool

        package init(value: Double, othersCommitted: Bool) {
            (self.value, self.othersCommitted) = (value, othersCommitted)
        }
    }

    /// The backfill's own transactions between two readings: the batch, its progress row and
    /// the reading itself (`Backfill.run`).
    package static let ownTransactionsPerBatch = 3

    private struct State {
        var opened: (at: ContinuousClock.Instant, transactions: Int)?
        var readings = 0
        var bestRate: Double = 0
        var ratio: Double?
        var lastRate: Double = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds a reading of the database's transaction counter; closes the window once it spans
    /// `policy.window` and adapts the ratio to its rate. A reading after a long silence (another
    /// backfill run) starts over.
    package func record(transactions: Int?, at now: ContinuousClock.Instant, policy: Policy) -> Ratio {
        state.withLock { state in
            let ratio = state.ratio ?? policy.sharedRatio
            guard let transactions else { return Ratio(value: ratio, othersCommitted: false) }
            guard let opened = state.opened, opened.at.duration(to: now) < policy.window * 10, transactions >= opened.transactions else {
                state = State(opened: (now, transactions), ratio: policy.sharedRatio)
                return Ratio(value: policy.sharedRatio, othersCommitted: false)
            }
            state.readings += 1
            let span = opened.at.duration(to: now)
            guard span >= policy.window else { return Ratio(value: ratio, othersCommitted: state.lastRate > 0) }
            let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
            let others = max(transactions - opened.transactions - state.readings * Self.ownTransactionsPerBatch, 0)
            let rate = Double(others) / seconds
            state.readings = 0
            state.bestRate = max(state.bestRate * 0.98, rate)
            state.ratio = rate < policy.slowdownThreshold * state.bestRate
                ? min(ratio * 2, policy.maxRatio)
                : max(ratio * 0.8, policy.sharedRatio)
            state.lastRate = rate
            state.opened = (now, transactions)
            return Ratio(value: state.ratio ?? policy.sharedRatio, othersCommitted: rate > 0)
        }
    }
}
