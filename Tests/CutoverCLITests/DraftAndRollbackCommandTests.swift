import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Files that are not written yet, migrations that run nothing, and rollbacks that would
/// undo nothing, as a user meets them through the `cutover` command.
@Suite("drafts, no-op migrations and safe rollbacks, as a user runs them")
struct DraftAndRollbackCommandTests {
    /// A project with `[backup] mode = "before"`.
    private func project(_ backend: TestBackend) async throws -> CLIFixture {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [backup]
            mode = "before"
            dir = "backups"
            [env.test]
            url = "\(cli.fixture.configURL)"
            [safety]
            lock_timeout = "5s"
            """)
        return cli
    }

    @Test("a file just written by `cutover new`: status lists it as draft, validate and lint warn, migrate stops before it", arguments: TestBackend.all)
    func unwrittenNewFile(backend: TestBackend) async throws {
        let cli = try await project(backend)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer);\n-- cutover:down\nDROP TABLE users;\n")
        let new = try await cli.json("new", "add email")
        let path = try #require(new["file"] as? String)
        let file = (path as NSString).lastPathComponent
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("-- cutover:draft\n"))

        let status = try await cli.run("status", "--json")
        #expect(status.status == 0, "\(status.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let states = try #require(object["migrations"] as? [[String: Any]]).map { $0["state"] as? String }
        #expect(states == ["pending", "draft"])
        let text = try await cli.run("status")
        #expect(text.status == 0 && text.stdout.contains("draft"), "\(text.stdout)")

        let validate = try await cli.run("validate")
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("\(file):1: warning[draft-migration]"), "\(validate.stdout)")
        let lint = try await cli.run("lint")
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        #expect(lint.stdout.contains("\(file):1: warning[draft-migration]"), "\(lint.stdout)")

        let dryRun = try await cli.run("migrate", "--dry-run")
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would apply 1_users"))
        #expect(dryRun.stdout.contains("would stop before \(file)"), "\(dryRun.stdout)")

        let rehearse = try await cli.run("rehearse")
        #expect(rehearse.status == 0, "\(rehearse.stderr)")
        #expect(rehearse.stdout.contains("stopped before \(file), a draft"), "\(rehearse.stdout)")

        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 2, "\(migrate.stdout)\(migrate.stderr)")
        #expect(migrate.stderr.contains("\(file):1: a draft (`-- cutover:draft`), so migrate stopped before it"), "\(migrate.stderr)")
        #expect(migrate.stderr.contains("-- cutover:draft"))
        #expect(try await cli.fixture.tableExists("users"), "what comes before the draft is applied")
        let after = try await cli.run("status", "--json")
        #expect(after.stdout.contains("\"state\": \"applied\"") && after.stdout.contains("\"state\": \"draft\""), "\(after.stdout)")
        await cli.cleanUp()
    }

    @Test("an up section with only comments applies as a no-op, with a note in lint and validate", arguments: TestBackend.all)
    func noOpMigration(backend: TestBackend) async throws {
        let cli = try await project(backend)
        try cli.fixture.write("1_in_app.sql", "-- cutover:up\n-- The data is moved by the application; nothing to run here.\n-- cutover:down\n")
        let note = "1_in_app.sql:1: note[no-statements]: no statements: recorded as applied without running anything"
        let lint = try await cli.run("lint")
        #expect(lint.status == 0 && lint.stdout.contains(note), "\(lint.stdout)\(lint.stderr)")
        let validate = try await cli.run("validate")
        #expect(validate.status == 0 && validate.stdout.contains(note), "\(validate.stdout)\(validate.stderr)")
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("applied 1 migration"))
        let status = try await cli.json("status")
        let rows = try #require(status["migrations"] as? [[String: Any]])
        #expect(rows.first?["state"] as? String == "applied")
        #expect(rows.first?["checksum"] as? String == Checksum.of(fileContents: "-- cutover:up\n-- The data is moved by the application; nothing to run here.\n-- cutover:down\n"))
        await cli.cleanUp()
    }

    @Test("rollback refuses an empty down section below a schema change, naming the file; lint and validate warn", arguments: TestBackend.all)
    func emptyDown(backend: TestBackend) async throws {
        let cli = try await project(backend)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer);\n-- cutover:down\nDROP TABLE users;\n")
        try cli.fixture.write("2_email.sql", "-- cutover:up\nALTER TABLE users ADD COLUMN email text;\n-- cutover:down\n-- (left as cutover new wrote it)\n")
        let lint = try await cli.run("lint")
        #expect(lint.stdout.contains("2_email.sql:3: warning[empty-down]"), "\(lint.stdout)")
        #expect(try await cli.run("migrate").status == 0)
        let validate = try await cli.run("validate")
        #expect(validate.status == 0 && validate.stdout.contains("2_email.sql:3: warning[empty-down]"), "\(validate.stdout)")

        let rollback = try await cli.run("rollback", "--yes")
        #expect(rollback.status == 2, "\(rollback.stdout)\(rollback.stderr)")
        #expect(rollback.stderr.contains("2_email.sql"))
        #expect(rollback.stderr.contains("-- cutover:down empty"))
        #expect(!rollback.stdout.contains("rolled back"))
        let status = try await cli.run("status", "--json")
        #expect(!status.stdout.contains("\"state\": \"pending\""), "still applied: \(status.stdout)")
        #expect(try catalogCount(cli) == 1, "only migrate's backup: the refusal came before rollback's")
        await cli.cleanUp()
    }

    @Test("rollback: refuses without a terminal unless --yes, --dry-run changes nothing, the backup comes first", arguments: TestBackend.all)
    func confirmationDryRunBackup(backend: TestBackend) async throws {
        let cli = try await project(backend)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer);\nINSERT INTO users VALUES (1);\n-- cutover:down\nDROP TABLE users;\n")
        #expect(try await cli.run("migrate", "--no-backup").status == 0)

        let unconfirmed = try await cli.run("rollback")
        #expect(unconfirmed.status == 2, "\(unconfirmed.stderr)")
        #expect(unconfirmed.stderr.contains("--yes"), "\(unconfirmed.stderr)")
        #expect(try await cli.fixture.tableExists("users"))

        let dryRun = try await cli.run("rollback", "--dry-run")
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would roll back 1_users.sql: 1 statement"), "\(dryRun.stdout)")
        #expect(try await cli.fixture.tableExists("users"))
        #expect(try catalogCount(cli) == 0)

        let result = try await cli.run("rollback", "--yes", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["backup"] is String, "\(result.stdout)")
        #expect((object["rolled_back"] as? [[String: Any]])?.first?["id"] as? String == "1")
        #expect(try await !cli.fixture.tableExists("users"))
        #expect(try catalogCount(cli) == 1)
        await cli.cleanUp()
    }

    @Test("on a terminal rollback asks: anything but y cancels with exit 1, y rolls back (util-linux `script` gives it a terminal)")
    func terminalConfirmation() async throws {
        let cli = try await project(.sqlite)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer);\n-- cutover:down\nDROP TABLE users;\n")
        #expect(try await cli.run("migrate").status == 0)
        let no = try Self.onTerminal("\(CutoverProcess.executable) rollback", answer: "n\n", in: cli.folder)
        #expect(no.status == 1, "\(no.output)")
        #expect(no.output.contains("about to roll back on test"), "\(no.output)")
        #expect(no.output.contains("1_users.sql: 1 statement"))
        #expect(no.output.contains("a backup is taken first ([backup] mode = before)"))
        #expect(no.output.contains("rollback cancelled; nothing was changed"))
        #expect(try await cli.fixture.tableExists("users"))
        #expect(try catalogCount(cli) == 1, "only migrate's backup")
        let yes = try Self.onTerminal("\(CutoverProcess.executable) rollback", answer: "y\n", in: cli.folder)
        #expect(yes.status == 0, "\(yes.output)")
        #expect(yes.output.contains("rolled back 1_users"))
        #expect(try await !cli.fixture.tableExists("users"))
        #expect(try catalogCount(cli) == 2, "the backup before rollback")
        await cli.cleanUp()
    }

    /// Runs `command` with a pseudo-terminal as its standard input (`script -qec`), typing `answer`.
    private static func onTerminal(_ command: String, answer: String, in folder: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(answer.utf8))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    private func catalogCount(_ cli: CLIFixture) throws -> Int {
        let path = cli.folder + "/backups/catalog.json"
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return (object?["backups"] as? [[String: Any]])?.count ?? 0
    }
}
