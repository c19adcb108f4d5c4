import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// The lint gate of `migrate` knows the target: a whole history applied to a new database
/// needs no `--no-lint`, while a big table still blocks; `cutover lint` still reports.
@Suite("lint that knows the target")
struct TargetAwareLintTests {
    @Test("a whole history (CREATE TABLE, then a plain CREATE INDEX and SET NOT NULL on it) migrates without --no-lint", arguments: TestBackend.all)
    func wholeHistory(_ backend: TestBackend) async throws {
        // small_table = "0": only "created in this run" can let these through.
        let cli = try await CLIFixture.make(backend, safety: "lock_timeout = \"5s\"\nsmall_table = \"0\"")
        try cli.fixture.write("1_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);")
        try cli.fixture.write("2_index.sql", "CREATE INDEX orders_user ON orders (user_id);")
        try cli.fixture.write("3_not_null.sql", "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;")
        if backend.name == "sqlite" { try cli.fixture.write("3_not_null.sql", "SELECT 1;") }
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        if backend.name == "postgres" {
            #expect(migrate.stderr.contains("lint note: "), "\(migrate.stderr)")
            #expect(migrate.stderr.contains("note: not blocking: table orders is created in this run"))
            #expect(!migrate.stderr.contains("lint error"))
        }
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "applied", "applied"])

        // `cutover lint` needs no database and knows no target: it still reports the index.
        let lint = try await cli.run("lint", "migrations", "--dialect", backend.name == "sqlite" ? "sqlite" : "postgresql")
        if backend.name == "postgres" {
            #expect(lint.status == 3, "\(lint.stdout)")
            #expect(lint.stdout.contains("2_index.sql:1: error[require-concurrent-index-creation]"))
            #expect(!lint.stdout.contains("not blocking"))
        }
        await cli.cleanUp()
    }

    @Test("a table over [safety] small_table in the target still blocks; under it, the finding is a note with its size")
    func bigTableBlocks() async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"5s\"\nsmall_table = \"1kB\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer, a integer);\nINSERT INTO t SELECT g, g FROM generate_series(1, 2000) AS g;")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_index.sql", "CREATE INDEX t_a ON t (a);")
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("lint error: "))
        #expect(refused.stderr.contains("require-concurrent-index-creation"))
        #expect(try await cli.run("validate").status == 3)

        try cli.writeConfig(safety: "lock_timeout = \"5s\"\nsmall_table = \"10MB\"")
        let validate = try await cli.run("validate")
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stderr.contains("in the target (under small_table 10 MB)"), "\(migrate.stderr)")
        #expect(migrate.stderr.contains("table t is "))
        await cli.cleanUp()
    }

    @Test("a bad small_table names the file and line")
    func badSmallTable() async throws {
        let cli = try await CLIFixture.make(.sqlite, safety: "small_table = \"huge\"")
        let result = try await cli.run("status")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cutover.toml:5:"), "\(result.stderr)")  // line 4 is the fixture's connect_timeout
        #expect(result.stderr.contains("small_table"))
        await cli.cleanUp()
    }
    @Test("cutover lint lints for the env's PostgreSQL server version; an unreachable server costs a warning and 13; --postgres-version wins without connecting")
    func postgresVersionFromServer() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        let server = try await cli.fixture.query("SELECT current_setting('server_version_num')::int AS v").first?.int("v")
        let lint = try await cli.json("lint")
        #expect(lint["postgres_version"] as? Int == server)
        #expect(lint["postgres_version_source"] as? String == "server")
        let text = try await cli.run("lint")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("linted for postgresql \(server! / 10000).\(server! % 10000) (the target server's version)"), "\(text.stdout)")

        let option = try await cli.json("lint", "--postgres-version", "11")
        #expect(option["postgres_version"] as? Int == 11_00_00)
        #expect(option["postgres_version_source"] as? String == "option")

        // A server that does not answer: the lint still runs, for 13, and says so.
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [env.test]
            url = "postgres://app:hunter2secret@127.0.0.1:1/shop"
            """)
        let offline = try await cli.run("lint")
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stderr.contains("warning: could not read the server version of env test"), "\(offline.stderr)")
        #expect(offline.stderr.contains("--postgres-version"))
        #expect(!offline.stderr.contains("hunter2secret"))
        #expect(offline.stdout.contains("linted for postgresql 13.0 (assumed; pass --postgres-version)"), "\(offline.stdout)")
        let pinned = try await cli.run("lint", "--postgres-version", "15")
        #expect(!pinned.stderr.contains("warning"), "\(pinned.stderr)")
        #expect(pinned.stdout.contains("linted for postgresql 15.0 (--postgres-version)"), "\(pinned.stdout)")
        await cli.cleanUp()
    }
    @Test("rehearse reports what the lint gate of migrate would do on the target, without enforcing it")
    func rehearseLints() async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"5s\"\nsmall_table = \"1kB\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer, a integer);\nINSERT INTO t SELECT g, g FROM generate_series(1, 2000) AS g;")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_index.sql", "CREATE INDEX t_a ON t (a);")
        let text = try await cli.run("rehearse")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.contains("lint error (dry run, migrate would stop here): 2_index.sql:1"), "\(text.stderr)")
        let json = try await cli.json("rehearse")
        let findings = try #require(json["lint"] as? [[String: Any]], "\(json)")
        #expect(findings.contains { $0["rule"] as? String == "require-concurrent-index-creation" && $0["harmless_because"] is NSNull }, "\(findings)")
        #expect((json["applied"] as? [String]) == ["2"], "\(json)")

        // A target where t counts as small: the same finding is a note that says why.
        try cli.writeConfig(safety: "lock_timeout = \"5s\"\nsmall_table = \"10MB\"")
        let small = try await cli.run("rehearse")
        #expect(small.stderr.contains("lint note: 2_index.sql:1"), "\(small.stderr)")
        #expect(!small.stderr.contains("migrate would stop here"), "\(small.stderr)")
        await cli.cleanUp()
    }
}
