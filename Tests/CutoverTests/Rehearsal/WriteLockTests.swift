import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("locks on data: PostgreSQL's row locks, SQLite's database write lock")
struct WriteLockTests {
    @Test("PostgreSQL: UPDATE of 500 existing rows blocks writes to those 500 rows until COMMIT; new tables and plain INSERTs block nothing")
    func postgresRowLocks() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, x integer);\nINSERT INTO t SELECT g, 0 FROM generate_series(1, 500) g;")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_update.sql", "UPDATE t SET x = 1;\nSELECT pg_sleep(0.05);")
        try fixture.write("3_insert.sql", "INSERT INTO t SELECT g, 0 FROM generate_series(501, 600) g;")
        try fixture.write("4_fresh.sql", "CREATE TABLE fresh (id integer);\nINSERT INTO fresh SELECT g FROM generate_series(1, 10) g;\nUPDATE fresh SET id = id + 1;")
        try fixture.write("5_none.sql", "UPDATE t SET x = 2 WHERE id < 0;")
        let seen = try await fixture.migrateObservingLocks()

        let update = try #require(seen.first { $0.migration == MigrationID("2")! && $0.index == 0 })
        #expect(update.impact == .blocksWritesToRows)
        #expect(update.rowsTouched == 500)
        let lock = try #require(update.writeLock)
        #expect(lock.scope == .rows)
        #expect(lock.rows == 500)
        // Held until COMMIT, after the 50 ms sleep that follows the UPDATE.
        #expect(lock.heldMilliseconds >= update.durationMilliseconds + 50, "\(lock.heldMilliseconds) ms")
        #expect(update.locks.contains { $0.relation == "public.t" && $0.mode == "RowExclusiveLock" && $0.impact == .blocksNothing })

        let insert = try #require(seen.first { $0.migration == MigrationID("3")! })
        #expect(insert.rowsTouched == 100)
        #expect(insert.writeLock == nil)
        #expect(insert.impact == .blocksNothing, "rows a plain INSERT adds are seen by nobody before COMMIT")

        let fresh = seen.filter { $0.migration == MigrationID("4")! }
        #expect(fresh.count == 3)
        #expect(fresh[0].rowsTouched == nil, "CREATE TABLE has no row count")
        #expect(fresh[2].rowsTouched == 10)
        #expect(fresh.allSatisfy { $0.writeLock == nil && $0.impact == .blocksNothing }, "rows of a table created in the same migration are nobody else's")

        let none = try #require(seen.first { $0.migration == MigrationID("5")! })
        #expect(none.rowsTouched == 0)
        #expect(none.writeLock == nil)
        #expect(none.impact == .blocksNothing)
        await fixture.cleanUp()
    }

    @Test("SQLite: a statement that changes existing rows blocks all writers to the database until COMMIT; CREATE TABLE blocks nothing")
    func sqliteDatabaseLock() async throws {
        let fixture = try await MigrationFixture.make(.sqlite)
        try fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, x integer);\nWITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 200) INSERT INTO t SELECT n, 0 FROM g;")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_change.sql", "CREATE TABLE fresh (id integer);\nUPDATE t SET x = 1 WHERE id <= 150;\nINSERT INTO t VALUES (1000, 1), (1001, 1);\nCREATE INDEX t_x ON t (x);")
        let seen = try await fixture.migrateObservingLocks()
        #expect(seen.count == 4)

        #expect(seen[0].impact == .blocksNothing)
        #expect(seen[0].writeLock == nil)
        #expect(seen[0].rowsTouched == 0)

        let update = seen[1]
        #expect(update.impact == .blocksAllWriters)
        #expect(update.rowsTouched == 150)
        let lock = try #require(update.writeLock)
        #expect(lock.scope == .database)
        #expect(lock.rows == 150)
        // From the migration's BEGIN IMMEDIATE until COMMIT: at least the statements after it.
        #expect(lock.heldMilliseconds >= seen[1...].map(\.durationMilliseconds).reduce(0, +))

        #expect(seen[2].impact == .blocksAllWriters)
        #expect(seen[2].writeLock?.rows == 2)
        #expect(seen[2].writeLock?.heldMilliseconds == lock.heldMilliseconds, "one lock, one transaction")

        // Not the 2 rows of the INSERT before it, left over in sqlite3_changes().
        #expect(seen[3].rowsTouched == 0)
        #expect(seen[3].impact == .blocksNothing)
        await fixture.cleanUp()
    }

    @Test("which statements keep row locks on existing rows")
    func rowLockingStatements() {
        let cases: [(String, RowLockingStatement?)] = [
            ("UPDATE t SET x = 1", .countedByTag),
            ("delete from t where id < 5", .countedByTag),
            ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x", .countedByTag),
            ("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET x = 2", .countedByTag),
            ("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", nil),
            ("INSERT INTO t SELECT * FROM s", nil),
            ("SELECT * FROM t FOR UPDATE", .countedByTag),
            ("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED", .countedByTag),
            ("SELECT 'UPDATE t' AS update_text", nil),
            ("WITH u AS (UPDATE t SET x = 1 RETURNING id) SELECT count(*) FROM u", .notCounted),
            ("WITH s AS (SELECT 1) SELECT * FROM s", nil),
            ("-- UPDATE t\nCREATE TABLE u (id integer)", nil),
            ("DO $$ BEGIN UPDATE t SET x = 1; END $$", nil),
        ]
        for (sql, expected) in cases {
            #expect(RowLockingStatement(sql, configuration: .postgres) == expected, "\(sql)")
        }
    }
}
