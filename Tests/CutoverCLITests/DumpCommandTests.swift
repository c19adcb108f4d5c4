import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("[dump] schema and cutover dump")
struct DumpCommandTests {
    /// A project whose cutover.toml has `[dump]` with `dump` as its body (nil: no `[dump]`).
    static func project(_ backend: TestBackend, dump: String? = "schema = \"schema.sql\"") async throws -> CLIFixture {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "test"
            [safety]
            lock_timeout = "5s"
            [env.test]
            url = "\(cli.fixture.configURL)"
            \(dump.map { "[dump]\n" + $0 } ?? "")
            """)
        return cli
    }

    static func read(_ cli: CLIFixture, _ name: String = "schema.sql") throws -> String {
        try String(contentsOfFile: cli.fixture.directory.path(name), encoding: .utf8)
    }

    /// The lines after the last statement: the applied ids.
    static func appliedLines(_ text: String) -> [String] {
        Array(text.split(separator: "\n").reversed().prefix { $0.hasPrefix("-- cutover: applied ") }.reversed()).map(String.init)
    }

    @Test("migrate writes schema.sql: the tables, Cutover's tables left out, the applied ids at the end; the next migrate adds to it", arguments: TestBackend.all)
    func migrateWritesSchema(backend: TestBackend) async throws {
        let cli = try await Self.project(backend)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);")

        let first = try await cli.run("migrate")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("wrote schema.sql"), "\(first.stderr)")
        let text = try Self.read(cli)
        #expect(text.contains("CREATE TABLE"), "\(text)")
        #expect(text.contains("users") && text.contains("email"), "\(text)")
        #expect(!text.contains("history") && !text.contains("schema_check") && !text.contains("\"cutover\""), "\(text)")
        // What every new database has is not the migrations' doing.
        #expect(!text.contains("CREATE SCHEMA") && !text.contains("plpgsql"), "\(text)")
        #expect(text.hasSuffix("\n-- cutover: applied 1_create_users\n"), "\(text)")
        #expect(Self.appliedLines(text) == ["-- cutover: applied 1_create_users"])

        try cli.fixture.write("2_create_posts.sql", "CREATE TABLE posts (id integer PRIMARY KEY, title text);")
        let second = try await cli.json("migrate")
        let dump = second["schema_dump"] as? [String: Any]
        #expect(dump?["path"] as? String == "schema.sql", "\(second)")
        #expect(dump?["written"] as? Bool == true, "\(second)")
        #expect(dump?["applied"] as? [String] == ["1", "2"], "\(second)")
        let next = try Self.read(cli)
        #expect(next.contains("users") && next.contains("posts") && next.contains("title"), "\(next)")
        #expect(Self.appliedLines(next) == ["-- cutover: applied 1_create_users", "-- cutover: applied 2_create_posts"], "\(next)")
    }

    @Test("identical databases give byte-identical files; an unchanged schema leaves the file untouched", arguments: TestBackend.all)
    func deterministic(backend: TestBackend) async throws {
        let one = try await Self.project(backend)
        let two = try await Self.project(backend)
        defer { Task { await one.cleanUp(); await two.cleanUp() } }
        for cli in [one, two] {
            try cli.fixture.write("1_create_users.sql", """
                CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text DEFAULT 'x');
                CREATE INDEX users_name ON users (name);
                CREATE VIEW named AS SELECT id, name FROM users;
                """)
            try cli.fixture.write("2_create_posts.sql", "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id));")
            let run = try await cli.run("migrate")
            #expect(run.status == 0, "\(run.stderr)")
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: one.fixture.directory.path("schema.sql")))
        let second = try Data(contentsOf: URL(fileURLWithPath: two.fixture.directory.path("schema.sql")))
        #expect(first == second, "\(String(decoding: first, as: UTF8.self))\n---\n\(String(decoding: second, as: UTF8.self))")
        #expect(!first.isEmpty)

        // Nothing changed: the file keeps its inode (no rename over it) and its bytes.
        let path = one.fixture.directory.path("schema.sql")
        let before = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        let again = try await one.json("migrate")
        #expect((again["schema_dump"] as? [String: Any])?["written"] as? Bool == false, "\(again)")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
    }

    @Test("without [dump] schema, migrate writes no file", arguments: TestBackend.all)
    func noSettingNoFile(backend: TestBackend) async throws {
        let cli = try await Self.project(backend, dump: nil)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        let result = try await cli.json("migrate")
        #expect(result["ok"] as? Bool == true, "\(result)")
        #expect(result["schema_dump"] is NSNull, "\(result)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.folder)
        #expect(!files.contains { $0.hasSuffix(".sql") }, "\(files)")
    }

    @Test("cutover dump --output writes the file; without a path it prints the same text", arguments: TestBackend.all)
    func dumpCommand(backend: TestBackend) async throws {
        let cli = try await Self.project(backend, dump: nil)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        #expect(try await cli.run("migrate").status == 0)

        let written = try await cli.run("dump", "--output", "x.sql")
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("wrote x.sql"), "\(written.stdout)")
        let text = try Self.read(cli, "x.sql")
        #expect(text.contains("users"), "\(text)")
        #expect(Self.appliedLines(text) == ["-- cutover: applied 1_create_users"], "\(text)")

        let printed = try await cli.run("dump")
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout == text)
        #expect(!FileManager.default.fileExists(atPath: cli.fixture.directory.path("schema.sql")))

        let unchanged = try await cli.json("dump", "--output", "x.sql")
        #expect(unchanged["written"] as? Bool == false, "\(unchanged)")
    }

    @Test("rollback rewrites the file without the rolled-back table and id", arguments: TestBackend.all)
    func rollbackRewrites(backend: TestBackend) async throws {
        let cli = try await Self.project(backend)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_create_users.sql", "-- cutover:up\nCREATE TABLE users (id integer PRIMARY KEY);\n-- cutover:down\nDROP TABLE users;")
        try cli.fixture.write("2_create_posts.sql", "-- cutover:up\nCREATE TABLE posts (id integer PRIMARY KEY);\n-- cutover:down\nDROP TABLE posts;")
        #expect(try await cli.run("migrate").status == 0)
        #expect(try Self.read(cli).contains("posts"))
        let rollback = try await cli.run("rollback", "--yes")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let text = try Self.read(cli)
        #expect(!text.contains("posts"), "\(text)")
        #expect(Self.appliedLines(text) == ["-- cutover: applied 1_create_users"], "\(text)")
    }

    @Test("a schema file that cannot be written: the migrations stay applied, exit 2 names the path", arguments: TestBackend.all)
    func unwritable(backend: TestBackend) async throws {
        let cli = try await Self.project(backend, dump: "schema = \"missing/schema.sql\"")
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")
        let result = try await cli.run("migrate")
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("applied 1 migration"), "\(result.stdout)")
        #expect(result.stderr.contains("migrate succeeded"), "\(result.stderr)")
        #expect(result.stderr.contains("missing/schema.sql"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: create the folder"), "\(result.stderr)")
        #expect(try await cli.fixture.tableExists("users"))

        try cli.fixture.write("2_create_posts.sql", "CREATE TABLE posts (id integer PRIMARY KEY);")
        let json = try await cli.json("migrate")
        #expect(json["ok"] as? Bool == false, "\(json)")
        #expect((json["error"] as? [String: Any])?["code"] as? String == "schema_dump_failed", "\(json)")
        #expect(json["exit_code"] as? Int == 2, "\(json)")
        #expect((json["applied"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["2"], "\(json)")
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "applied"], "\(status)")
    }

    @Test("promote writes the file from the promoted target: the same bytes as the source's", arguments: TestBackend.all)
    func promoteWrites(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        let (production, live) = try await cli.fixture.siblingDatabase(backend.name == "sqlite" ? "production" : "dump_prod")
        defer { Task { await cli.fixture.dropSibling(production); await cli.cleanUp() } }
        try cli.fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "staging"
            [env.staging]
            url = "\(cli.fixture.configURL)"
            [env.production]
            url = "\(live)"
            [dump]
            schema = "schema.sql"
            """)
        try cli.fixture.write("1_create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);")
        #expect(try await cli.run("migrate").status == 0)
        let staging = try Self.read(cli)
        try FileManager.default.removeItem(atPath: cli.fixture.directory.path("schema.sql"))

        let promote = try await cli.json("promote", "--from", "staging", "--to", "production")
        #expect(promote["ok"] as? Bool == true, "\(promote)")
        #expect((promote["schema_dump"] as? [String: Any])?["written"] as? Bool == true, "\(promote)")
        #expect(try Self.read(cli) == staging)
    }

    @Test("an unknown key or a non-string value in [dump] is an error naming the file and line")
    func badKey() async throws {
        let cli = try await Self.project(.sqlite, dump: "schemas = \"schema.sql\"")
        defer { Task { await cli.cleanUp() } }
        let unknown = try await cli.run("status")
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("cutover.toml:8"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("unknown key '[dump] schemas'"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("known keys here: schema"), "\(unknown.stderr)")

        let typed = try await Self.project(.sqlite, dump: "schema = 5")
        defer { Task { await typed.cleanUp() } }
        let wrong = try await typed.run("dump")
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("cutover.toml:8"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("'dump.schema' must be a string"), "\(wrong.stderr)")
    }
}
