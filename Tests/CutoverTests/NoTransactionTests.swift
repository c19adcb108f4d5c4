import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("no-transaction migrations on every backend")
struct NoTransactionTests {
    @Test("progress is recorded per statement; a rerun after a fix resumes at the failed statement", arguments: TestBackend.all)
    func resumes(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let broken = """
            -- cutover:no-transaction
            -- cutover:up
            CREATE TABLE n1 (id integer);
            CREATE TABLE n2 (id integer);
            INSERT INTO missing VALUES (1);
            CREATE TABLE n4 (id integer);
            """
        try fixture.write("1_steps.sql", broken)
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.code == .migrationFailed)
        #expect(error?.line == 5)
        #expect(error?.hint?.contains("statements 1–2 of 4 were applied") == true)
        #expect(try await fixture.tableExists("n1"))
        #expect(try await fixture.tableExists("n2"))
        #expect(try await !fixture.tableExists("n4"))
        let failed = try #require(try await fixture.withMigrator { try await $0.status() }.first)
        #expect(failed.kind == .failed)
        #expect(failed.record?.statementsDone == 2)
        // Fix the third statement; CREATE TABLE n1 would fail if it ran again.
        try fixture.write("1_steps.sql", broken.replacingOccurrences(of: "INSERT INTO missing VALUES (1);", with: "INSERT INTO n1 VALUES (1);"))
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.first?.resumedAt == 2)
        #expect(try await fixture.tableExists("n4"))
        #expect(try await fixture.query("SELECT count(*) AS n FROM n1").first?.int("n") == 1)
        let states = try await fixture.withMigrator { try await $0.status() }
        #expect(states.first?.kind == .applied)
        #expect(states.first?.record?.statementsDone == 4)
        await fixture.cleanUp()
    }

    @Test("CREATE INDEX CONCURRENTLY runs while the run lock is held, without deadlock")
    func concurrentIndex() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer, v text);\nINSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20000) g;")
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\n-- cutover:up\nCREATE INDEX CONCURRENTLY t_v ON t (v);\n-- cutover:down\nDROP INDEX CONCURRENTLY t_v;")
        let report = try await fixture.withMigrator({ $0.lockTimeout = .seconds(5) }) { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["1", "2"])
        let valid = try await fixture.query("SELECT indisvalid AS ok FROM pg_index WHERE indexrelid = 't_v'::regclass")
        #expect(valid.first?["ok"] == .bool(true))
        let back = try await fixture.withMigrator { try await $0.rollback() }
        #expect(back.rolledBack.map(\.id.rawValue) == ["2"])
        await fixture.cleanUp()
    }

    @Test("a failed CREATE UNIQUE INDEX CONCURRENTLY reports the INVALID index it left and how to recover")
    func invalidIndexReported() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (v integer);\nINSERT INTO t VALUES (1), (1);")
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);")
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.sqlState == "23505")
        #expect(error?.hint?.contains("INVALID index public.t_v") == true)
        #expect(error?.hint?.contains("DROP INDEX CONCURRENTLY public.t_v") == true)
        await fixture.cleanUp()
    }
}
