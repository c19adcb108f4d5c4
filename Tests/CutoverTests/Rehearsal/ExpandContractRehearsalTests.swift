import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `rehearse` with pending `.yaml` migrations: they run on the clone as `migrate` runs them
/// (PostgreSQL: start, backfill, complete; SQLite: applied directly), the target is untouched.
@Suite("rehearse runs .yaml migrations on the clone")
struct ExpandContractRehearsalTests {
    /// The columns of `users` in the database at `url`.
    static func userColumns(_ url: DatabaseURL) async throws -> [String] {
        let database = try await TestBackend.open(url)
        let query = database.dialect.name == SQLiteDialect().name
            ? "SELECT name AS attname FROM pragma_table_info('users') ORDER BY cid"
            : "SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        do {
            let columns = try await database.query(query).compactMap { $0.string("attname") }
            await database.close()
            return columns
        } catch {
            await database.close()
            throw error
        }
    }

    @Test("PostgreSQL: start, backfill and complete run on the clone, with times, rows and locks; the target is unchanged")
    func postgres() async throws {
        let fixture = try await ExpandContractFixture.make(rows: 300)
        let outcome = try await fixture.deployment.rehearse(keep: true)
        let clone = try #require(outcome.clone)
        let report = outcome.report
        #expect(report.failure == nil, "\(String(describing: report.failure))")
        #expect(report.applied.map(\.rawValue) == ["2"])
        let rehearsal = try #require(report.expandContract.first)
        #expect(rehearsal.migration == ExpandContractFixture.id)
        #expect(rehearsal.name == "reshape")
        #expect(rehearsal.file.hasSuffix("2_reshape.yaml"))
        #expect(rehearsal.phases.map(\.name) == ["start", "backfill", "complete"])
        #expect(rehearsal.rowsBackfilled == 300)
        #expect(rehearsal.failedPhase == nil)
        let start = try #require(rehearsal.phases.first)
        #expect(!start.statements.isEmpty)
        // The expand phase's ALTER TABLE … ADD COLUMN takes ACCESS EXCLUSIVE on users, briefly.
        #expect(start.statements.contains { $0.locks.contains { $0.relation == "public.users" && $0.mode == "AccessExclusiveLock" } })
        #expect(report.drift?.hasDrift == false, "\(String(describing: report.drift?.diff.text)) \(String(describing: report.driftError))")
        // The clone has the new shape, the target the old one.
        #expect(try await Self.userColumns(clone.url).contains("full_name"))
        #expect(try await fixture.columns() == ["id", "name", "price"])
        #expect(try await fixture.deployment.expandContractRecords().isEmpty)
        await PostgresCluster.shared.dropDatabase(clone.url)
        await fixture.fixture.cleanUp()
    }

    @Test("PostgreSQL, abort check: start and abort on the clone restore its tables, then the migration runs for good")
    func abortCheck() async throws {
        let fixture = try await ExpandContractFixture.make(rows: 100)
        let outcome = try await fixture.deployment.rehearse(checksAbort: true)
        let report = outcome.report
        #expect(report.failure == nil, "\(String(describing: report.failure))")
        let rehearsal = try #require(report.expandContract.first)
        #expect(rehearsal.abortRestoredSchema == true, "\(rehearsal.abortLeftovers ?? "")")
        #expect(rehearsal.phases.map(\.name) == ["start", "backfill", "abort", "start", "backfill", "complete"])
        #expect(rehearsal.phases.filter { $0.name == "start" }.allSatisfy { !$0.statements.isEmpty })
        #expect(report.drift?.hasDrift == false, "\(String(describing: report.drift?.diff.text))")
        #expect(try await fixture.columns() == ["id", "name", "price"])
        // Without the check, no abort runs.
        let plain = try await fixture.deployment.rehearse()
        #expect(plain.report.expandContract.first?.abortRestoredSchema == nil)
        #expect(plain.report.expandContract.first?.phases.map(\.name) == ["start", "backfill", "complete"])
        await fixture.fixture.cleanUp()
    }

    @Test(
        "PostgreSQL: a .yaml migration that fails on the clone fails the rehearsal naming it and its phase; the target is untouched",
        arguments: [
            ("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - sql:
                  up: ALTER TABLE users ADD CONSTRAINT users_price_negative CHECK (price < 0)

            """, "start", 3),
            ("""
            operations:
              - add_column:
                  table: users
                  column: { name: ratio, type: integer }
                  up: "100 / (price - price)"

            """, "backfill", nil),
        ] as [(String, String, Int?)])
    func postgresFailure(yaml: String, phase: String, line: Int?) async throws {
        let fixture = try await ExpandContractFixture.make(rows: 50, yaml: yaml)
        let outcome = try await fixture.deployment.rehearse()
        let failure = try #require(outcome.report.failure)
        #expect(failure.migrationID == ExpandContractFixture.id)
        #expect(failure.message.contains("expand/contract migration 2 failed in its \(phase) phase on the clone"), "\(failure.message)")
        #expect(failure.file?.hasSuffix("2_reshape.yaml") == true, "\(String(describing: failure.file))")
        if let line { #expect(failure.line == line) }
        #expect(outcome.report.expandContract.first?.failedPhase == phase)
        #expect(outcome.dropped)
        #expect(try await fixture.columns() == ["id", "name", "price"])
        #expect(try await fixture.deployment.expandContractRecords().isEmpty)
        await fixture.fixture.cleanUp()
    }

    @Test("SQLite: the .yaml migration is applied directly on the clone and its phase reported; the target is unchanged")
    func sqlite() async throws {
        let (fixture, deployment) = try await SQLiteExpandContractTests.make()
        _ = try await deployment.migrate(to: MigrationID("1")!)
        let outcome = try await deployment.rehearse(keep: true)
        let clone = try #require(outcome.clone)
        #expect(outcome.report.failure == nil, "\(String(describing: outcome.report.failure))")
        #expect(outcome.report.applied.map(\.rawValue) == ["2"])
        let rehearsal = try #require(outcome.report.expandContract.first)
        #expect(rehearsal.phases.map(\.name) == ["apply"])
        #expect(rehearsal.phases.first?.writeLock?.scope == .database)
        #expect(outcome.report.drift?.hasDrift == false, "\(String(describing: outcome.report.drift?.diff.text)) \(String(describing: outcome.report.driftError))")
        #expect(try await Self.userColumns(clone.url).contains("full_name"))
        #expect(try await !Self.userColumns(fixture.url).contains("full_name"))
        #expect(try await !deployment.isAppliedDirectly(MigrationID("2")!))
        await fixture.cleanUp()
    }
}
