import CutoverCore
import PostgresNIO

extension PostgresDatabase: NotificationListening {
    /// `LISTEN` through postgres-nio (`UNLISTEN` when `consume` returns).
    public func listen<T>(on channel: String, _ consume: (AsyncThrowingStream<String, any Error>) async throws -> T) async throws -> T {
        do {
            return try await connection.listen(on: channel) { notifications in
                let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
                let relay = Task {
                    do {
                        for try await notification in notifications { continuation.yield(notification.payload) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                defer { relay.cancel() }
                return try await consume(stream)
            }
        } catch let error as PSQLError {
            throw CutoverError(.connectionFailed, "listening on \(channel) failed on \(redactedURL)", hint: "check that the server is up", underlying: error)
        }
    }
}
