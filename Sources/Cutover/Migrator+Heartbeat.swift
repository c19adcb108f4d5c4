import CutoverCore

extension Migrator {
    /// How often ``MigrationEvent/stillRunning(id:name:line:elapsed:)`` is sent while a
    /// statement runs (the first after one interval).
    static let heartbeatInterval: Duration = .seconds(1)

    /// Runs `body` (one statement, or a migration's one-round-trip batch) and, while it runs
    /// longer than a second, reports once a second that it still runs, so a statement that
    /// takes minutes is never silent. The reporting task ends with `body`.
    func withHeartbeat<T: Sendable>(_ migration: Migration, line: Int?, _ body: () async throws -> T) async throws -> T {
        let events = self.events
        let (id, name) = (migration.id, migration.name)
        let heartbeat = Task {
            let clock = ContinuousClock()
            let start = clock.now
            while true {
                do { try await clock.sleep(for: Self.heartbeatInterval) } catch { return }
                if Task.isCancelled { return }
                events(.stillRunning(id: id, name: name, line: line, elapsed: clock.now - start))
            }
        }
        defer { heartbeat.cancel() }
        return try await body()
    }
}
