import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover init")
struct InitCommandTests {
    @Test("writes a .gitignore for the backup folder and the SQLite dev database, keeping what is there")
    func gitIgnore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(".gitignore", "node_modules/\n/backups/")
        let result = try await CutoverProcess.run(["init"], in: directory.url.path)
        #expect(result.status == 0, "\(result.stderr)")
        let ignore = try String(contentsOfFile: directory.path(".gitignore"), encoding: .utf8)
        #expect(ignore.hasPrefix("node_modules/\n/backups/\n"), "what was there is kept: \(ignore)")
        #expect(ignore.components(separatedBy: "/backups/").count == 2, "not repeated: \(ignore)")
        for line in ["/dev.sqlite3", "/dev.sqlite3-wal", "/dev.sqlite3-shm", "/dev.sqlite3-journal"] {
            #expect(ignore.split(separator: "\n").contains(Substring(line)), "\(line) in \(ignore)")
        }
        #expect(result.stdout.contains("added to \(directory.path(".gitignore"))"))
        // The same project's SQLite database and backups: in place, and ignored.
        let migrate = try await CutoverProcess.run(["migrate"], in: directory.url.path)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path("dev.sqlite3")))
    }

    @Test("a --url with a password is written with a ${VAR} reference, never the password; the variable supplies it")
    func noPasswordInConfig() async throws {
        let fixture = try await MigrationFixture.make(.postgres)
        defer { Task { await fixture.cleanUp() } }
        let directory = fixture.directory.path("project")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let password = try #require(fixture.url.password)
        let given = fixture.url.rawText
        let result = try await CutoverProcess.run(["init", "--url", given], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try String(contentsOfFile: directory + "/cutover.toml", encoding: .utf8)
        #expect(!config.contains(password), "\(config)")
        #expect(config.contains("url = \"postgres://\(fixture.url.user ?? ""):${CUTOVER_DEV_PASSWORD}@"), "\(config)")
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        #expect(result.stdout.contains("export CUTOVER_DEV_PASSWORD="))
        // Without the variable the config says which one is missing; with it, it connects.
        let missing = try await CutoverProcess.run(["status"], in: directory)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("CUTOVER_DEV_PASSWORD"), "\(missing.stderr)")
        let status = try await CutoverProcess.run(["status"], in: directory, environment: ["CUTOVER_DEV_PASSWORD": password])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(!status.stdout.contains(password) && !status.stderr.contains(password))
    }
}
