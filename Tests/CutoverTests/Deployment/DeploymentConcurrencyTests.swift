import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Several deployments of one target started at once in one process, as an app whose
/// start-up code runs `Deployment.migrate` from several tasks (or several app instances in
/// one test process) would: every call succeeds and each migration is applied exactly once.
///
/// On SQLite the waiting is SQLite's busy timeout, spent inside a C call; a call that waits
/// there must not keep the connection holding the write lock from running its next
/// statement (which happened when every connection shared NIO's two-thread pool: two busy
/// waits filled it, and the writer waited out the whole timeout before its `COMMIT`).
@Suite("Deployment: concurrent migrate calls")
struct DeploymentConcurrencyTests {
    static let callers = 6

    @Test("six migrate calls at once all succeed and apply each migration exactly once", arguments: TestBackend.all)
    func concurrentMigrates(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        defer { Task { await fixture.cleanUp() } }
        for number in 1...5 {
            try fixture.write("\(number)_step.sql", "CREATE TABLE step\(number) (id integer PRIMARY KEY);\nINSERT INTO step\(number) VALUES (\(number));")
        }
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "production"

            [safety]
            lock_timeout = "2s"
            lock_wait = "60s"

            [env.production]
            url = "\(fixture.url.rawText)"
            """)
        let config = try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))

        // A call stuck behind a filled thread pool waits out the busy timeout (lock_wait,
        // 60 s) and then fails with "held the write lock for longer than lock_wait": every
        // call must succeed.
        let reports = try await withThrowingTaskGroup(of: DeploymentReport.self) { group in
            for _ in 0..<Self.callers {
                group.addTask {
                    try await Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:]).migrate()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        let applied = reports.flatMap { $0.applied.map(\.id.rawValue) }
        #expect(applied.sorted() == ["1", "2", "3", "4", "5"], "each migration applied by exactly one caller")
        let history = try await fixture.query("SELECT id FROM \(backend.name == "sqlite" ? "cutover_history" : "cutover.history")")
        #expect(history.count == 5)
    }
}
