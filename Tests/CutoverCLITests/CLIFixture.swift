import CutoverCore
import CutoverTestSupport
import Foundation

/// A project folder with `cutover.toml` pointing at a fresh database, driven through the
/// real `cutover` executable.
struct CLIFixture {
    let fixture: MigrationFixture
    var folder: String { fixture.directory.url.path }

    static func make(_ backend: TestBackend, safety: String = "lock_timeout = \"5s\"") async throws -> CLIFixture {
        let cli = CLIFixture(fixture: try await MigrationFixture.make(backend))
        try cli.writeConfig(safety: safety)
        return cli
    }

    /// Writes the folder's `cutover.toml`: the fixture's database as env `test` (the
    /// default), with `safety` as the `[safety]` table.
    func writeConfig(safety: String) throws {
        // A minute to connect: the whole suite at once can keep the server from accepting a
        // session within the default 10 s. No CLI test measures that timeout through here.
        let connectTimeout = safety.contains("connect_timeout") ? "" : "connect_timeout = \"60s\"\n"
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [safety]
            \(connectTimeout)\(safety)
            [env.test]
            url = "\(fixture.configURL)"
            """)
    }

    func run(_ arguments: String..., environment: [String: String] = [:]) async throws -> CutoverProcess.Result {
        try await CutoverProcess.run(arguments, in: folder, environment: environment)
    }

    func json(_ arguments: String...) async throws -> [String: Any] {
        let result = try await CutoverProcess.run(arguments + ["--json"], in: folder)
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw CutoverError(.ioFailed, "not a JSON object: \(result.stdout)\n\(result.stderr)")
        }
        return object
    }

    func cleanUp() async { await fixture.cleanUp() }
}

extension CLIFixture {
    static func rawText(_ url: DatabaseURL) -> String { url.rawText }
}

extension MigrationFixture {
    /// How a `cutover.toml` in the fixture's folder names the fixture's database.
    var configURL: String { backend.name == "sqlite" ? "sqlite:test.sqlite3" : url.rawText }

    /// A second, empty database of the fixture's backend (a file in its folder, or a new
    /// database on the shared cluster), and how a `cutover.toml` in the folder names it.
    func siblingDatabase(_ name: String) async throws -> (url: DatabaseURL, configURL: String) {
        if backend.name == "sqlite" {
            return (try DatabaseURL("sqlite:" + directory.path("\(name).sqlite3")), "sqlite:\(name).sqlite3")
        }
        let url = try await PostgresCluster.shared.makeDatabase(prefix: name)
        return (url, url.rawText)
    }

    /// Drops a database made by ``siblingDatabase(_:)`` (a SQLite file goes with the folder).
    func dropSibling(_ url: DatabaseURL) async {
        if backend.name == "postgres" { await PostgresCluster.shared.dropDatabase(url) }
    }
}
