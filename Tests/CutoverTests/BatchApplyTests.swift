@testable import Cutover
import CutoverCore
import CutoverTestSupport
import Synchronization
import Testing

/// PostgreSQL applies a transactional migration and its history row as one `DO` block (one
/// round trip) when nothing needs the statements one by one; these check that the block
/// runs any statement text unchanged and that a failure still names its statement.
@Suite("A migration is applied in one round trip (PostgreSQL), and its failure is still attributed (both)")
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
        let (report, statementEvents) = try await migrateCountingStatements(fixture)
        #expect(report.applied.map(\.id.rawValue) == ["1"])
        #expect(statementEvents == 0, "the migration was applied statement by statement, not as one batch")
        let rows = try await fixture.query("SELECT body FROM notes ORDER BY id")
        #expect(rows.map { $0.string("body") } == [#"it's a \backslash"#, "dollar $cutover_s$ quoted", "tag of the block", "from a DO block"])
        #expect(try await fixture.query("SELECT shout('hi') AS s").first?.string("s") == "HI!")
        let record = try #require(try await fixture.withMigrator { try await $0.status() }.first?.record)
        #expect(record.phase == .applied)
        #expect(record.statementsDone == 4)
        #expect(record.finishedAt != nil && record.startedAt != nil && (record.durationMilliseconds ?? -1) >= 0)
        // The client formats the server's timestamps exactly as the server's own to_char would.
        let serverText = try await fixture.query(
            #"SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS s, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS f FROM cutover.history"#
        ).first
        #expect(record.startedAt == serverText?.string("s"))
        #expect(record.finishedAt == serverText?.string("f"))
        await fixture.cleanUp()
    }

    @Test("a failing statement is named with its line; nothing of the migration remains and no later one runs", arguments: TestBackend.all)
    func failureNamesTheStatement(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\nCREATE TABLE never (id integer);")
        try fixture.write("2_after.sql", "CREATE TABLE after_it (id integer);")
        let error = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        #expect(error?.line == 3)
        #expect(error?.databaseCode == (backend.name == "postgres" ? .postgres(.uniqueViolation) : .sqlite(.constraintPrimaryKey)))
        #expect(error?.statement == "INSERT INTO t VALUES (1)")
        for table in ["t", "never", "after_it"] { #expect(try await !fixture.tableExists(table), "\(table) exists") }
        let record = try #require(try await fixture.withMigrator { try await $0.status() }.first?.record)
        #expect(record.phase == .failed)
        #expect(record.failedLine == 3)
        await fixture.cleanUp()
    }
}

/// SQLite applies a transactional migration, its history row and (without a run lock) a guard
/// against a concurrent runner as one string run in one call; these check the same promises.
@Suite("SQLite applies a migration in one call")
struct SQLiteBatchApplyTests {
    @Test("semicolons in strings, trailing comments and trigger bodies survive; the row's times are set")
    func statementTextSurvives() async throws {
        let fixture = try await MigrationFixture.make(.sqlite)
        try fixture.write("1_notes.sql", #"""
            CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); -- a trailing comment
            CREATE TABLE log (note_id integer);
            CREATE TRIGGER notes_log AFTER INSERT ON notes BEGIN INSERT INTO log VALUES (new.id); END;
            INSERT INTO notes VALUES (1, 'it''s; a -- not a comment'), (2, 'COMMIT; ROLLBACK')
            """#)
        let (report, statementEvents) = try await migrateCountingStatements(fixture)
        #expect(report.applied.map(\.id.rawValue) == ["1"])
        #expect(statementEvents == 0, "the migration was applied statement by statement, not as one call")
        let rows = try await fixture.query("SELECT body FROM notes ORDER BY id")
        #expect(rows.map { $0.string("body") } == ["it's; a -- not a comment", "COMMIT; ROLLBACK"])
        #expect(try await fixture.query("SELECT count(*) AS n FROM log").first?.int("n") == 2)
        let record = try #require(try await fixture.withMigrator { try await $0.status() }.first?.record)
        #expect(record.phase == .applied)
        #expect(record.statementsDone == 4)
        let started = try #require(record.startedAt)
        let finished = try #require(record.finishedAt)
        #expect(finished >= started, "finished \(finished) before started \(started)")
        #expect(finished.hasSuffix("Z") && finished.count == "2026-11-25T02:00:22.055Z".count)
        #expect((record.durationMilliseconds ?? -1) >= 0)
        await fixture.cleanUp()
    }

    @Test("the guard fails while the migration is recorded as applied; a failed string leaves no transaction open")
    func guardAndRollback() async throws {
        let fixture = try await MigrationFixture.make(.sqlite)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        let database = try await TestBackend.open(fixture.url)
        let guardStatement = OneRoundTripBatch.notAppliedGuard(try #require(MigrationID("1")), dialect: database.dialect)
        let batch = try #require(database.dialect.atomicBatch([guardStatement, "CREATE TABLE x (id integer)"]))
        await #expect(throws: CutoverError.self) { try await database.execute(batch) }
        // Fails with "cannot start a transaction within a transaction" if the batch left one open.
        try await database.execute("BEGIN IMMEDIATE")
        try await database.execute("ROLLBACK")
        #expect(try await !fixture.tableExists("x"))
        // A row that is not `applied` (a failed try) lets the batch through.
        try await database.execute("UPDATE cutover_history SET phase = 'failed'")
        try await database.execute(batch)
        #expect(try await fixture.tableExists("x"))
        await database.close()
        await fixture.cleanUp()
    }
}

/// Migrates the fixture and counts the per-statement progress events. The
/// statement-by-statement path reports each statement and the one-trip batch none, so a batch
/// that failed and fell back to that path shows up as a count above zero.
private func migrateCountingStatements(_ fixture: MigrationFixture) async throws -> (MigrateReport, Int) {
    let statementEvents = Atomic<Int>(0)
    let database = try await TestBackend.open(fixture.url)
    let migrator = Migrator(
        database: database, migrations: try MigrationDirectory(path: fixture.migrationsPath).load(),
        events: { event in if case .statementFinished = event { statementEvents.add(1, ordering: .relaxed) } })
    do {
        let report = try await migrator.migrate()
        await database.close()
        return (report, statementEvents.load(ordering: .relaxed))
    } catch {
        await database.close()
        throw error
    }
}
