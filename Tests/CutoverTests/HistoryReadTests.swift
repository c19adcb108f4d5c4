import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("history reads")
struct HistoryReadTests {
    @Test("a read returns every column of applied and failed rows, and the states they give", arguments: TestBackend.all)
    func fullRead(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_ok.sql", "CREATE TABLE ok (id integer);")
        try fixture.write("2_bad.sql", "CREATE TABLE half (id integer);\nINSERT INTO no_such_table VALUES (1);")
        _ = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        let (history, states) = try await fixture.withMigrator { migrator in
            let history = try await Migrator.history(of: migrator.database)
            return (history, MigrationPlanner().states(migrations: migrator.migrations, history: history))
        }
        #expect(history.count == 2)
        let applied = try #require(history[MigrationID("1")!])
        #expect(applied.name == "ok" && applied.phase == .applied && applied.checksum.count == 64)
        #expect(applied.appliedBy?.contains("@") == true)
        #expect(applied.startedAt != nil && applied.finishedAt != nil && applied.durationMilliseconds != nil && applied.toolVersion != nil)
        let failed = try #require(history[MigrationID("2")!])
        #expect(failed.failedStatement == "INSERT INTO no_such_table VALUES (1)")
        #expect(failed.failedLine == 2)
        #expect(failed.errorMessage?.contains("no_such_table") == true)
        #expect(states.map(\.kind) == [.applied, .failed])
        await fixture.cleanUp()
    }

    @Test("a database without a history table reads as empty", arguments: TestBackend.all)
    func noHistoryTable(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let history = try await fixture.withMigrator { migrator in try await Migrator.history(of: migrator.database) }
        #expect(history.isEmpty)
        await fixture.cleanUp()
    }
}
