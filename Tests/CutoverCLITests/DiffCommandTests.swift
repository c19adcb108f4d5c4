import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `cutover diff A B`, run as a user runs it.
@Suite("cutover diff")
struct DiffCommandTests {
    /// A project with two environments, `a` and `b`, on two fresh databases of `backend`.
    struct Project {
        let fixture: MigrationFixture
        let urlB: DatabaseURL
        var folder: String { fixture.directory.url.path }

        static func make(_ backend: TestBackend) async throws -> Project {
            let fixture = try await MigrationFixture.make(backend)
            let (urlB, b) = try await fixture.siblingDatabase(backend.name == "sqlite" ? "b" : "diff_b")
            let a = fixture.configURL
            try fixture.directory.write("cutover.toml", """
                migrations = "migrations"
                default_env = "a"
                [env.a]
                url = "\(a)"
                [env.b]
                url = "\(b)"
                """)
            return Project(fixture: fixture, urlB: urlB)
        }

        func execute(on url: DatabaseURL, _ statements: [String]) async throws {
            let database = try await TestBackend.open(url)
            for statement in statements { try await database.execute(statement) }
            await database.close()
        }

        func run(_ arguments: String...) async throws -> CutoverProcess.Result {
            try await CutoverProcess.run(arguments, in: folder)
        }

        func cleanUp() async {
            await fixture.dropSibling(urlB)
            await fixture.cleanUp()
        }
    }

    @Test("identical, then different (exit 3), then the --sql output applied with migrate makes them identical", arguments: TestBackend.all)
    func workflow(backend: TestBackend) async throws {
        let project = try await Project.make(backend)
        let table = "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL)"
        try await project.execute(on: project.fixture.url, [table])
        try await project.execute(on: project.urlB, [table])
        let same = try await project.run("diff", "a", "b")
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("the schemas are identical"))

        try await project.execute(on: project.urlB, [
            "ALTER TABLE users ADD COLUMN nickname text",
            "CREATE INDEX users_email ON users (email)",
            "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id))",
        ])
        let different = try await project.run("diff", "a", "b")
        #expect(different.status == 3, "\(different.stderr)")
        let prefix = backend.name == "sqlite" ? "" : "public."
        #expect(different.stdout.contains("+ table \(prefix)orders"))
        #expect(different.stdout.lowercased().contains("+ column \(prefix)users.nickname: text"))
        #expect(different.stdout.contains("+ index \(prefix)users_email on \(prefix)users"))
        #expect(different.stdout.contains("3 added, 0 removed, 0 changed"))

