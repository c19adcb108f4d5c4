import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("lint blocks migrate and validate")
struct LintGateTests {
    @Test("a non-concurrent index on an existing table stops migrate (exit 3) until allowed")
    func blocksUntilAllowed() async throws {
        // small_table = "0": the empty table would otherwise be let through as small.
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"2s\"\nsmall_table = \"0\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer, a integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_index.sql", "CREATE INDEX t_a ON t (a);")
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("require-concurrent-index-creation"))
        #expect(refused.stderr.contains("2_index.sql:1"))
        #expect(try await cli.run("validate").status == 3)
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.last?["state"] as? String == "pending")
        try cli.fixture.write("2_index.sql", "-- cutover:allow require-concurrent-index-creation\nCREATE INDEX t_a ON t (a);")
        let allowed = try await cli.run("migrate")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        await cli.cleanUp()
    }

    @Test("the hand-written SQL of a .yaml migration is gated too: migrate and validate exit 3 naming the .yaml line, until `# cutover:allow`")
    func blocksYAMLUntilAllowed() async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"2s\"\nsmall_table = \"0\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, a integer);")
        #expect(try await cli.run("migrate").status == 0)
        let yaml = """
            operations:
              - add_column: { table: t, column: { name: b, type: text } }
              - sql:
                  up: CREATE INDEX t_a ON t (a)
                  down: DROP INDEX IF EXISTS t_a

            """
        try cli.fixture.write("2_index.yaml", yaml)
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("2_index.yaml:3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("# cutover:allow require-concurrent-index-creation"), "\(refused.stderr)")
        let validate = try await cli.run("validate")
        #expect(validate.status == 3, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("2_index.yaml:3: error[require-concurrent-index-creation]"), "\(validate.stdout)")
        // Nothing was started.
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.last?["state"] as? String == "pending")
        try cli.fixture.write("2_index.yaml", yaml.replacingOccurrences(of: "  - sql:", with: "  # cutover:allow require-concurrent-index-creation\n  - sql:"))
        let allowed = try await cli.run("migrate")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try await cli.run("validate").status == 0)
        await cli.cleanUp()
    }

    @Test("start gates the hand-written SQL of the migrations it starts: exit 3 at the .yaml line and nothing changed; --no-lint reports it and starts", arguments: TestBackend.all)
    func startGatesYAML(_ backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend, safety: "lock_timeout = \"2s\"\nsmall_table = \"0\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY, a integer);")
        #expect(try await cli.run("migrate").status == 0)
        // PostgreSQL: an index built without CONCURRENTLY. SQLite: a NOT NULL column without a
        // default (which SQLite accepts while the table is empty).
        let hazard = backend.name == "postgres"
            ? (sql: "CREATE INDEX t_a ON t (a)", undo: "DROP INDEX IF EXISTS t_a", rule: "require-concurrent-index-creation")
            : (sql: "ALTER TABLE t ADD COLUMN c integer NOT NULL", undo: "ALTER TABLE t DROP COLUMN c", rule: "adding-required-field")
        try cli.fixture.write("2_change.yaml", """
            operations:
              - add_column: { table: t, column: { name: b, type: text } }
              - sql:
                  up: \(hazard.sql)
                  down: \(hazard.undo)

            """)
        let refused = try await cli.run("start", "2")
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("2_change.yaml:3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("# cutover:allow \(hazard.rule)"), "\(refused.stderr)")
        #expect(try await !columns(of: "t", in: cli.fixture, backend).contains("b"), "nothing is changed by a refused start")
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.last?["state"] as? String == "pending", "\(status)")

        let overridden = try await cli.run("start", "2", "--no-lint")
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stderr.contains("lint error (--no-lint): ") && overridden.stderr.contains("2_change.yaml:3"), "\(overridden.stderr)")
        if backend.name == "postgres" { #expect(try await cli.run("complete", "2").status == 0) }
        #expect(try await columns(of: "t", in: cli.fixture, backend).contains("b"))
        await cli.cleanUp()
    }

    private func columns(of table: String, in fixture: MigrationFixture, _ backend: TestBackend) async throws -> [String] {
        let sql = backend.name == "postgres"
            ? "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '\(table)'"
            : "SELECT name FROM pragma_table_info('\(table)')"
        return try await fixture.query(sql).compactMap { $0.string("name") }
    }

    @Test("migrate --dry-run lists the plan and its lint errors, exits 0 and changes nothing", arguments: TestBackend.all)
    func dryRunShowsLint(_ backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer, a integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_index.sql", "CREATE INDEX t_a ON t (a);")
        let dryRun = try await cli.run("migrate", "--dry-run")
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would apply 2_index: 1 statement"))
        if backend.name == "postgres" {
            // t is empty: the gate of migrate would let the index through, and the dry run says so.
            #expect(dryRun.stderr.contains("lint note: 2_index.sql:1"), "\(dryRun.stderr)")
            #expect(!dryRun.stderr.contains("migrate would stop here"), "\(dryRun.stderr)")
            #expect(dryRun.stderr.contains("require-concurrent-index-creation"))
        }
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "pending"])
        await cli.cleanUp()
    }

    @Test("a migrate with nothing to apply says so and leaves the history as it was", arguments: TestBackend.all)
    func noOpMigrate(_ backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        let before = try await cli.json("status")
        let again = try await cli.run("migrate")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("is up to date"))
        let after = try await cli.json("status")
        #expect((before["migrations"] as? [[String: Any]])?.first?["applied_at"] as? String
            == (after["migrations"] as? [[String: Any]])?.first?["applied_at"] as? String)
        await cli.cleanUp()
    }
}
