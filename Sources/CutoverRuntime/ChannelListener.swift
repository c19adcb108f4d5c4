import Cutover
import CutoverCore
import Logging

/// One session listening on a PostgreSQL notification channel for as long as the task runs,
/// opened again after a failure (1 s, doubling up to 30 s): what ``FeatureFlags/watch(onListening:onChange:)``
/// and ``SchemaEvents/watch(onListening:onChange:)`` share.
struct ChannelListener: Sendable {
    let deployment: Deployment
    let channel: String
    let logger: Logger

    /// Listens until the task is cancelled: `onListening` each time listening (re)starts,
    /// then `onPayload` for each notification. Returns false at once when the database has no
    /// notifications (SQLite), true when cancelled.
    func run(onListening: () async throws -> Void, onPayload: (String) async throws -> Void) async throws -> Bool {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let listened = try await deployment.withSession { database -> Bool in
                    guard let listener = database as? any NotificationListening else { return false }
                    return try await listener.listen(on: channel) { payloads in
                        try await onListening()
                        logger.debug("listening", metadata: ["channel": "\(channel)"])
                        backoff = .seconds(1)
                        for try await payload in payloads { try await onPayload(payload) }
                        logger.debug("the listening session ended", metadata: ["channel": "\(channel)"])
                        return true
                    }
                }
                guard listened else { return false }
            } catch {
                if Task.isCancelled || error is CancellationError { return true }
                logger.warning("listening failed; trying again", metadata: ["channel": "\(channel)", "error": "\(error)", "in": "\(backoff)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
        return true
    }
}
