import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// SQLite URLs with URI parameters are refused (exit 2) instead of half-honoured, and a
/// command that fails with bad input leaves no new database file behind.
@Suite("SQLite URLs and files a failing command must not create")
struct SQLiteURLTests {
    private func project(url: String) async throws -> CLIFixture {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [env.test]
            url = "\(url)"
            """)
        return cli
    }

    private func files(_ cli: CLIFixture) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cli.folder)) ?? []).filter { $0 != "cutover.toml" && $0 != "migrations" }.sorted()
    }

    @Test("URI parameters and nested file: URIs exit 2 and create no file", arguments: [
        "sqlite:file:x.db?mode=ro", "sqlite:x.db?mode=memory", "sqlite:file:x.db", "file:x.db?cache=shared", "sqlite:x.db?",
    ])
    func refusedURL(url: String) async throws {
        let cli = try await project(url: url)
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        for command in [["migrate"], ["status"]] {
            let result = try await cli.run(command[0])
            #expect(result.status == 2, "\(url) \(command): \(result.stderr)")
            #expect(result.stderr.contains("not support"), "\(result.stderr)")
            #expect(result.stderr.contains("hint: "))
        }
        #expect(files(cli).isEmpty, "\(files(cli))")
        await cli.cleanUp()
    }

    @Test("the parser refuses SQLite URI parameters and keeps plain paths")
    func parser() throws {
        #expect(throws: CutoverError.self) { try DatabaseURL("sqlite:x.db?mode=memory") }
        #expect(throws: CutoverError.self) { try DatabaseURL("sqlite:file:x.db") }
        #expect(try DatabaseURL("sqlite:x.db").path == "x.db")
        #expect(try DatabaseURL("sqlite:///tmp/x.db").path == "/tmp/x.db")
        #expect(try DatabaseURL("sqlite::memory:").isInMemory)
    }

    @Test("a command failing with bad input creates no database file", arguments: ["duplicate ids", "missing folder", "unknown --to"])
    func noFileOnBadInput(problem: String) async throws {
        let cli = try await project(url: "sqlite:new.sqlite3")
        var arguments = ["migrate"]
        switch problem {
        case "duplicate ids":
            try cli.fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
            try cli.fixture.write("1_b.sql", "CREATE TABLE b (id integer);")
        case "missing folder":
            try FileManager.default.removeItem(atPath: cli.fixture.migrationsPath)
        default:
            try cli.fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
            arguments += ["--to", "99"]
        }
        // `status` on a missing file is no error; it runs only where the input is bad for it too.
        for command in problem == "unknown --to" ? [arguments] : [arguments, ["status"]] {
            let result = try await CutoverProcess.run(command, in: cli.folder)
            #expect(result.status == 2, "\(problem) \(command): \(result.stdout)\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/new.sqlite3"), "\(problem): \(files(cli))")
        #expect(files(cli).isEmpty, "\(files(cli))")
        await cli.cleanUp()
    }
}
