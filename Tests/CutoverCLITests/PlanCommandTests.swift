import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("`cutover plan ID` prints an expand/contract migration's SQL against the database's tables")
struct PlanCommandTests {
    @Test("text and --json: the phases, planned against the migrated tables")
    func plan() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- cutover:down\nDROP TABLE users;\n")
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        try cli.fixture.write("2_rename.yaml", "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n")

        let text = try await cli.run("plan", "2")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("-- ==== start (expand) ===="))
        #expect(text.stdout.contains("AS SELECT \"id\", \"name\" AS \"full_name\" FROM public.users;"))
        #expect(text.stdout.contains("ALTER TABLE public.users RENAME COLUMN \"name\" TO \"full_name\";"))

        let json = try await cli.json("plan", "2")
        #expect(json["version_schema"] as? String == "public_2")
        let complete = try #require(json["complete"] as? [[String: Any]])
        #expect(complete.map { $0["lock"] as? String } == ["ACCESS EXCLUSIVE"])
        await cli.cleanUp()
    }

    @Test("a mistake in the file is reported with file:line; a missing file says how to write one")
    func errors() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- cutover:down\nDROP TABLE users;\n")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_bad.yaml", "operations:\n  - rename_column: { table: users, from: nam, to: full_name }\n")
        let bad = try await cli.run("plan", "2")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("2_bad.yaml:2: rename_column: column \"nam\" does not exist in table \"users\""), "\(bad.stderr)")
        let missing = try await cli.run("plan", "3")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cutover new NAME --ops"), "\(missing.stderr)")
        await cli.cleanUp()
    }
}
