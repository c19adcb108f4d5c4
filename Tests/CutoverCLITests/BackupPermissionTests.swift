import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Backups hold all the data: whatever the umask, the backup folder is 0700 and every file
/// in it 0600.
@Suite("backup folder permissions under umask 000")
struct BackupPermissionTests {
    private func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o7777
    }

    private func run(_ cli: CLIFixture, _ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try KillableCutover.start(arguments, in: cli.folder, umask: 0)
        defer { process.cleanUp() }
        let status = await process.wait()
        return (status, process.output.stdout, process.output.stderr)
    }

    @Test("an existing 0755 folder is tightened to 0700 with a notice; catalog, lock, dump and schema files are 0600", arguments: TestBackend.all)
    func existingFolder(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let folder = cli.folder + "/backups"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)

        let first = try await run(cli, "backup")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("restricted it to its owner"), "\(first.stderr)")
        #expect(mode(folder) == 0o700)
        let catalog = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/catalog.json"))) as? [String: Any]
        let id = try #require((catalog?["backups"] as? [[String: Any]])?.first?["id"] as? String)
        // A restore over the live database takes a safety backup and rewrites the catalog;
        // verify writes it again.
        let restored = try await run(cli, "restore", id, "--force")
        #expect(restored.status == 0, "\(restored.stderr)")
        let verified = try await run(cli, "backup", "verify", id)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.contains("catalog.json"))
        #expect(files.contains { $0.hasSuffix(".schema.txt") })
        for file in files {
            #expect(mode(folder + "/" + file) == 0o600, "\(file) has mode \(String(mode(folder + "/" + file), radix: 8))")
        }
        let second = try await run(cli, "backup")
        #expect(!second.stderr.contains("restricted"), "a 0700 folder is left as it is")
        if backend.name == "postgres" {
            let base = cli.fixture.url.database ?? ""
            for row in try await PostgresCluster.shared.queryAsSuperuser("SELECT datname FROM pg_database WHERE datname LIKE '\(base)_%'") {
                if let name = row.string("datname") { await PostgresCluster.shared.dropDatabase(cli.fixture.url.withDatabase(name)) }
            }
        }
        await cli.cleanUp()
    }

    @Test("a new backup folder is created 0700 under umask 000")
    func newFolder() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [backup]
            dir = "deep/backups"
            [env.test]
            url = "sqlite:test.sqlite3"
            """)
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)
        let result = try await run(cli, "backup")
        #expect(result.status == 0, "\(result.stderr)")
        let folder = cli.folder + "/deep/backups"
        #expect(mode(folder) == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
            #expect(mode(folder + "/" + file) == 0o600, "\(file)")
        }
        await cli.cleanUp()
    }
}
