import Cutover
import CutoverCore
import CutoverTestSupport
import Testing

@Suite("history reads: full and summary")
struct HistoryDetailTests {
    @Test("a summary read keeps what states and plans use and leaves the run details unset", arguments: TestBackend.all)
    func summaryRead(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_ok.sql", "CREATE TABLE ok (id integer);")
        try fixture.write("2_bad.sql", "CREATE TABLE half (id integer);\nINSERT INTO no_such_table VALUES (1);")
        _ = await #expect(throws: CutoverError.self) { try await fixture.withMigrator { try await $0.migrate() } }
        let (full, summary, fullStates, summaryStates) = try await fixture.withMigrator { migrator in
            let full = try await Migrator.history(of: migrator.database)
            let summary = try await Migrator.history(of: migrator.database, detail: .summary)
            let planner = MigrationPlanner()
            return (
                full, summary, planner.states(migrations: migrator.migrations, history: full),
                planner.states(migrations: migrator.migrations, history: summary)
            )
        }
        #expect(full.count == 2)
        #expect(Set(summary.keys) == Set(full.keys))
        for (id, record) in full {
            let read = try #require(summary[id])
            // The state fields are the same; the run details are left out.
            #expect(read.name == record.name)
            #expect(read.checksum == record.checksum)
            #expect(read.phase == record.phase)
            #expect(read.finishedAt == record.finishedAt)
            #expect(read.statementsDone == record.statementsDone)
            #expect(read.statementsTotal == record.statementsTotal)
            #expect(read.failedLine == record.failedLine)
            #expect(read.errorMessage == record.errorMessage)
            #expect(read.startedAt == nil && read.durationMilliseconds == nil && read.appliedBy == nil && read.toolVersion == nil)
            #expect(read.failedStatement == nil && read.errorSQLState == nil)
        }
        // The full read has what the summary leaves out, so the test above can fail.
        let applied = try #require(full[MigrationID("1")!])
        #expect(applied.appliedBy?.contains("@") == true)
        #expect(applied.startedAt != nil && applied.durationMilliseconds != nil && applied.toolVersion != nil)
        #expect(full[MigrationID("2")!]?.failedStatement == "INSERT INTO no_such_table VALUES (1)")
        #expect(summaryStates.map(\.kind) == [.applied, .failed])
        #expect(summaryStates.map(\.kind) == fullStates.map(\.kind))
        #expect(summary[MigrationID("2")!]?.failedLine == 2)
        await fixture.cleanUp()
    }

    @Test("both reads of a database without a history table are empty", arguments: TestBackend.all)
    func noHistoryTable(backend: TestBackend) async throws {
        let fixture = try await MigrationFixture.make(backend)
        let (full, summary) = try await fixture.withMigrator { migrator in
            (try await Migrator.history(of: migrator.database), try await Migrator.history(of: migrator.database, detail: .summary))
        }
        #expect(full.isEmpty && summary.isEmpty)
        await fixture.cleanUp()
    }
}
