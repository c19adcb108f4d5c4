import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `cutover lint` reads `.yaml` migrations: the SQL written by hand in them (a `sql`
/// operation's `up` and `down`, …) is linted at the operation's line; the statements Cutover
/// generates for the operations are not.
@Suite("cutover lint reads .yaml migrations")
struct LintExpandContractTests {
    private static let users = "-- cutover:up\nCREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text);\n-- cutover:down\nDROP TABLE users;\n"

    private static let blockingIndex = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - sql:
              up: CREATE INDEX users_email_idx ON users (email)
              down: DROP INDEX IF EXISTS users_email_idx

        """

    private static let clean = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - add_column:
              table: users
              column: { name: status, type: text, nullable: false, default: "'new'" }
              up: "'new'"
          - create_index: { name: users_status_idx, table: users, columns: [status] }
          - sql:
              up: CREATE TABLE audit (id bigint PRIMARY KEY, note text)
              down: DROP TABLE IF EXISTS audit

        """

    private func folder(yaml: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("migrations/1_users.sql", Self.users)
        try directory.write("migrations/2_reshape.yaml", yaml)
        return directory
    }

    private func lint(_ arguments: String..., in directory: TemporaryDirectory) async throws -> CutoverProcess.Result {
        try await CutoverProcess.run(["lint"] + arguments, in: directory.url.path)
    }

    @Test("a blocking CREATE INDEX in a sql operation is an error at the .yaml file and the operation's line; exit 3")
    func blockingIndexInSQLOperation() async throws {
        let directory = try folder(yaml: Self.blockingIndex)
        defer { directory.remove() }
        let result = try await lint("migrations", in: directory)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("migrations/2_reshape.yaml:3: error[require-concurrent-index-creation]: CREATE INDEX users_email_idx without CONCURRENTLY"),
            "\(result.stdout)")
        // The rename the operation plans (its triggers, views, ALTER TABLE) is Cutover's own: no finding.
        #expect(!result.stdout.contains("2_reshape.yaml:2:"), "\(result.stdout)")
        #expect(result.stdout.contains("2 files linted"), "\(result.stdout)")
        // A .yaml file on its own, too.
        let single = try await lint("migrations/2_reshape.yaml", in: directory)
        #expect(single.status == 3)
        #expect(single.stdout.contains("migrations/2_reshape.yaml:3: error[require-concurrent-index-creation]"), "\(single.stdout)")
    }

    @Test("`# cutover:allow RULE` above the operation accepts the finding; the fix names create_index")
    func allowComment() async throws {
        let directory = try folder(yaml: Self.blockingIndex)
        defer { directory.remove() }
        let before = try await lint("migrations", in: directory)
        #expect(before.stdout.contains("fix:  use a `create_index` operation instead"), "\(before.stdout)")
        #expect(before.stdout.contains("put `# cutover:allow require-concurrent-index-creation` above the operation"), "\(before.stdout)")
        try directory.write("migrations/2_reshape.yaml", Self.blockingIndex.replacingOccurrences(
            of: "  - sql:", with: "  # cutover:allow require-concurrent-index-creation\n  - sql:"))
        let after = try await lint("migrations", in: directory)
        #expect(after.status == 0, "\(after.stdout)")
        #expect(!after.stdout.contains("require-concurrent-index-creation"), "\(after.stdout)")
    }

    @Test("with the env's database at hand, a pending .yaml migration that does not fit its tables is an error at the operation's line", arguments: TestBackend.all)
    func planningError(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_users.sql", Self.users)
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_reshape.yaml", "operations:\n  - add_column: { table: users, column: { name: note, type: text } }\n  - rename_column: { table: users, from: nickname, to: handle }\n")
        let result = try await cli.run("lint", "--json")
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let error = try #require(findings.first { $0["rule"] as? String == "expand-contract-plan" }, "\(findings)")
        #expect(error["file"] as? String == "migrations/2_reshape.yaml")
        #expect(error["line"] as? Int == 3)
        #expect(error["severity"] as? String == "error")
        #expect((error["message"] as? String)?.contains("nickname") == true, "\(error)")
        // Once the file fits the tables, nothing is reported.
        try cli.fixture.write("2_reshape.yaml", "operations:\n  - rename_column: { table: users, from: name, to: handle }\n")
        let fixed = try await cli.run("lint", "--json")
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        await cli.cleanUp()
    }

    @Test("ADD COLUMN … NOT NULL DEFAULT volatile() in a sql operation gets the finding a .sql file gets")
    func volatileDefault() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("5_token.yaml", "operations:\n  - sql:\n      up: ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()\n")
        let result = try await lint("5_token.yaml", in: directory)
        #expect(result.status == 3, "\(result.stdout)")
        #expect(result.stdout.contains("5_token.yaml:2: error[adding-field-with-volatile-default]"), "\(result.stdout)")
    }

    @Test("--json lists the .yaml finding with file, line, migration and rule")
    func json() async throws {
        let directory = try folder(yaml: Self.blockingIndex)
        defer { directory.remove() }
        let result = try await lint("migrations", "--json", in: directory)
        #expect(result.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect(object["files"] as? Int == 2)
        #expect(object["errors"] as? Int == 1)
        let findings = try #require(object["findings"] as? [[String: Any]])
        let error = try #require(findings.first { $0["severity"] as? String == "error" })
        #expect(error["file"] as? String == "migrations/2_reshape.yaml")
        #expect(error["line"] as? Int == 3)
        #expect(error["migration"] as? String == "2")
        #expect(error["rule"] as? String == "require-concurrent-index-creation")
        #expect(error["statement"] as? String == "CREATE INDEX users_email_idx ON users (email)")
    }

    @Test("a .yaml migration whose own SQL is safe gets no finding; exit 0")
    func cleanYAML() async throws {
        let directory = try folder(yaml: Self.clean)
        defer { directory.remove() }
        let result = try await lint("migrations", "--json", in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["findings"] as? [Any])?.isEmpty == true, "\(result.stdout)")
        #expect(object["files"] as? Int == 2)
    }
}
