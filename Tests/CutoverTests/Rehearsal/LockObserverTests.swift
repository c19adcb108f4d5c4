import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("locks observed from a second session")
struct LockObserverTests {
    @Test("on 1,000,000 rows: ALTER COLUMN TYPE holds ACCESS EXCLUSIVE; CREATE INDEX CONCURRENTLY blocks nothing")
    func observesLocks() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_big.sql", "CREATE TABLE big (id integer PRIMARY KEY, v integer);\nINSERT INTO big SELECT g, g FROM generate_series(1, 1000000) g;")
        _ = try await fixture.withMigrator { try await $0.migrate() }
        try fixture.write("2_type.sql", "ALTER TABLE big ALTER COLUMN v TYPE bigint;")
        try fixture.write("3_index.sql", "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY big_v ON big (v);")
        try fixture.write("4_new.sql", "CREATE TABLE fresh (id integer);\nCREATE INDEX fresh_id ON fresh (id);")
        let seen = try await fixture.migrateObservingLocks()

        let alter = try #require(seen.first { $0.migration == MigrationID("2")! })
        #expect(alter.impact == .blocksReadsAndWrites)
        let bigLock = try #require(alter.locks.first { $0.relation == "public.big" })
        #expect(bigLock.mode == "AccessExclusiveLock")
        #expect(!bigLock.isNewRelation)
        #expect(bigLock.heldMilliseconds >= alter.durationMilliseconds)

        let index = try #require(seen.first { $0.migration == MigrationID("3")! })
        #expect(index.impact == .blocksNothing)
        #expect(index.locks.contains { $0.relation == "public.big" && $0.mode == "ShareUpdateExclusiveLock" })

        let fresh = seen.filter { $0.migration == MigrationID("4")! }
        #expect(fresh.count == 2)
        #expect(fresh.allSatisfy { $0.impact == .blocksNothing }, "locks on a table created in the same migration block nobody")
        #expect(fresh[0].locks.contains { $0.isNewRelation && $0.mode == "AccessExclusiveLock" })
        await fixture.cleanUp()
    }
}
