import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Logging
import Testing

/// SchemaGuard's verdicts and policies on real databases, and twenty app processes applying
/// their migrations at start-up at once.
@Suite("SchemaGuard and start-up migrations")
struct SchemaGuardTests {
    /// `1_users.sql` applied; `2_log.sql` (a table and a row in it) pending.
    static func make(_ backend: TestBackend) async throws -> RuntimeFixture {
        let fx = try await RuntimeFixture.make(backend)
        _ = try await fx.deployment.migrate()
        try fx.fixture.write("2_log.sql", "CREATE TABLE start_log (id integer); INSERT INTO start_log VALUES (2);")
        return fx
    }

    @Test("missing: fail fast names the migration; apply applies it; then compatible", arguments: TestBackend.all)
    func failFastThenApply(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let schemaGuard = SchemaGuard(deployment: fx.deployment, requires: [MigrationID("1")!, MigrationID("2")!])
        #expect(try await schemaGuard.check().verdict == .missing([MigrationID("2")!]))
        let error = await #expect(throws: CutoverError.self) { try await schemaGuard.enforce(.failFast) }
        #expect(error?.code == .schemaIncompatible)
        #expect(error?.message.contains("needs migration 2, not applied") == true, "\(String(describing: error?.message))")
        #expect(try await schemaGuard.enforce(.apply).isCompatible)
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log").first?.int("n") == 1)
        #expect(schemaGuard.searchPathSQL == nil)
    }

    @Test("wait: goes on once another process applied the migration; gives up after the timeout naming what is missing", arguments: TestBackend.all)
    func waitPolicy(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let schemaGuard = SchemaGuard(deployment: fx.deployment, requires: [MigrationID("2")!])
        let timedOut = await #expect(throws: CutoverError.self) { try await schemaGuard.enforce(.wait(timeout: .milliseconds(200), every: .milliseconds(50))) }
        #expect(timedOut?.message.contains("after waiting") == true)

        let waiting = Task { try await schemaGuard.enforce(.wait(timeout: .seconds(120), every: .milliseconds(50))) }
        _ = try await fx.deployment.migrate()
        #expect(try await waiting.value.isCompatible)
    }

    @Test("twenty app processes starting at once with the apply policy: each migration applied exactly once, every one goes on", arguments: TestBackend.all)
    func twentyAtStartUp(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("3_more.sql", "INSERT INTO start_log VALUES (3);")
        let verdicts = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await SchemaGuard(deployment: fx.deployment, requires: [MigrationID("3")!]).enforce(.apply).isCompatible
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(verdicts == Array(repeating: true, count: 20))
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log").first?.int("n") == 2)
    }

    @Test("apply: a node that finds the lock held past lock_wait by a node applying a long migration waits again, and goes on once it is applied (PostgreSQL)")
    func applyWaitsForALongMigration() async throws {
        let fx = try await Self.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        // The first node's migration 3 waits on a table this test holds, so it keeps the run
        // lock for as long as the test needs (no lock_timeout on that node).
        _ = try await fx.fixture.query("CREATE TABLE gate (id integer)")
        let gate = try await TestBackend.open(fx.fixture.url)
        try await gate.execute("BEGIN")
        try await gate.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")
        try fx.fixture.write("3_slow.sql", "SELECT count(*) FROM gate; INSERT INTO start_log VALUES (3);")
        let first = try fx.node { $0.lockTimeout = nil }
        let applying = Task { try await first.migrate() }
        try await fx.fixture.waitUntilRunLockHeld()

        // The second node waits 3 s for the lock: too short for the first node's migration.
        let (notices, sink) = AsyncStream.makeStream(of: String.self)
        let logger = Logger(label: "guard") { _ in NoticeSink(sink: sink) }
        let second = SchemaGuard(deployment: try fx.node { $0.lockWait = .seconds(3) }, requires: [MigrationID("3")!], logger: logger)
        let starting = Task {
            defer { sink.finish() }  // a node that gives up ends the wait below
            return try await second.enforce(.apply)
        }
        for await notice in notices where notice.contains("waiting for the lock again") { break }
        try await gate.execute("COMMIT")
        await gate.close()

        #expect(try await starting.value.isCompatible)
        #expect(try await applying.value.migrate.applied.map(\.id) == [MigrationID("3")!])
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM start_log WHERE id = 3").first?.int("n") == 1)
    }

    @Test("PostgreSQL version schemas: missing before start, compatible during it with the columns complete removes listed, too new once a later complete dropped it")
    func versionSchemas() async throws {
        let fx = try await RuntimeFixture.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.migrate()
        try fx.fixture.write("2_rename.yaml", """
            operations:
              - rename_column: { table: users, from: name, to: full_name }

            """)
        let newVersion = SchemaGuard(deployment: fx.deployment, requires: [MigrationID("1")!], versionSchema: "public_2")
        let oldVersion = SchemaGuard(deployment: fx.deployment, requires: [MigrationID("1")!])
        #expect(try await newVersion.check().verdict == .missing([MigrationID("2")!]))
        #expect(newVersion.searchPathSQL == "SET search_path TO \"public_2\", \"public\"")

        _ = try await fx.deployment.startExpandContract(MigrationID("2")!)
        let during = try await newVersion.check()
        #expect(during.verdict == .compatible)
        #expect(during.pendingDrops == [.init(migration: MigrationID("2")!, table: "users", column: "name", renamedTo: "full_name")])
        #expect(try await oldVersion.check().verdict == .compatible)

        _ = try await fx.deployment.completeExpandContract(MigrationID("2")!)
        #expect(try await newVersion.check().verdict == .compatible)
        guard case .tooNew(let reason) = try await oldVersion.check().verdict else {
            Issue.record("an app reading the base tables, built before migration 2, should be too new after its complete")
            return
        }
        #expect(reason.contains("migration 2"))

        try fx.fixture.write("3_add.yaml", """
            operations:
              - add_column: { table: users, column: { name: email, type: text } }

            """)
        _ = try await fx.deployment.startExpandContract(MigrationID("3")!)
        _ = try await fx.deployment.completeExpandContract(MigrationID("3")!)
        guard case .tooNew(let gone) = try await newVersion.check().verdict else {
            Issue.record("public_2 is dropped by the complete of 3")
            return
        }
        #expect(gone.contains("public_2 is gone") && gone.contains("migration 3"), "\(gone)")
        await #expect(throws: CutoverError.self) { try await newVersion.enforce(.wait(timeout: .seconds(30))) }
    }
}

/// Hands each log message at notice level or above to a stream, for a test to wait on.
private struct NoticeSink: LogHandler {
    let sink: AsyncStream<String>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .notice

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.yield(event.message.description)
    }
}
