import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover db create | drop | wait")
struct DbCommandTests {
    /// A project whose env names a database that does not exist yet.
    static func project(_ backend: TestBackend) async throws -> (CLIFixture, DatabaseURL) {
        let cli = try await CLIFixture.make(backend)
        let url = backend.name == "sqlite"
            ? try DatabaseURL("sqlite:" + cli.fixture.directory.path("fresh.sqlite3"))
            : cli.fixture.url.withDatabase((cli.fixture.url.database ?? "t") + "_fresh")
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [env.test]
            url = "\(url.rawText)"
            """)
        return (cli, url)
    }

    @Test("wait, create, migrate, drop: each says what it did and is safe to run twice", arguments: TestBackend.all)
    func lifecycle(backend: TestBackend) async throws {
        let (cli, url) = try await Self.project(backend)
        defer { Task { await cli.cleanUp(); if backend.name == "postgres" { await PostgresCluster.shared.dropDatabase(url) } } }
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);")

        if backend.name == "postgres" {
            // The server answers; the database is not there yet.
            let wait = try await cli.json("db", "wait", "--timeout", "10s")
            #expect(wait["ok"] as? Bool == true)
            #expect(wait["database_missing"] as? Bool == true)
        }
        let created = try await cli.json("db", "create")
        #expect(created["created"] as? Bool == true, "\(created)")
        #expect(try await cli.json("db", "create")["created"] as? Bool == false)
        let migrate = try await cli.run("migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")

        // Dropping asks; without a terminal and without --yes it refuses and drops nothing.
        let refused = try await cli.run("db", "drop")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pass --yes"), "\(refused.stderr)")
        #expect(try await cli.json("status")["ok"] as? Bool != false)

        let dropped = try await cli.json("db", "drop", "--yes")
        #expect(dropped["dropped"] as? Bool == true, "\(dropped)")
        #expect(try await cli.json("db", "drop", "--yes")["dropped"] as? Bool == false)
        if backend.name == "sqlite" {
            #expect(!FileManager.default.fileExists(atPath: url.path))
        } else {
            let rows = try await PostgresCluster.shared.queryAsSuperuser("SELECT 1 AS x FROM pg_database WHERE datname = '\(url.database ?? "")'")
            #expect(rows.isEmpty)
        }
    }

    @Test("PostgreSQL: drop refuses while another session is connected, naming it")
    func dropInUse() async throws {
        let (cli, url) = try await Self.project(.postgres)
        defer { Task { await cli.cleanUp(); await PostgresCluster.shared.dropDatabase(url) } }
        #expect(try await cli.run("db", "create").status == 0)
        let session = try await TestBackend.open(url)
        let refused = try await cli.run("db", "drop", "--yes")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("1 other session is connected"), "\(refused.stderr)")
        await session.close()
        // The server ends that backend on its own time: wait (bounded) until it is gone.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline,
            try await !PostgresCluster.shared.queryAsSuperuser("SELECT 1 AS x FROM pg_stat_activity WHERE datname = '\(url.database ?? "")'").isEmpty {
            await Task.yield()
        }
        let dropped = try await cli.run("db", "drop", "--yes")
        #expect(dropped.status == 0, "\(dropped.stderr)")
    }

    @Test("wait gives up after --timeout on a port nobody listens on, with exit 4")
    func waitTimesOut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [env.test]
            url = "postgres://app:secret@127.0.0.1:1/shop?connect_timeout=1"
            """)
        let result = try await CutoverProcess.run(["db", "wait", "--timeout", "1s"], in: directory.url.path)
        #expect(result.status == 4)
        #expect(result.stderr.contains("did not answer within 1 s"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }
}
