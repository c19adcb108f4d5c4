import Crypto
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

    /// The drift object of `cutover status --json`.
    static func statusDrift(_ cli: CLIFixture) async throws -> [String: Any] {
        try #require(try await cli.json("status")["drift"] as? [String: Any])
    }

    /// The stored schema check: digest, fingerprint and time, or nil when there is no row.
    static func storedCheck(_ cli: CLIFixture) async throws -> [String]? {
        let table = cli.fixture.backend.name == "sqlite" ? "cutover_schema_check" : "cutover.schema_check"
        return try await cli.fixture.query("SELECT applied_digest, fingerprint, CAST(checked_at AS text) AS checked_at FROM \(table)").first
            .map { [$0.string("applied_digest") ?? "", $0.string("fingerprint") ?? "", $0.string("checked_at") ?? ""] }
    }

    @Test("status trusts a stored clean check until the migrations or the schema change", arguments: TestBackend.all)
    func storedCheck(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try Self.writeMigrations(cli)
        #expect(try await cli.run("migrate").status == 0)
        #expect(try await Self.storedCheck(cli) == nil, "migrate creates the table but checks nothing")

        // First status: a full check, stored.
        let first = try await Self.statusDrift(cli)
        #expect(first["cached"] as? Bool == false)
        #expect(first["drift"] as? Bool == false)
        let stored = try #require(try await Self.storedCheck(cli))
        #expect(stored[0].count == 64 && stored[1].count == 64)

        // Second: from the stored check, no replay.
        let second = try await Self.statusDrift(cli)
        #expect(second["cached"] as? Bool == true)
        #expect(second["drift"] as? Bool == false)
        #expect(second["applied"] as? Int == 2)
        let text = try await cli.run("status")
        #expect(text.stdout.contains("drift: none (schema unchanged since it was checked at "), "\(text.stdout)")
        #expect(!text.stderr.contains("replaying"), "\(text.stderr)")
        #expect(try await Self.storedCheck(cli) == stored, "a cached verdict writes nothing")

        // A manual index: the fingerprint moves, the full check finds drift and stores nothing.
        try await Self.execute(cli.fixture.url, "CREATE INDEX users_id_email ON users (id, email)")
        let index = try await Self.statusDrift(cli)
        #expect(index["cached"] as? Bool == false)
        #expect(index["drift"] as? Bool == true)
        #expect(index["differences"] as? Int == 1)
        #expect(try await Self.storedCheck(cli) == stored)
        // Dropped again, the schema is the verified one: cached (the fingerprint holds no OIDs).
        try await Self.execute(cli.fixture.url, "DROP INDEX users_id_email")
        #expect(try await Self.statusDrift(cli)["cached"] as? Bool == true)

        if backend.name == "postgres" {
            try await Self.execute(cli.fixture.url, "COMMENT ON TABLE users IS 'people'")
            let comment = try await Self.statusDrift(cli)
            #expect(comment["cached"] as? Bool == false)
            #expect(comment["drift"] as? Bool == true)
            try await Self.execute(cli.fixture.url, "COMMENT ON TABLE users IS NULL")
            #expect(try await Self.statusDrift(cli)["cached"] as? Bool == true)
        }

        // A manual column after a cached clean verdict: drift, not cached.
        try await Self.execute(cli.fixture.url, "ALTER TABLE users ADD COLUMN nickname text")
        let column = try await Self.statusDrift(cli)
        #expect(column["cached"] as? Bool == false)
        #expect(column["drift"] as? Bool == true)
        let verdict = try await cli.run("status")
        #expect(verdict.stdout.contains("drift: 1 difference — run cutover diff --env test --against migrations"), "\(verdict.stdout)")
        try await Self.execute(cli.fixture.url, "ALTER TABLE users DROP COLUMN nickname")

        // A new migration on a verified schema: migrate carries the verified state forward
        // (the same files ran on the schema a replay gives), so status needs no replay.
        try cli.fixture.write("3_posts.sql", "CREATE TABLE posts (id integer PRIMARY KEY, title text);")
        #expect(try await cli.run("migrate").status == 0)
        let afterMigrate = try await Self.statusDrift(cli)
        #expect(afterMigrate["cached"] as? Bool == true)
        #expect(afterMigrate["drift"] as? Bool == false)
        #expect(afterMigrate["applied"] as? Int == 3)
        let restored = try #require(try await Self.storedCheck(cli))
        #expect(restored[0] != stored[0], "the applied digest changed")
        #expect(restored[1] != stored[1], "so did the fingerprint")

        // A migration on a schema with drift carries nothing: status replays and finds it.
        try await Self.execute(cli.fixture.url, "ALTER TABLE users ADD COLUMN nickname text")
        try cli.fixture.write("4_tags.sql", "CREATE TABLE tags (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let drifted = try await Self.statusDrift(cli)
        #expect(drifted["cached"] as? Bool == false)
        #expect(drifted["drift"] as? Bool == true)
        try await Self.execute(cli.fixture.url, "ALTER TABLE users DROP COLUMN nickname")
        let clean = try await Self.statusDrift(cli)
        #expect(clean["cached"] as? Bool == false, "the stored state is for 3 migrations, not 4")
        #expect(clean["drift"] as? Bool == false)
        #expect(try await Self.statusDrift(cli)["cached"] as? Bool == true)

        // Editing an applied file changes what a replay would build: checked again.
        try cli.fixture.write("3_posts.sql", "CREATE TABLE posts (id integer PRIMARY KEY, title text NOT NULL);")
        let edited = try await Self.statusDrift(cli)
        #expect(edited["cached"] as? Bool == false)
        #expect(edited["drift"] as? Bool == true)

        #expect(try await Self.scratchDatabases(cli).isEmpty)
        await cli.cleanUp()
    }

    @Test("a clean check that cannot be stored still says drift: none, and the next status checks again")
    func storeFailureIsNotFatal() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try Self.writeMigrations(cli)
        #expect(try await cli.run("migrate").status == 0)
        // Cutover's own trigger (left out of introspection and the fingerprint) refuses the write.
        try await Self.execute(
            cli.fixture.url, "CREATE TRIGGER cutover_refuse BEFORE INSERT ON cutover_schema_check BEGIN SELECT RAISE(ABORT, 'read-only'); END")
        for _ in 0..<2 {
            let status = try await cli.run("status")
            #expect(status.status == 0)
            #expect(status.stdout.contains("drift: none (schema matches the 2 applied migrations)"), "\(status.stdout)")
            #expect(status.stderr.contains("the verified schema state was not stored"), "\(status.stderr)")
        }
        #expect(try await Self.storedCheck(cli) == nil)
        await cli.cleanUp()
    }

    @Test("diff --against migrations always replays: it finds drift a stale stored check would hide")
    func diffIgnoresStoredCheck() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try Self.writeMigrations(cli)
        #expect(try await cli.run("migrate").status == 0)
        #expect(try await Self.statusDrift(cli)["cached"] as? Bool == false)
        try await Self.execute(cli.fixture.url, "CREATE TABLE notes (id integer PRIMARY KEY)")
        // Forge the stored check to the drifted schema's fingerprint: status now trusts it…
        let fingerprintSQL = try #require(SQLiteDialect().schemaFingerprintQuery)
        let text = try #require(try await cli.fixture.query(fingerprintSQL).first?.string("fingerprint"))
        let forged = SHA256.hex(SHA256.hash(data: Array(text.utf8)))
        try await Self.execute(cli.fixture.url, "UPDATE cutover_schema_check SET fingerprint = '\(forged)'")
        #expect(try await Self.statusDrift(cli)["cached"] as? Bool == true)
        // …but diff replays and sees the table.
        let diff = try await cli.run("diff", "--env", "test", "--against", "migrations")
        #expect(diff.status == 3, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("+ table notes"), "\(diff.stdout)")
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
