import Cutover
import CutoverCore
import Logging
import Synchronization

/// Run-time switches for application code, read from the database's `flags` table (what
/// `cutover flag set` writes) with a short cache.
///
/// ```swift
/// let flags = FeatureFlags(deployment: deployment)
/// if try await flags.isEnabled("new_checkout", for: user.id) { … }
/// if try await flags.isEnabled(FeatureFlag.maintenance) { return .serviceUnavailable }
/// ```
///
/// Every switch is read in one query and kept for ``refreshInterval`` (1 s by default); a call
/// within it reads memory only. When the interval has passed, the first caller reads the table
/// again and concurrent callers wait for that one read. A switch never set is off. If a read
/// fails after an earlier one succeeded, the last values keep being served (the error is
/// logged, and the next call tries again); before any read succeeded, the error is thrown.
///
/// A switch with `requires` cannot be on before its migration is applied (the table's trigger
/// enforces it), so `isEnabled` never returns true for a feature whose schema is missing.
public final class FeatureFlags: Sendable {
    /// How long values read from the table are served before the next read.
    public let refreshInterval: Duration
    private let deployment: Deployment
    private let logger: Logger
    private let cache = FlagCache()
    private let reading = Mutex<Task<[String: FeatureFlag], any Error>?>(nil)

    /// Creates the reader; nothing is read until the first call.
    /// - Parameters:
    ///   - deployment: the database (its target environment).
    ///   - refreshInterval: how long values are served before the table is read again.
    ///   - logger: where failed reads are logged.
    public init(deployment: Deployment, refreshInterval: Duration = .seconds(1), logger: Logger = Logger(label: "cutover.flags")) {
        self.deployment = deployment
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// Whether the switch `name` is on (for every key; a switch with a percentage is on here
    /// when it is on at all — use ``isEnabled(_:for:)`` for a rollout).
    public func isEnabled(_ name: String) async throws -> Bool {
        if let fresh = cache.isEnabled(name) { return fresh }
        return try await current()[name]?.isEnabled ?? false
    }

    /// Whether the switch `name` is on for `key`: for a switch set with a percentage, on for a
    /// stable share of keys (the same on every node, see `FlagRollout` in `Cutover`).
    public func isEnabled(_ name: String, for key: some StringProtocol) async throws -> Bool {
        try await current()[name]?.isEnabled(for: key) ?? false
    }

    /// The switch `name` as last read, or nil when it was never set.
    public func flag(_ name: String) async throws -> FeatureFlag? {
        try await current()[name]
    }

    /// Reads the table now, whatever the age of the values held.
    @discardableResult
    public func refresh() async throws -> [String: FeatureFlag] {
        let generation = cache.generation()
        let task = reading.withLock { reading in
            if let running = reading { return running }
            let running = Task { [deployment] in
                Dictionary(try await deployment.flags().map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
            }
            reading = running
            return running
        }
        do {
            let flags = try await task.value
            reading.withLock { $0 = nil }
            cache.store(flags, readSince: generation, freshFor: refreshInterval)
            return flags
        } catch {
            reading.withLock { $0 = nil }
            guard let held = cache.lastFlags() else { throw error }
            // Served for another interval before the next try.
            cache.extend(freshFor: refreshInterval)
            logger.warning("could not read the switches; serving the values read before", metadata: ["error": "\(error)"])
            return held
        }
    }

    /// Keeps the values current until the task running it is cancelled.
    ///
    /// On PostgreSQL it holds one session listening on the table's channel (the table's
    /// trigger sends `NOTIFY cutover_flags` on every change, whoever makes it) and drops the
    /// values held at each notification (the next call reads the table), so a change reaches
    /// every node within a round trip;
    /// a lost session is opened again after 1 s, doubling up to 30 s. On a database without
    /// notifications (SQLite) it returns at once: the ``refreshInterval`` decides.
    ///
    /// ```swift
    /// let watching = Task { try await flags.watch() }   // or a service in the app's lifecycle
    /// ```
    ///
    /// - Parameters:
    ///   - onListening: called each time listening starts (after a read, so the values are current).
    ///   - onChange: called with a switch's name once a change to it has invalidated the values held.
    public func watch(onListening: @Sendable () -> Void = {}, onChange: @Sendable (String) -> Void = { _ in }) async throws {
        _ = try await ChannelListener(deployment: deployment, channel: PostgresDialect.flagsChannel, logger: logger).run(
            onListening: {
                // Whatever changed before the LISTEN took effect.
                try await refresh()
                onListening()
            },
            onPayload: { name in
                // Invalidated at once; the next call reads the table.
                logger.debug("switch changed", metadata: ["name": "\(name)"])
                invalidate()
                onChange(name)
            })
    }

    /// Drops the values held: the next call reads the table.
    public func invalidate() {
        cache.invalidate()
    }

    /// The values held when fresh, else a new read.
    private func current() async throws -> [String: FeatureFlag] {
        if let held = cache.freshFlags() { return held }
        return try await refresh()
    }
}
