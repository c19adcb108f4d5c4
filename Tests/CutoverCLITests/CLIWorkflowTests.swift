import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("the cutover command, as a user runs it")
struct CLIWorkflowTests {
    @Test("init, new, migrate, status --json, rollback on the SQLite default")
    func quickstart() async throws {
        let directory = try TemporaryDirectory()
        let initRun = try await CutoverProcess.run(["init"], in: directory.url.path)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path("cutover.toml")))
        let again = try await CutoverProcess.run(["init"], in: directory.url.path)
        #expect(again.status == 2)
        let new = try await CutoverProcess.run(["new", "Create Users", "--json"], in: directory.url.path)
        #expect(new.status == 0, "\(new.stderr)")
        let created = try #require(try JSONSerialization.jsonObject(with: Data(new.stdout.utf8)) as? [String: Any])
        let file = try #require(created["file"] as? String)
        #expect(file.hasSuffix("_create_users.sql"))
        #expect((created["id"] as? String)?.count == 14)
        try "-- cutover:up\nCREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n-- cutover:down\nDROP TABLE users;\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let migrate = try await CutoverProcess.run(["migrate"], in: directory.url.path)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("applied 1 migration"))
        let status = try await CutoverProcess.run(["status", "--json"], in: directory.url.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let migrations = try #require(object["migrations"] as? [[String: Any]])
        #expect(migrations.count == 1)
        #expect(migrations.first?["state"] as? String == "applied")
        #expect(migrations.first?["name"] as? String == "create_users")
        let rollback = try await CutoverProcess.run(["rollback", "--yes"], in: directory.url.path)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let after = try await CutoverProcess.run(["status", "--json"], in: directory.url.path)
        #expect(after.stdout.contains("\"state\": \"pending\""))
        directory.remove()
    }

    @Test("a failed migration exits 1 and names file, line and the database's message", arguments: TestBackend.all)
    func failedMigrationExitCode(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_bad.sql", "CREATE TABLE a (id integer);\nSELECT * FROM missing_table;")
        let result = try await cli.run("migrate")
        #expect(result.status == 1)
        #expect(result.stderr.contains("1_bad.sql:2"))
        #expect(result.stderr.contains("missing_table"))
        // File and line once, where the error line starts: no name said twice.
        let errorLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") })
        #expect(errorLine.hasPrefix("error: 1_bad.sql:2: statement 2 of 2 failed: "), "\(errorLine)")
        #expect(errorLine.components(separatedBy: "1_bad").count == 2, "\(errorLine)")
        #expect(result.stderr.contains("hint: nothing of this migration was applied"))
        let json = try await cli.json("migrate")
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["line"] as? Int == 2)
        #expect(json["exit_code"] as? Int == 1)
        let validate = try await cli.run("validate")
        #expect(validate.status == 3)
        await cli.cleanUp()
    }

    @Test("validate exits 3 on a changed file; repair ID accepts it")
    func validateAndRepair() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("1_a.sql", "CREATE TABLE a (id bigint);")
        let validate = try await cli.run("validate")
        #expect(validate.status == 3)
        #expect(validate.stdout.contains("changed since it was applied"))
        #expect(try await cli.run("migrate").status == 3)
        #expect(try await cli.run("repair").status == 2)
        #expect(try await cli.run("repair", "1").status == 0)
        #expect(try await cli.run("validate").status == 0)
        await cli.cleanUp()
    }

    @Test("baseline --to ID adopts, out-of-order needs --allow-out-of-order")
    func baselineAndOutOfOrder() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        try cli.fixture.write("3_c.sql", "CREATE TABLE c (id integer);")
        #expect(try await cli.run("baseline", "--to", "1").status == 0)
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("--allow-out-of-order"))
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String }
        #expect(states == ["applied", "out_of_order", "applied"])
        #expect(try await cli.run("migrate", "--allow-out-of-order").status == 0)
        await cli.cleanUp()
    }
}
