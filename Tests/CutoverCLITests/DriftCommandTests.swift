import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `cutover diff --against migrations` and the drift verdict of `cutover status`, run as a
/// user runs them, on a real SQLite file and a real PostgreSQL database.
@Suite("drift: diff --against migrations, status")
struct DriftCommandTests {
    /// Two migrations; on PostgreSQL the index is a no-transaction `CREATE INDEX CONCURRENTLY`,
    /// so the replay on the scratch database goes through the no-transaction path too.
    static func writeMigrations(_ cli: CLIFixture) throws {
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);")
        try cli.fixture.write("2_index.sql", cli.fixture.backend.name == "sqlite"
            ? "CREATE INDEX users_email ON users (email);"
            : "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);")
    }

    static func execute(_ url: DatabaseURL, _ sql: String) async throws {
        let database = try await TestBackend.open(url)
        do {
            try await database.execute(sql)
            await database.close()
        } catch {
            await database.close()
            throw error
        }
    }

    /// Scratch databases this test's database left on the server (none once a check is done).
    static func scratchDatabases(_ cli: CLIFixture) async throws -> [String] {
        guard cli.fixture.backend.name == "postgres", let name = cli.fixture.url.database else { return [] }
        return try await cli.fixture.query("SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, '\(name)_cutover_scratch_')")
            .compactMap { $0.string("datname") }
    }

    @Test("no drift right after migrate; a manual ADD COLUMN is found by diff --against migrations and status", arguments: TestBackend.all)
    func manualColumnIsDrift(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try Self.writeMigrations(cli)
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")

        let clean = try await cli.run("diff", "--env", "test", "--against", "migrations")
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("no drift: test matches its 2 applied migrations"))
        let status = try await cli.run("status")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("drift: none (schema matches the 2 applied migrations)"))
        let cleanJSON = try await cli.json("status")
        let cleanDrift = try #require(cleanJSON["drift"] as? [String: Any])
        #expect(cleanDrift["checked"] as? Bool == true)
        #expect(cleanDrift["drift"] as? Bool == false)
        #expect(cleanDrift["applied"] as? Int == 2)

        try await Self.execute(cli.fixture.url, "ALTER TABLE users ADD COLUMN nickname text")
        let drift = try await cli.run("diff", "--env", "test", "--against", "migrations")
        #expect(drift.status == 3, "\(drift.stdout)\(drift.stderr)")
        let prefix = backend.name == "sqlite" ? "" : "public."
        #expect(drift.stdout.lowercased().contains("+ column \(prefix)users.nickname: text"))
        #expect(drift.stdout.contains("1 added, 0 removed, 0 changed"))
        #expect(drift.stdout.contains("--- migrations (the 2 applied on test)"))

        let json = try await cli.run("diff", "--env", "test", "--against", "migrations", "--json")
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["against"] as? String == "migrations")
        #expect(object["drift"] as? Bool == true)
        #expect(object["identical"] as? Bool == false)
        #expect((object["from"] as? [String: Any])?["migrations"] as? [String] == ["1", "2"])
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.count == 1)
        #expect(changes.first?["action"] as? String == "added")
        #expect(changes.first?["kind"] as? String == "column")

        // The env may also be the one argument.
        #expect(try await cli.run("diff", "test", "--against", "migrations").status == 3)

        let verdict = try await cli.run("status")
        #expect(verdict.status == 0, "drift does not make status fail")
        #expect(verdict.stdout.contains("drift: 1 difference — run cutover diff --env test --against migrations"))
        let statusJSON = try await cli.json("status")
        let statusDrift = try #require(statusJSON["drift"] as? [String: Any])
        #expect(statusDrift["drift"] as? Bool == true)
        #expect(statusDrift["differences"] as? Int == 1)
        let skipped = try await cli.run("status", "--no-drift")
        #expect(skipped.stdout.contains("drift: not checked (--no-drift)"))

        #expect(try await Self.scratchDatabases(cli).isEmpty, "every scratch database is dropped")
        await cli.cleanUp()
    }

    @Test("the scratch database is dropped when replaying the migrations fails")
    func scratchDroppedOnFailure() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try Self.writeMigrations(cli)
        #expect(try await cli.run("migrate").status == 0)
        // The applied file now fails on an empty database.
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\nINSERT INTO no_such_table VALUES (1);")
        let result = try await cli.run("diff", "--env", "test", "--against", "migrations")
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("replaying the migrations on a scratch database failed"))
        let status = try await cli.run("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("drift: unknown — replaying the migrations on a scratch database failed"))
        #expect(try await Self.scratchDatabases(cli).isEmpty, "the scratch database is dropped after the failure")
        await cli.cleanUp()
    }

    @Test("--against takes only 'migrations' and one environment; diff A B still needs two")
    func badInput() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try Self.writeMigrations(cli)
        #expect(try await cli.run("migrate").status == 0)
        let other = try await cli.run("diff", "--env", "test", "--against", "staging")
        #expect(other.status == 2)
        #expect(other.stderr.contains("--against takes only 'migrations'"))
        let two = try await cli.run("diff", "test", "test", "--against", "migrations")
        #expect(two.status == 2)
        #expect(two.stderr.contains("compares one environment"))
        let none = try await cli.run("diff")
        #expect(none.status == 2)
        #expect(none.stderr.contains("diff compares two databases"))
        await cli.cleanUp()
    }
}
