/// A session capability: receiving the notifications sent on a channel (PostgreSQL's
/// `LISTEN`/`NOTIFY`). Found by a cast of a ``Database``; SQLite has none.
public protocol NotificationListening: Database {
    /// Listens on `channel` while `consume` runs, giving it each notification's payload.
    /// - Parameters:
    ///   - channel: the channel (an identifier).
    ///   - consume: reads the payloads; listening stops when it returns.
    func listen<T>(on channel: String, _ consume: (AsyncThrowingStream<String, any Error>) async throws -> T) async throws -> T
}
