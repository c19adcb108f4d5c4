import Cutover
import CutoverCore
import Logging

/// A migration reaching a phase: what ``SchemaEvents`` reports.
public struct SchemaEvent: Sendable, Hashable, CustomStringConvertible {
    /// The migration.
    public let id: MigrationID
    /// The phase it reached: `applied` or `rolled_back` for a `.sql` (or Swift-registered)
    /// migration; the phase an expand/contract migration entered on PostgreSQL (`expanding`,
    /// `expanded`, `completing`, `completed`, `revertible`, `aborting`, `aborted`,
    /// `reverting`, `reverted`).
    public let phase: String

    /// A change.
    public init(id: MigrationID, phase: String) {
        self.id = id
        self.phase = phase
    }

    /// `<id>:<event>`.
    public var description: String { SchemaChangeNotice.payload(id, event: phase) }
}

/// Schema changes as they happen, so app nodes and their caches learn at once that a
/// migration was applied, rolled back, started or completed — by this process, another node,
/// or the command-line tool.
///
/// ```swift
/// let events = SchemaEvents(deployment: deployment)
/// let watching = Task {
///     try await events.watch { change in
///         logger.info("schema changed: \(change)")
///         if change.phase == "completed" { await statementCache.removeAll() }
///     }
/// }
/// ```
///
/// On PostgreSQL the engine sends `NOTIFY cutover_schema, '<id>:<event>'` in the transaction
/// that records each change (so never for work rolled back), and ``watch(onListening:onChange:)``
/// holds one session listening (opened again after a failure, 1 s doubling up to 30 s):
/// changes arrive within a round trip of their commit. Changes made while no session listened
/// are not replayed; `onListening` is the place to re-read what the app caches. On SQLite,
/// which has no notifications, the history table is read every ``pollInterval`` and each
/// migration newly applied or rolled back since the last read is reported.
public final class SchemaEvents: Sendable {
    /// How often the history is read on a database without notifications (SQLite).
    public let pollInterval: Duration
    private let deployment: Deployment
    private let logger: Logger

    /// Creates the watcher; nothing is read until ``watch(onListening:onChange:)``.
    /// - Parameters:
    ///   - deployment: the database (its target environment).
    ///   - pollInterval: how often SQLite's history is read.
    ///   - logger: where failures to listen or read are logged.
    public init(deployment: Deployment, pollInterval: Duration = .seconds(2), logger: Logger = Logger(label: "cutover.schema-events")) {
        self.deployment = deployment
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Reports each schema change to `onChange` until the task running it is cancelled.
    /// - Parameters:
    ///   - onListening: called each time listening starts (on SQLite: after the first read
    ///     of the history, which later reads are compared with).
    ///   - onChange: called with each change, in the order they committed.
    public func watch(onListening: @Sendable () async -> Void = {}, onChange: @Sendable (SchemaEvent) async -> Void) async throws {
        let listened = try await ChannelListener(deployment: deployment, channel: SchemaChangeNotice.channel, logger: logger).run(
            onListening: { await onListening() },
            onPayload: { payload in
                guard let (id, event) = SchemaChangeNotice.parse(payload) else {
                    logger.debug("ignored a notification that is not <id>:<event>", metadata: ["payload": "\(payload)"])
                    return
                }
                await onChange(SchemaEvent(id: id, phase: event))
            })
        if listened { return }
        try await poll(onListening: onListening, onChange: onChange)
    }

    /// SQLite: compares the history's phases every ``pollInterval``.
    private func poll(onListening: @Sendable () async -> Void, onChange: @Sendable (SchemaEvent) async -> Void) async throws {
        var known = try await phases()
        await onListening()
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                return
            }
            let now: [MigrationID: String]
            do {
                now = try await phases()
            } catch {
                logger.warning("could not read the migration history; trying again", metadata: ["error": "\(error)"])
                continue
            }
            for (id, phase) in now.sorted(by: { $0.key < $1.key }) where known[id] != phase && Self.reported.contains(phase) {
                await onChange(SchemaEvent(id: id, phase: phase))
            }
            known = now
        }
    }

    /// The phases reported when polling: those PostgreSQL's notices carry for the history.
    private static let reported: Set<String> = [HistoryRecord.Phase.applied.rawValue, HistoryRecord.Phase.rolledBack.rawValue]

    /// Each migration's phase in the history.
    private func phases() async throws -> [MigrationID: String] {
        try await deployment.withSession { database in
            try await Migrator.history(of: database).mapValues(\.phase.rawValue)
        }
    }
}
