import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover backup, backups, restore and migrate's [backup] mode, as a user runs them")
struct BackupCommandTests {
    /// A project whose cutover.toml has a [backup] section, with two migrations written.
    private func project(_ backend: TestBackend, backup: String) async throws -> CLIFixture {
        let cli = try await CLIFixture.make(backend)
        let url = cli.fixture.configURL
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [backup]
            \(backup)
            [env.test]
            url = "\(url)"
            [safety]
            lock_timeout = "5s"
            """)
        try cli.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\nINSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com');")
        try cli.fixture.write("2_orders.sql", "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));")
        return cli
    }

    private func catalog(_ cli: CLIFixture, dir: String = "backups") throws -> [[String: Any]] {
        let path = cli.folder + "/\(dir)/catalog.json"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return object?["backups"] as? [[String: Any]] ?? []
    }

    @Test("mode = before: migrate backs up first; --no-backup and a run with nothing pending take none", arguments: TestBackend.all)
    func backupBeforeMigrate(backend: TestBackend) async throws {
        let cli = try await project(backend, backup: "mode = \"before\"")
        try cli.fixture.remove("2_orders.sql")
        let first = try await cli.run("migrate")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("→ backup"))
        var backups = try catalog(cli)
        #expect(backups.count == 1)
        #expect(backups.first?["reason"] as? String == "before migrate")
        #expect(backups.first?["last_migration"] is NSNull)

        #expect(try await cli.run("migrate").status == 0)
        #expect(try catalog(cli).count == 1, "nothing pending, no backup")

        try cli.fixture.write("2_orders.sql", "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));")
        let skipped = try await cli.run("migrate", "--no-backup")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try catalog(cli).count == 1)

        try cli.fixture.write("3_more.sql", "CREATE TABLE more (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        backups = try catalog(cli)
        #expect(backups.count == 2)
        #expect(backups.last?["last_migration"] as? String == "2")
        await cli.cleanUp()
    }

    @Test("mode = before-and-after: a backup before and one after the migrations", arguments: TestBackend.all)
    func beforeAndAfter(backend: TestBackend) async throws {
        let cli = try await project(backend, backup: "mode = \"before-and-after\"\ndir = \"dumps\"")
        let result = try await cli.run("migrate")
        #expect(result.status == 0, "\(result.stderr)")
        let backups = try catalog(cli, dir: "dumps")
        #expect(backups.map { $0["reason"] as? String } == ["before migrate", "after migrate"])
        #expect(backups.map { $0["last_migration"] as? String } == [nil, "2"])
        await cli.cleanUp()
    }

    @Test("a backup that fails stops migrate with exit 1 and the database untouched (SQLite: folder not writable)")
    func failedBackupSQLite() async throws {
        let cli = try await project(.sqlite, backup: "mode = \"before\"\ndir = \"blocker/backups\"")
        try cli.fixture.directory.write("blocker", "a file where the backup folder's parent should be")
        // The database exists with data, so the backup has something to read.
        try cli.fixture.write("0_seed.sql", "CREATE TABLE seed (id integer);")
        #expect(try await cli.run("migrate", "--no-backup", "--to", "0").status == 0)
        let result = try await cli.run("migrate")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: "))
        #expect(result.stderr.contains("backup"))
        #expect(result.stderr.contains("blocker/backups"))
        #expect(result.stderr.contains("hint: "))
        #expect(try await !cli.fixture.tableExists("users"))
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String }
        #expect(states == ["applied", "pending", "pending"])
        let json = try await cli.json("migrate")
        #expect((json["error"] as? [String: Any])?["code"] as? String == "backup_failed")
        #expect(json["exit_code"] as? Int == 1)
        await cli.cleanUp()
    }

    @Test("a backup that fails stops migrate with exit 1 and the database untouched (PostgreSQL: pg_dump fails)")
    func failedBackupPostgres() async throws {
        let cli = try await project(.postgres, backup: "mode = \"before\"")
        // A pg_dump first on PATH that claims to be new enough and then fails.
        let fake = try cli.fixture.directory.write("fakebin/pg_dump", """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi
            echo "pg_dump: error: simulated failure for the test" >&2
            exit 1
            """)
        chmod(fake, 0o755)
        let path = cli.fixture.directory.path("fakebin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try await cli.run("migrate", environment: ["PATH": path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("pg_dump failed"))
        #expect(result.stderr.contains("simulated failure"))
        #expect(try await !cli.fixture.tableExists("users"))
        let history = try await cli.fixture.query("SELECT count(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = 'cutover'")
        #expect(history.first?.int("n") == 0, "not even the history table was created")
        #expect(try catalog(cli).isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/backups")
        #expect(files.allSatisfy { !$0.hasSuffix(".partial") && !$0.hasSuffix(".dump") }, "\(files)")
        // Without the broken pg_dump the same run succeeds.
        #expect(try await cli.run("migrate").status == 0)
        await cli.cleanUp()
    }

    @Test("backup, backups --json, verify, restore (new, refused, --force) end to end", arguments: TestBackend.all)
    func workflow(backend: TestBackend) async throws {
        let cli = try await project(backend, backup: "mode = \"off\"\nkeep = 5")
        #expect(try await cli.run("migrate").status == 0)
        let taken = try await cli.json("backup")
        #expect(taken["ok"] as? Bool == true)
        let backup = try #require(taken["backup"] as? [String: Any])
        let id = try #require(backup["id"] as? String)
        #expect(backup["last_migration"] as? String == "2")
        #expect((backup["row_counts"] as? [String: Any])?.count ?? 0 >= 2)

        let list = try await cli.json("backups")
        #expect((list["backups"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        let text = try await cli.run("backups")
        #expect(text.stdout.contains(id))

        let verify = try await cli.run("backup", "verify", id)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("verified"))
        let listed = try await cli.json("backups")
        #expect((listed["backups"] as? [[String: Any]])?.first?["verified_at"] is String)

        // Damage the live database, then restore a copy, then over the live one.
        _ = try await cli.fixture.query("DELETE FROM users WHERE id = 2")
        let copy = try await cli.run("restore", id)
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("restored into"))
        #expect(copy.stdout.contains("_restored_"))
        let again = try await cli.run("restore", id)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already holds"))
        let intoLive = try await cli.run("restore", id, "--into", cli.fixture.configURL)
        #expect(intoLive.status == 2)
        #expect(intoLive.stderr.contains("--force"))
        #expect(try await cli.fixture.query("SELECT count(*) AS n FROM users").first?.int("n") == 1)

        let forced = try await cli.json("restore", id, "--force")
        #expect(forced["ok"] as? Bool == true, "\(forced)")
        #expect(forced["replaced"] as? Bool == true)
        let safety = try #require(forced["safety_backup"] as? String)
        #expect(safety != id)
        #expect(try await cli.fixture.query("SELECT count(*) AS n FROM users").first?.int("n") == 2)
        let all = try await cli.json("backups")
        let reasons = (all["backups"] as? [[String: Any]])?.compactMap { $0["reason"] as? String }
        #expect(reasons?.contains("before restore of \(id)") == true)

        // A mismatching record: verify exits 3.
        let catalogPath = cli.folder + "/backups/catalog.json"
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: catalogPath))) as? [String: Any])
        var records = try #require(object["backups"] as? [[String: Any]])
        let index = try #require(records.firstIndex { $0["id"] as? String == id })
        var counts = try #require(records[index]["row_counts"] as? [String: Any])
        let key = try #require(counts.keys.first { $0.hasSuffix("users") })
        counts[key] = 42
        records[index]["row_counts"] = counts
        object["backups"] = records
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: catalogPath))
        let mismatch = try await cli.run("backup", "verify", id)
        #expect(mismatch.status == 3)
        #expect(mismatch.stdout.contains("does NOT match"))
        #expect(mismatch.stdout.contains("the backup recorded 42"))

        if backend.name == "postgres" {
            let base = cli.fixture.url.database ?? ""
            for row in try await PostgresCluster.shared.queryAsSuperuser("SELECT datname FROM pg_database WHERE datname LIKE '\(base)_restored_%'") {
                if let name = row.string("datname") { await PostgresCluster.shared.dropDatabase(cli.fixture.url.withDatabase(name)) }
            }
        }
        await cli.cleanUp()
    }

    @Test("the password never appears in output, logs or the catalog")
    func passwordNeverPrinted() async throws {
        let cli = try await project(.postgres, backup: "mode = \"before-and-after\"")
        let password = try #require(cli.fixture.url.password)
        var outputs: [CutoverProcess.Result] = []
        outputs.append(try await cli.run("migrate", "--verbose"))
        outputs.append(try await cli.run("backup", "--verbose"))
        outputs.append(try await cli.run("backup", "--json"))
        outputs.append(try await cli.run("backups", "--json"))
        let id = try #require(((try await cli.json("backups"))["backups"] as? [[String: Any]])?.first?["id"] as? String)
        outputs.append(try await cli.run("backup", "verify", id, "--verbose"))
        outputs.append(try await cli.run("restore", id, "--verbose"))
        outputs.append(try await cli.run("restore", id, "--force", "--json"))
        // A failing pg_dump's error output is shown, redacted.
        let fake = try cli.fixture.directory.write("fakebin/pg_dump", "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'pg_dump (PostgreSQL) 99.0'; exit 0; fi\necho \"pg_dump: error: password was $PGPASSWORD\" >&2\nexit 1\n")
        chmod(fake, 0o755)
        let failing = try await cli.run("backup", environment: ["PATH": cli.fixture.directory.path("fakebin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("password was ***"), "\(failing.stderr)")
        outputs.append(failing)
        for result in outputs {
            #expect(!result.stdout.contains(password))
            #expect(!result.stderr.contains(password))
        }
        #expect(outputs.prefix(7).allSatisfy { $0.status == 0 }, "\(outputs.map(\.stderr))")
        for file in try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/backups") where !file.hasSuffix(".dump") {
            let text = (try? String(contentsOfFile: cli.folder + "/backups/" + file, encoding: .utf8)) ?? ""
            #expect(!text.contains(password), "\(file)")
        }
        let base = cli.fixture.url.database ?? ""
        for row in try await PostgresCluster.shared.queryAsSuperuser("SELECT datname FROM pg_database WHERE datname LIKE '\(base)_restored_%'") {
            if let name = row.string("datname") { await PostgresCluster.shared.dropDatabase(cli.fixture.url.withDatabase(name)) }
        }
        await cli.cleanUp()
    }

    @Test("a bad [backup] key exits 2 naming file and line")
    func badConfig() async throws {
        let cli = try await project(.sqlite, backup: "mode = \"sometimes\"")
        let result = try await cli.run("migrate")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cutover.toml:4"))
        #expect(result.stderr.contains("backup.mode"))
        #expect(result.stderr.contains("before-and-after"))
        await cli.cleanUp()
    }
}
