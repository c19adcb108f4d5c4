import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover rehearse")
struct RehearseCommandTests {
    @Test("rehearses on a clone: the target is untouched, locks are reported, the clone is dropped", arguments: TestBackend.all)
    func rehearse(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, v integer);\nINSERT INTO t VALUES (1, 1), (2, 2);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_type.sql", backend.name == "sqlite" ? "ALTER TABLE t ADD COLUMN w integer;" : "ALTER TABLE t ALTER COLUMN v TYPE bigint;")
        try cli.fixture.write("3_new.sql", "CREATE TABLE fresh (id integer);")
        let result = try await cli.run("rehearse", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["applied"] as? [String] == ["2", "3"])
        #expect(object["kept"] as? Bool == false)
        let check = try #require(object["schema_check"] as? [String: Any])
        #expect(check["checked"] as? Bool == true)
        #expect(check["drift"] as? Bool == false, "the clone matches its 3 migrations: \(check)")
        #expect(check["applied"] as? Int == 3)
        let statements = try #require(object["statements"] as? [[String: Any]])
        #expect(statements.count == 2)
        if backend.name == "postgres" {
            #expect(statements[0]["impact"] as? String == "blocks reads and writes")
            let locks = try #require(statements[0]["locks"] as? [[String: Any]])
            #expect(locks.contains { $0["relation"] as? String == "public.t" && $0["mode"] as? String == "ACCESS EXCLUSIVE" })
            #expect(statements[1]["impact"] as? String == "blocks nothing")
            // Only this test's clones: other tests rehearse on the same cluster at the same time.
            let name = try #require(cli.fixture.url.database)
            let clones = try await cli.fixture.query("SELECT datname FROM pg_database WHERE starts_with(datname, '\(name)_rehearsal_')")
            #expect(clones.isEmpty, "the clone is dropped")
        } else {
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.folder).filter { $0.contains("rehearsal") }
            #expect(leftovers.isEmpty, "the clone file is removed: \(leftovers)")
        }
        // The target itself has not changed.
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == ["applied", "pending", "pending"])
        #expect(try await !cli.fixture.tableExists("fresh"))
        await cli.cleanUp()
    }

    @Test("with nothing pending, rehearse says so and makes no clone", arguments: TestBackend.all)
    func nothingPending(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let result = try await cli.run("rehearse")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("nothing pending for test: nothing to rehearse, no clone made"), "\(result.stdout)")
        #expect(!result.stderr.contains("cloning"), "\(result.stderr)")
        let json = try await cli.json("rehearse")
        #expect(json["nothing_pending"] as? Bool == true)
        #expect(json["applied"] as? [String] == [])
        #expect(json["strategy"] is NSNull)
        if backend.name == "postgres" {
            let name = try #require(cli.fixture.url.database)
            let clones = try await cli.fixture.query("SELECT datname FROM pg_database WHERE starts_with(datname, '\(name)_rehearsal_')")
            #expect(clones.isEmpty, "no clone was made")
        } else {
            let clones = try FileManager.default.contentsOfDirectory(atPath: cli.folder).filter { $0.contains("rehearsal") }
            #expect(clones.isEmpty, "no clone was made: \(clones)")
        }
        await cli.cleanUp()
    }

    @Test("a manual change on the target shows on the clone: the rehearsal reports it and exits 3", arguments: TestBackend.all)
    func manualChangeIsReported(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, v integer);")
        #expect(try await cli.run("migrate").status == 0)
        let database = try await TestBackend.open(cli.fixture.url)
        try await database.execute("ALTER TABLE t ADD COLUMN by_hand text")
        await database.close()
        try cli.fixture.write("2_new.sql", "CREATE TABLE fresh (id integer);")
        let result = try await cli.run("rehearse")
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("the clone's schema differs from its 2 applied migrations"))
        #expect(result.stdout.lowercased().contains("+ column \(backend.name == "sqlite" ? "" : "public.")t.by_hand: text"))
        #expect(result.stderr.contains("was changed outside its migrations"))
        let json = try await cli.run("rehearse", "--json")
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect(object["applied"] as? [String] == ["2"])
        let check = try #require(object["schema_check"] as? [String: Any])
        #expect(check["drift"] as? Bool == true)
        #expect(check["differences"] as? Int == 1)
        // The target itself is untouched.
        #expect(try await !cli.fixture.tableExists("fresh"))
        await cli.cleanUp()
    }

    @Test("a migration that fails on the clone exits 1 and leaves the target untouched")
    func failingRehearsal() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.write("1_ok.sql", "CREATE TABLE ok (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_bad.sql", "CREATE TABLE a (id integer);\nINSERT INTO missing VALUES (1);")
        let result = try await cli.run("rehearse")
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAILED"))
        #expect(result.stderr.contains("2_bad.sql:2"))
        #expect(try await !cli.fixture.tableExists("a"))
        await cli.cleanUp()
    }

    @Test("rehearse = true: migrate rehearses first and stops before touching the target when that fails")
    func rehearseBeforeMigrate() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.directory.write("cutover.toml", "default_env = \"test\"\n[env.test]\nurl = \"sqlite:test.sqlite3\"\nrehearse = true\n")
        try cli.fixture.write("1_ok.sql", "CREATE TABLE ok (id integer);")
        let first = try await cli.run("migrate")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("rehearsing on a clone"))
        try cli.fixture.write("2_bad.sql", "CREATE TABLE a (id integer);\nINSERT INTO missing VALUES (1);")
        let result = try await cli.run("migrate")
        #expect(result.status == 1)
        #expect(result.stderr.contains("rehearsal failed, so test was not touched"))
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == ["applied", "pending"], "no failed row on the real database")
        #expect(try await cli.run("migrate", "--no-rehearse").status == 1)
        await cli.cleanUp()
    }

    @Test("an UPDATE of existing rows is reported with its row count: row locks on PostgreSQL, the database's write lock on SQLite", arguments: TestBackend.all)
    func rowsTouched(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, x integer);\nINSERT INTO t VALUES (1, 0), (2, 0), (3, 0);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_update.sql", "UPDATE t SET x = 1;\nCREATE TABLE fresh (id integer);")
        let result = try await cli.run("rehearse", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let statements = try #require(object["statements"] as? [[String: Any]])
        #expect(statements.count == 2)
        let verdict = backend.name == "sqlite" ? "blocks all writers to the database" : "blocks writes to the rows it changed"
        #expect(statements[0]["impact"] as? String == verdict)
        #expect(statements[0]["rows_touched"] as? Int == 3)
        let lock = try #require(statements[0]["write_lock"] as? [String: Any])
        #expect(lock["scope"] as? String == (backend.name == "sqlite" ? "database" : "rows"))
        #expect(lock["rows"] as? Int == 3)
        #expect((lock["held_ms"] as? Int ?? -1) >= 0)
        #expect(lock["until_commit"] as? Bool == true)
        #expect(statements[1]["impact"] as? String == "blocks nothing")
        #expect(statements[1]["write_lock"] is NSNull)

        let text = try await cli.run("rehearse")
        #expect(text.status == 0, "\(text.stderr)")
        let expected = backend.name == "sqlite"
            ? "the database's write lock for"
            : "row locks on 3 rows for"
        #expect(text.stdout.contains(expected), "\(text.stdout)")
        #expect(text.stdout.contains(backend.name == "sqlite" ? "blocks all writers to the database (the statement changed 3 rows)" : "blocks writes to the 3 rows it changed"), "\(text.stdout)")
        #expect(text.stdout.contains("1 statement took locks that block the application"), "\(text.stdout)")
        await cli.cleanUp()
    }
}
