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

        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [safety]
            lock_timeout = "5s"
            small_table = "10MB"
            [env.test]
            url = "\(cli.fixture.configURL)"
            """)
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
        #expect(result.stderr.contains("cutover.toml:4:"), "\(result.stderr)")
        #expect(result.stderr.contains("small_table"))
        await cli.cleanUp()
    }
}
