import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// The strong-lock statements of `start` and `complete` lower `deadlock_timeout` when the role
/// may, so an autovacuum of the table that blocks one is cancelled after 100 ms instead of a
/// second (while the application's queries queue behind the waiting statement).
@Suite("Expand/contract: strong-lock statements cancel a blocking autovacuum sooner")
struct ExpandContractAutovacuumTests {
    @Test("as a superuser, a statement of the expand phase runs with deadlock_timeout 100ms; the session's own setting is untouched afterwards")
    func lowersDeadlockTimeout() async throws {
        // An `sql` operation takes a lock Cutover cannot tell: it gets the setting too, and
        // its DO block fails the start unless it sees it.
        let fx = try await ExpandContractFixture.make(rows: 10, yaml: """
            operations:
              - sql:
                  up: "DO $$ BEGIN IF current_setting('deadlock_timeout') <> '100ms' THEN RAISE EXCEPTION 'deadlock_timeout is %', current_setting('deadlock_timeout'); END IF; END $$"
                  down: "SELECT 1"

            """)
        defer { Task { await fx.fixture.cleanUp() } }
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id, enforcesLint: false).phase == .expanded)
        #expect(try await fx.query("SELECT current_setting('deadlock_timeout') AS t").first?.string("t") == "1s")
    }

    @Test("the privilege check: false for a plain role, true once it is granted SET ON PARAMETER deadlock_timeout (PostgreSQL 15+)")
    func privilege() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        defer { Task { await fixture.cleanUp() } }
        let role = "plain_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await fixture.query("CREATE ROLE \(role)")
        let database = try await TestBackend.open(fixture.url)
        let dialect = database.dialect
        let query = try #require(dialect.autovacuumYieldPrivilegeQuery(serverVersion: database.serverVersion))
        #expect(try await database.query(query).first?["allowed"] == .bool(true), "the test cluster's user is a superuser")
        try await database.execute("SET ROLE \(role)")
        #expect(try await database.query(query).first?["allowed"] == .bool(false))
        if (database.serverVersion ?? 0) >= 150_000 {
            try await database.execute("RESET ROLE")
            try await database.execute("GRANT SET ON PARAMETER deadlock_timeout TO \(role)")
            try await database.execute("SET ROLE \(role)")
            #expect(try await database.query(query).first?["allowed"] == .bool(true))
            try await database.execute("BEGIN")
            try await database.execute(try #require(dialect.autovacuumYieldStatement(after: .milliseconds(100))))
            #expect(try await database.query("SELECT current_setting('deadlock_timeout') AS t").first?.string("t") == "100ms")
            try await database.execute("COMMIT")
            try await database.execute("RESET ROLE")
            try await database.execute("REVOKE SET ON PARAMETER deadlock_timeout FROM \(role)")
        }
        try await database.execute("RESET ROLE")
        await database.close()
        _ = try await fixture.query("DROP ROLE \(role)")
    }

    @Test("[safety] index_build_workers: the expand phase's index build runs with max_parallel_maintenance_workers 0 by default, the configured number, or the server's setting")
    func indexBuildWorkers() async throws {
        let fx = try await ExpandContractFixture.make(rows: 10)
        defer { Task { await fx.fixture.cleanUp() } }
        var seen: [String?] = []
        for workers in [0, 3, nil] as [Int?] {
            var config = fx.deployment.config
            config.safety.indexBuildWorkers = workers
            var deployment = try Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:])
            let observer = IndexBuildWorkersObserver()
            deployment.phaseObserver = { database, _, _ in
                observer.database.withLock { $0 = database }
                return observer
            }
            #expect(try await deployment.startExpandContract(ExpandContractFixture.id).phase == .expanded)
            seen.append(observer.workers.withLock { $0 })
            #expect(try await deployment.abortExpandContract(ExpandContractFixture.id).phase == .aborted)
        }
        #expect(seen == ["0", "3", "2"], "PostgreSQL's default is 2")
    }
}

/// Reads `max_parallel_maintenance_workers` on the phase's session after its index build.
private final class IndexBuildWorkersObserver: StatementObserver {
    let database = Mutex<(any Database)?>(nil)
    let workers = Mutex<String?>(nil)

    func migrationWillStart(_ migration: Migration) async {}
    func statementWillRun(_ statement: SQLStatement, index: Int, in migration: Migration) async {}
    func statementDidRun(_ statement: SQLStatement, index: Int, in migration: Migration, duration: Duration, rowsTouched: Int?, error: CutoverError?) async {
        guard statement.sql.hasPrefix("CREATE INDEX CONCURRENTLY"), let database = database.withLock({ $0 }) else { return }
        let value = try? await database.query("SELECT current_setting('max_parallel_maintenance_workers') AS w").first?.string("w")
        workers.withLock { $0 = value }
    }
    func migrationDidFinish(_ migration: Migration, committed: Bool) async {}
}
