import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover migrate --strategy swap")
struct SwapStrategyTests {
    @Test("migrates a copy and swaps it in; the old database stays intact and readable", arguments: TestBackend.all)
    func swap(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\nINSERT INTO t VALUES (1), (2);")
        #expect(try await cli.run("migrate").status == 0)
        // The migration records the maintenance switch as it is while the copy is migrated.
        let flags = backend.name == "sqlite" ? "cutover_flags" : "cutover.flags"
        try cli.fixture.write("2_more.sql", """
            ALTER TABLE t ADD COLUMN note text;
            CREATE TABLE extra (id integer);
            CREATE TABLE seen_during (maintenance_on integer);
            INSERT INTO seen_during SELECT CASE WHEN enabled THEN 1 ELSE 0 END FROM \(flags) WHERE name = 'maintenance';
            """)
        let result = try await cli.run("migrate", "--strategy", "swap", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("maintenance switch on") && result.stderr.contains("maintenance switch off"), "\(result.stderr)")
        #expect(try await cli.fixture.query("SELECT maintenance_on FROM seen_during").map { $0.int("maintenance_on") } == [1])
        let after = try await cli.json("maintenance", "status")
        #expect(after["maintenance"] as? Bool == false, "\(after)")
        // Nothing pending: the switch is not touched.
        let again = try await cli.run("migrate", "--strategy", "swap")
        #expect(again.status == 0 && !again.stderr.contains("maintenance switch"), "\(again.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["applied"] as? [String] == ["2"])
        let oldText = try #require(object["old_database"] as? String)
        #expect(oldText.contains("_before_2"))
        // The URL now reaches the migrated database, writable.
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["applied", "applied"])
        #expect(try await cli.fixture.tableExists("extra"))
        let live = try await TestBackend.open(cli.fixture.url)
        try await live.execute("INSERT INTO t (id, note) VALUES (3, 'after')")
        await live.close()
        // The old one: the data from before, without the change, and read-only on PostgreSQL.
        let oldURL = backend.name == "sqlite"
            ? try DatabaseURL("sqlite:" + cli.fixture.directory.path("test_before_2.sqlite3"))
            : cli.fixture.url.withDatabase(String(oldText.split(separator: "/").last!))
        let old = try await TestBackend.open(oldURL)
        #expect(try await old.query("SELECT count(*) AS n FROM t").first?.int("n") == 2)
        await #expect(throws: CutoverError.self) { try await old.query("SELECT note FROM t") }
        if backend.name == "postgres" {
            let error = await #expect(throws: CutoverError.self) { try await old.execute("INSERT INTO t VALUES (9)") }
            #expect(error?.sqlState == .readOnlySQLTransaction)
            #expect((object["old_database_protection"] as? String)?.contains("default_transaction_read_only = on") == true)
        } else {
            // The kept file loses its write permission, and the report says what is true: the
            // tests run as root, whom file modes do not stop.
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: oldURL.path)[.posixPermissions] as? Int)
            #expect(mode & 0o222 == 0, "mode \(String(mode, radix: 8))")
            #expect(object["old_database_protection"] as? String == "read-only file (mode \(String(mode, radix: 8))); root can still write it")
        }
        await old.close()
        if backend.name == "postgres" {
            let admin = try await TestBackend.open(cli.fixture.url.withDatabase("postgres"))
            try await admin.execute("DROP DATABASE IF EXISTS \"\(oldURL.database!)\" WITH (FORCE)")
            await admin.close()
        }
        await cli.cleanUp()
    }

    @Test("a failing migration leaves the source as it was and writable")
    func failingSwap() async throws {
        let cli = try await CLIFixture.make(.postgres)
        let database = try #require(cli.fixture.url.database)
        // Another swap's clone on the same server, as when the test above runs at the same
        // time (tests run in parallel on one cluster): it must be left alone, and it is not
        // this run's leftover. Marked the way Cutover marks its clones, so dropClone would
        // accept it if it were ever handed this name.
        let neighbour = "\(database)x_swap_20000101000000"
        let admin = try await TestBackend.open(cli.fixture.url.withDatabase("postgres"))
        try await admin.execute("CREATE DATABASE \"\(neighbour)\"")
        try await admin.execute("COMMENT ON DATABASE \"\(neighbour)\" IS 'cutover: clone of another database (dump)'")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_bad.sql", "CREATE TABLE u (id integer);\nINSERT INTO missing VALUES (1);")
        let result = try await cli.run("migrate", "--strategy", "swap")
        #expect(result.status == 1)
        #expect(result.stderr.contains("relation \"missing\" does not exist"), "\(result.stderr)")
        #expect(try await !cli.fixture.tableExists("u"))
        // The maintenance switch it turned on is off again on the untouched source.
        #expect(result.stderr.contains("maintenance switch off"), "\(result.stderr)")
        #expect(try await cli.json("maintenance", "status")["maintenance"] as? Bool == false)
        let live = try await TestBackend.open(cli.fixture.url)
        try await live.execute("INSERT INTO t VALUES (1)")
        await live.close()
        // This run's clone is named `<database>_swap_<stamp>`; only that one may not be left behind.
        let names = try await admin.query("SELECT datname FROM pg_catalog.pg_database ORDER BY datname").compactMap { $0.string("datname") }
        let clones = names.filter { $0.hasPrefix("\(database)_swap_") }
        #expect(clones.isEmpty, "clones left behind: \(clones)\n\(result.stderr)")
        #expect(names.contains(neighbour), "the failed swap dropped another run's clone")
        try await admin.execute("DROP DATABASE IF EXISTS \"\(neighbour)\" WITH (FORCE)")
        await admin.close()
        await cli.cleanUp()
    }

    @Test("SQLite in WAL mode is refused before anything changes")
    func walRefused() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let database = try await TestBackend.open(cli.fixture.url)
        #expect(try await database.query("PRAGMA journal_mode = WAL").first?.string("journal_mode") == "wal")
        await database.close()
        try cli.fixture.write("2_u.sql", "CREATE TABLE u (id integer);")
        let result = try await cli.run("migrate", "--strategy", "swap")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("WAL"), "\(result.stderr)")
        #expect(try await !cli.fixture.tableExists("u"))
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.folder)
        #expect(!files.contains { $0.contains("_before_") || $0.contains("_swap_") }, "\(files)")
        await cli.cleanUp()
    }
}
