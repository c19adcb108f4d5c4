import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Shell completion: the generated scripts call `cutover ---completion SUBCOMMAND -- OPTION
/// CWORD INDEX WORDS…` for environment names and migration ids.
@Suite("shell completion")
struct CompletionTests {
    @Test("completes environment names and migration ids from the project's cutover.toml")
    func environmentsAndIDs() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("20261101090000_users.sql", "CREATE TABLE users (id integer);")
        try cli.fixture.write("9_early.sql", "CREATE TABLE early (id integer);")
        let ids = try await cli.run("---completion", "migrate", "--", "--to", "3", "0", "cutover", "migrate", "--to", "")
        #expect(ids.status == 0, "\(ids.stderr)")
        #expect(ids.stdout.split(separator: "\n") == ["9", "20261101090000"])
        let repair = try await cli.run("---completion", "repair", "--", "positional@0", "2", "0", "cutover", "repair", "")
        #expect(repair.stdout.split(separator: "\n") == ["9", "20261101090000"])
        let envs = try await cli.run("---completion", "status", "--", "--env", "3", "0", "cutover", "status", "--env", "")
        #expect(envs.stdout.split(separator: "\n") == ["test"])

        // Outside a project nothing is offered, and nothing fails.
        let elsewhere = try TemporaryDirectory()
        defer { elsewhere.remove() }
        let none = try await CutoverProcess.run(["---completion", "status", "--", "--env", "3", "0", "cutover", "status", "--env", ""], in: elsewhere.url.path)
        #expect(none.status == 0 && none.stdout.isEmpty, "\(none.stdout)\(none.stderr)")
        // … unless --config on the line names one.
        let named = try await CutoverProcess.run(
            ["---completion", "status", "--", "--env", "5", "0", "cutover", "status", "--config", cli.folder + "/cutover.toml", "--env", ""], in: elsewhere.url.path)
        #expect(named.stdout.split(separator: "\n") == ["test"])
    }

    @Test("the completion scripts for bash, zsh and fish are generated")
    func scripts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for shell in ["bash", "zsh", "fish"] {
            let script = try await CutoverProcess.run(["--generate-completion-script", shell], in: directory.url.path)
            #expect(script.status == 0, "\(shell): \(script.stderr)")
            #expect(script.stdout.contains("---completion"), "\(shell) completes from cutover itself")
        }
    }
}
