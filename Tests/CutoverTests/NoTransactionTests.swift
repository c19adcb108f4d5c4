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

    @Test("a failed CREATE UNIQUE INDEX CONCURRENTLY reports its INVALID index; the rerun drops it and builds it again")
    func invalidIndexRebuilt() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (v integer);\nINSERT INTO t VALUES (1), (1);")
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);")
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.hint?.contains("INVALID index public.t_v") == true)
        #expect(error?.hint?.contains("the rerun drops an INVALID index") == true)
        #expect(try await fixture.query("SELECT indisvalid AS ok FROM pg_index WHERE indexrelid = 't_v'::regclass").first?["ok"] == .bool(false))
        // Fix the data and run again: the leftover must not make it fail with "already exists".
        _ = try await fixture.query("DELETE FROM t WHERE ctid <> (SELECT min(ctid) FROM t)")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.map(\.id.rawValue) == ["2"])
        let indexes = try await fixture.query("SELECT c.relname AS name, i.indisvalid AS ok FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass")
        #expect(indexes.count == 1)
        #expect(indexes.first?.string("name") == "t_v")
        #expect(indexes.first?["ok"] == .bool(true))
        await fixture.cleanUp()
    }

    @Test("a rerun counts a valid index that matches the interrupted statement as done, and refuses one that does not match")
    func validIndexCountsAsDone() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (v integer, w text);\nINSERT INTO t SELECT g, 'w' || g FROM generate_series(1, 1000) g;")
        // A first run stops at statement 1 with nothing recorded as done (as a killed run
        // whose backend went on to finish the index would leave it).
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY t_v ON missing (v);\nCREATE TABLE after_index (id integer);")
        _ = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        let statement = "CREATE INDEX CONCURRENTLY t_v ON t USING btree (v) WHERE v > 10"
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\n\(statement);\nCREATE TABLE after_index (id integer);")

        // An index of that name with another definition is not taken for it.
        _ = try await fixture.query("CREATE INDEX t_v ON t (w)")
        let mismatch = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(mismatch?.sqlState == .duplicateTable)
        #expect(try await !fixture.tableExists("after_index"))

        // The same index the statement builds (written differently) counts as done.
        _ = try await fixture.query("DROP INDEX t_v")
        _ = try await fixture.query("CREATE INDEX t_v ON public.t (v) WHERE (v > 10)")
        let oid = try await fixture.query("SELECT 't_v'::regclass::oid::int8 AS oid").first?.int("oid")
        let report = try await fixture.withMigrator { try await $0.migrate() }
        #expect(report.applied.first?.resumedAt == 0)
        #expect(try await fixture.tableExists("after_index"))
        #expect(try await fixture.query("SELECT 't_v'::regclass::oid::int8 AS oid").first?.int("oid") == oid, "the index was kept, not rebuilt")
        #expect(try await fixture.query("SELECT count(*) AS n FROM pg_index WHERE indrelid = 't'::regclass").first?.int("n") == 1)
        #expect(try await fixture.withMigrator { try await $0.status() }.map(\.kind) == [.applied, .applied])
        await fixture.cleanUp()
    }

    @Test("an unnamed CREATE INDEX CONCURRENTLY that an interrupted run finished is not built twice")
    func unnamedIndexNotDuplicated() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (v integer);")
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY ON missing ((v + 1));")
        _ = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        try fixture.write("2_idx.sql", "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY ON t ((v + 1));")
        _ = try await fixture.query("CREATE INDEX t_expr_idx ON t ((v + 1))")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        #expect(try await fixture.query("SELECT count(*) AS n FROM pg_index WHERE indrelid = 't'::regclass").first?.int("n") == 1)
        await fixture.cleanUp()
    }
}
