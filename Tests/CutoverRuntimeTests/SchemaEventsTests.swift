import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Testing

/// SchemaEvents: a migration applied, rolled back, started or completed reaches a watching
/// node — pushed by NOTIFY on PostgreSQL, polled from the history on SQLite.
@Suite("SchemaEvents: schema changes reach app nodes", .timeLimit(.minutes(5)))
struct SchemaEventsTests {
    /// A watcher whose events arrive on a stream: "listening", then each change's `<id>:<event>`.
    static func watching(_ deployment: Deployment, pollInterval: Duration = .seconds(2)) -> (Task<Void, any Error>, AsyncStream<String>.AsyncIterator) {
        let (events, continuation) = AsyncStream<String>.makeStream()
        let task = Task {
            try await SchemaEvents(deployment: deployment, pollInterval: pollInterval).watch(
                onListening: { continuation.yield("listening") }, onChange: { continuation.yield($0.description) })
        }
        return (task, events.makeAsyncIterator())
    }

    @Test("PostgreSQL: applied and rolled back are pushed at commit; a migration that fails sends nothing")
    func postgresPushes() async throws {
        let fx = try await RuntimeFixture.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        let (task, iterator) = Self.watching(fx.deployment)
        var events = iterator
        defer { task.cancel() }
        #expect(await events.next() == "listening")

        // A failing migration first: rolled back, so no notice; then one that works.
        try fx.fixture.write("2_bad.sql", "CREATE TABLE t2 (id integer);\nINSERT INTO no_such_table VALUES (1);")
        await #expect(throws: CutoverError.self) { try await fx.deployment.migrate() }
        try fx.fixture.write("2_bad.sql", "-- cutover:up\nCREATE TABLE t2 (id integer);\n-- cutover:down\nDROP TABLE t2;\n")
        _ = try await fx.deployment.migrate()
        #expect(await events.next() == "2:applied")
        _ = try await fx.deployment.rollback()
        #expect(await events.next() == "2:rolled_back")
        // A migration registered in Swift goes statement by statement (no one-round-trip batch): announced once too.
        var registering = fx.deployment
        try registering.registerMigration("3_swift") { db in try await db.execute("CREATE TABLE t3 (id integer)") }
        _ = try await registering.migrate()
        #expect(await events.next() == "2:applied")
        #expect(await events.next() == "3:applied")
    }

    @Test("PostgreSQL: an expand/contract migration's phases are pushed as start and complete commit them")
    func postgresExpandContractPhases() async throws {
        let fx = try await RuntimeFixture.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        try fx.fixture.write("2_phone.yaml", """
            operations:
              - add_column:
                  table: users
                  column: { name: phone, type: text }
            """)
        let (task, iterator) = Self.watching(fx.deployment)
        var events = iterator
        defer { task.cancel() }
        #expect(await events.next() == "listening")
        _ = try await fx.deployment.migrate()
        var seen: [String] = []
        while let event = await events.next() {
            seen.append(event)
            if event == "2:completed" { break }
        }
        #expect(seen.first == "2:expanding")
        #expect(seen.contains("2:expanded"))
        #expect(seen.last == "2:completed")
    }

    @Test("SQLite: a migration applied by another session is found by polling the history")
    func sqlitePolls() async throws {
        let fx = try await RuntimeFixture.make(.sqlite)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        let (task, iterator) = Self.watching(fx.deployment, pollInterval: .milliseconds(50))
        var events = iterator
        defer { task.cancel() }
        #expect(await events.next() == "listening")
        try fx.fixture.write("2_more.sql", "-- cutover:up\nCREATE TABLE t2 (id integer);\n-- cutover:down\nDROP TABLE t2;\n")
        _ = try await fx.deployment.migrate()
        #expect(await events.next() == "2:applied")
        _ = try await fx.deployment.rollback()
        #expect(await events.next() == "2:rolled_back")
    }
}