        let json = try await project.run("diff", "a", "b", "--json")
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["identical"] as? Bool == false)
        #expect((object["from"] as? [String: Any])?["env"] as? String == "a")
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.map { $0["action"] as? String } == ["added", "added", "added"])
        #expect(Set(changes.compactMap { $0["kind"] as? String }) == ["table", "column", "index"])

        let sql = try await project.run("diff", "a", "b", "--sql")
        #expect(sql.status == 3)
        #expect(sql.stdout.hasPrefix("-- cutover diff: DDL that turns a ("))
        // The script runs statement by statement (SQLite's PRAGMAs and PostgreSQL's
        // CREATE INDEX CONCURRENTLY only work outside a transaction), as a no-transaction migration.
        try project.fixture.write("1_sync.sql", "-- cutover:no-transaction\n" + sql.stdout)
        // Cutover's own lint, with no database and so no excuse for any table, accepts it.
        let lint = try await project.run("lint", "migrations/1_sync.sql", "--dialect", backend.name == "sqlite" ? "sqlite" : "postgresql")
        #expect(lint.status == 0, "\(lint.stdout)\n\(sql.stdout)")
        if backend.name == "postgres" {
            #expect(sql.stdout.contains("CREATE INDEX CONCURRENTLY users_email"), "\(sql.stdout)")
            #expect(sql.stdout.contains("cutover lint: no statement here takes a long lock on a live table"))
        }
        let migrate = try await project.run("--env", "a", "migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)\n\(sql.stdout)")
        let after = try await project.run("diff", "a", "b")
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        // Cutover's history table appears only when asked for.
        let own = try await project.run("diff", "a", "b", "--include-cutover")
        #expect(own.status == 3)
        #expect(own.stdout.contains(backend.name == "sqlite" ? "- table cutover_history" : "- table cutover.history"))
        await project.cleanUp()
    }

    @Test("--sql on PostgreSQL writes the live-safe forms Cutover's lint accepts, and names the statements that have none")
    func liveSafeScript() async throws {
        let project = try await Project.make(.postgres)
        let tables = [
            "CREATE TABLE users (id integer PRIMARY KEY, email text)",
            "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, total integer)",
            "CREATE INDEX orders_total ON orders (total)",
        ]
        try await project.execute(on: project.fixture.url, tables + ["INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) AS g",
                                                                     "INSERT INTO orders SELECT g, g, g FROM generate_series(1, 100) AS g"])
        try await project.execute(on: project.urlB, tables + [
            "CREATE INDEX users_email ON users (email)",
            "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id)",
            "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0)",
            "DROP INDEX orders_total",
        ])
        let sql = try await project.run("diff", "a", "b", "--sql")
        #expect(sql.status == 3)
        let text = sql.stdout
        #expect(text.contains("SET lock_timeout = '2s';"), "\(text)")
        #expect(text.contains("CREATE INDEX CONCURRENTLY users_email ON public.users"), "\(text)")
        #expect(text.contains("DROP INDEX CONCURRENTLY \"public\".\"orders_total\";"), "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("ADD CONSTRAINT \"orders_user\" FOREIGN KEY (user_id) REFERENCES ") && $0.hasSuffix(" NOT VALID;") }, "\(text)")
        #expect(lines.contains { $0.contains("ADD CONSTRAINT \"orders_total_positive\" CHECK ") && $0.hasSuffix(" NOT VALID;") })
        #expect(text.contains("VALIDATE CONSTRAINT \"orders_user\";"))
        #expect(text.contains("VALIDATE CONSTRAINT \"orders_total_positive\";"))
        #expect(text.contains("run it statement by statement"))
        #expect(!text.contains("UNSAFE"))
        try project.fixture.write("1_sync.sql", "-- cutover:no-transaction\n" + text)
        let lint = try await project.run("lint", "migrations/1_sync.sql")
        #expect(lint.status == 0, "\(lint.stdout)")
        let migrate = try await project.run("--env", "a", "migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)\n\(text)")
        #expect(try await project.run("diff", "a", "b").status == 0)

        // A change with no safe form is named in the header and above the statement.
        try await project.execute(on: project.urlB, ["ALTER TABLE orders ALTER COLUMN total TYPE bigint"])
        let unsafe = try await project.run("diff", "a", "b", "--sql")
        #expect(unsafe.stdout.contains("-- UNSAFE on a live database: 1 statement that cutover lint reports as errors:"), "\(unsafe.stdout)")
        #expect(unsafe.stdout.contains("[changing-column-type]"))
        #expect(unsafe.stdout.contains("-- UNSAFE [changing-column-type]: "))
        let json = try await project.run("diff", "a", "b", "--sql", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let unsafeList = try #require((object["sql"] as? [String: Any])?["unsafe"] as? [[String: Any]])
        #expect(unsafeList.map { $0["rule"] as? String } == ["changing-column-type"])
        await project.cleanUp()
    }

    @Test("dropping a column is a loud WARNING in --sql, and in the JSON statements")
    func dropWarning() async throws {
        let project = try await Project.make(.postgres)
        try await project.execute(on: project.fixture.url, ["CREATE TABLE t (id integer, legacy text)"])
        try await project.execute(on: project.urlB, ["CREATE TABLE t (id integer)"])
        let sql = try await project.run("diff", "a", "b", "--sql")
        #expect(sql.status == 3)
        #expect(sql.stdout.contains("-- WARNING: drops data: column public.t.legacy and every value in it\nALTER TABLE \"public\".\"t\" DROP COLUMN \"legacy\";"))
        let json = try await project.run("diff", "a", "b", "--sql", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let statements = try #require((object["sql"] as? [String: Any])?["statements"] as? [[String: Any]])
        #expect(statements.first?["sql"] as? String == "SET lock_timeout = '2s'", "--sql writes for a live database")
        #expect(statements.filter { $0["drops_data"] as? Bool == true }.count == 1)
        await project.cleanUp()
    }

    /// One side fails to connect while the other connects and introspects: the failure
    /// cancels the other side, which once could wait forever inside postgres-nio's connect
    /// (about one run in eight under load). Each run must end, with exit 4. (The time limit
    /// is for a hang, not a measure: ten runs of a debug build on a loaded machine take a minute.)
    @Test("a side that cannot connect ends the command with exit 4, never a hang", .timeLimit(.minutes(6)))
    func failingSideNeverHangs() async throws {
        let url = try await PostgresCluster.shared.makeDatabase(prefix: "diff_ok")
        let database = try #require(url.database)
        let missing = url.rawText.replacingOccurrences(of: "/\(database)", with: "/no_such_database_\(UInt32.random(in: 0...UInt32.max))")
        let directory = try TemporaryDirectory()
        for round in 0..<10 {
            let (first, second) = round.isMultiple(of: 2) ? (missing, url.rawText) : (url.rawText, missing)
            let result = try await CutoverProcess.run(["diff", first, second], in: directory.url.path)
            #expect(result.status == 4, "round \(round): \(result.stderr)")
        }
        await PostgresCluster.shared.dropDatabase(url)
        directory.remove()
    }

    @Test("URLs work without a config file, and passwords are never printed")
    func urlsAndPasswords() async throws {
        let urlA = try await PostgresCluster.shared.makeDatabase(prefix: "diff_a")
        let urlB = try await PostgresCluster.shared.makeDatabase(prefix: "diff_b")
        let directory = try TemporaryDirectory()
        let b = try await TestBackend.open(urlB)
        try await b.execute("CREATE TABLE t (id integer)")
        await b.close()
        let password = try #require(urlA.password)
        for extra in [[], ["--json"], ["--sql"]] {
            let result = try await CutoverProcess.run(["diff", urlA.rawText, urlB.rawText] + extra, in: directory.url.path)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
            #expect(result.stdout.contains(":***@"))
        }
        // A wrong password: exit 4, still not printed.
        let wrong = urlA.rawText.replacingOccurrences(of: ":\(password)@", with: ":not-\(password)@")
        let refused = try await CutoverProcess.run(["diff", wrong, urlB.rawText], in: directory.url.path)
        #expect(refused.status == 4)
        #expect(!refused.stderr.contains(password))
        await PostgresCluster.shared.dropDatabase(urlA)
        await PostgresCluster.shared.dropDatabase(urlB)
        directory.remove()
    }

    @Test("bad input: one database (2), a missing SQLite file (4), SQLite against PostgreSQL (2), an unknown env (2)")
    func badInput() async throws {
        let project = try await Project.make(.sqlite)
        try await project.execute(on: project.fixture.url, ["CREATE TABLE t (id integer)"])
        let one = try await project.run("diff", "a")
        #expect(one.status == 2)
        #expect(one.stderr.contains("diff compares two databases"))
        let missing = try await project.run("diff", "a", "sqlite:nowhere.sqlite3")
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("nowhere.sqlite3' does not exist"))
        #expect(!FileManager.default.fileExists(atPath: project.fixture.directory.path("nowhere.sqlite3")))
        let postgres = try await PostgresCluster.shared.makeDatabase(prefix: "diff_x")
        let mixed = try await project.run("diff", "a", postgres.rawText, "--json")
        #expect(mixed.status == 2)
        let error = try #require(try JSONSerialization.jsonObject(with: Data(mixed.stdout.utf8)) as? [String: Any])
        #expect((error["error"] as? [String: Any])?["code"] as? String == "dialect_mismatch")
        let unknown = try await project.run("diff", "a", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown environment 'nope'"))
        await PostgresCluster.shared.dropDatabase(postgres)
        await project.cleanUp()
    }
}
