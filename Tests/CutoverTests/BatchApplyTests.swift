import Cutover
import CutoverCore
import CutoverTestSupport
import Synchronization
import Testing

/// PostgreSQL applies a transactional migration and its history row as one `DO` block (one
/// round trip) when nothing needs the statements one by one; these check that the block
/// runs any statement text unchanged and that a failure still names its statement.
@Suite("PostgreSQL applies a migration in one round trip")
struct BatchApplyTests {
    @Test("dollar quotes, the batch's own tags, quotes, backslashes and trailing comments reach the server unchanged")
    func statementTextSurvives() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_notes.sql", #"""
            CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); -- a trailing comment
            INSERT INTO notes VALUES (1, 'it''s a \backslash'), (2, $$dollar $cutover_s$ quoted$$), (3, $cutover_do$tag of the block$cutover_do$);
            DO $$ BEGIN INSERT INTO notes VALUES (4, 'from a DO block'); END $$;
            CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS $fn$ SELECT upper(t) || '!' $fn$;
            """#)
        // The statement-by-statement path reports each statement; the batch reports none, so
        // a batch that failed and fell back to that path would show up here.
        let statementEvents = Atomic<Int>(0)
        let database = try await TestBackend.open(fixture.url)
        let migrator = Migrator(
            database: database, migrations: try MigrationDirectory(path: fixture.migrationsPath).load(),
            events: { event in if case .statementFinished = event { statementEvents.add(1, ordering: .relaxed) } })
        let report = try await migrator.migrate()
        await database.close()
        #expect(report.applied.map(\.id.rawValue) == ["1"])
        #expect(statementEvents.load(ordering: .relaxed) == 0, "the migration was applied statement by statement, not as one batch")
        let rows = try await fixture.query("SELECT body FROM notes ORDER BY id")
        #expect(rows.map { $0.string("body") } == [#"it's a \backslash"#, "dollar $cutover_s$ quoted", "tag of the block", "from a DO block"])
        #expect(try await fixture.query("SELECT shout('hi') AS s").first?.string("s") == "HI!")
        let record = try #require(try await fixture.withMigrator { try await $0.status() }.first?.record)
        #expect(record.phase == .applied)
        #expect(record.statementsDone == 4)
        #expect(record.finishedAt != nil && record.startedAt != nil && (record.durationMilliseconds ?? -1) >= 0)
        await fixture.cleanUp()
    }

    @Test("a failing statement is still named with its line, and nothing of the migration remains")
    func failureNamesTheStatement() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\nCREATE TABLE never (id integer);")
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.line == 3)
        #expect(error?.sqlState == "23505")
        #expect(error?.statement == "INSERT INTO t VALUES (1)")
        #expect(try await !fixture.tableExists("t"))
        #expect(try await !fixture.tableExists("never"))
        let record = try #require(try await fixture.withMigrator { try await $0.status() }.first?.record)
        #expect(record.phase == .failed)
        #expect(record.failedLine == 3)
        await fixture.cleanUp()
    }
}
