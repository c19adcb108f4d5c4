import CutoverCore
import CutoverTestSupport
import Foundation

/// A project folder with `cutover.toml` pointing at a fresh database, driven through the
/// real `cutover` executable.
struct CLIFixture {
    let fixture: MigrationFixture
    var folder: String { fixture.directory.url.path }

    static func make(_ backend: TestBackend, safety: String = "lock_timeout = \"5s\"") async throws -> CLIFixture {
        let fixture = try await MigrationFixture.make(backend)
        let url = backend.name == "sqlite" ? "sqlite:test.sqlite3" : fixture.url.rawText
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [safety]
            \(safety)
            [env.test]
            url = "\(url)"
            """)
        return CLIFixture(fixture: fixture)
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

extension DatabaseURL {
    /// The URL as text including the password, for writing test config files.
    var rawText: String {
        var text = "\(scheme)://"
        if let user { text += user + (password.map { ":\($0)" } ?? "") + "@" }
        text += "\(host ?? "localhost"):\(port ?? 5432)/\(database ?? "")"
        return text
    }
}
