import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `cutover promote --from staging --to production`, run as a user runs it.
@Suite("cutover promote")
struct PromoteCommandTests {
    /// A project with `staging` and `production` on two fresh databases of `backend`.
    struct Project {
        let fixture: MigrationFixture
        let production: DatabaseURL
        var staging: DatabaseURL { fixture.url }
        var folder: String { fixture.directory.url.path }

        static func make(_ backend: TestBackend) async throws -> Project {
            let fixture = try await MigrationFixture.make(backend)
            let (production, live) = try await fixture.siblingDatabase(backend.name == "sqlite" ? "production" : "promote_prod")
            let staging = fixture.configURL
            try fixture.directory.write("cutover.toml", """
                migrations = "migrations"
                default_env = "staging"
                [safety]
                lock_timeout = "5s"
                [env.staging]
                url = "\(staging)"
                [env.production]
                url = "\(live)"
                """)
            try fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);")
            try fixture.write("2_orders.sql", "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));")
            try fixture.write("3_note.sql", "ALTER TABLE orders ADD COLUMN note text;")
            return Project(fixture: fixture, production: production)
        }

        func run(_ arguments: String...) async throws -> CutoverProcess.Result {
            try await CutoverProcess.run(arguments, in: folder)
        }

        /// The ids `status --json` reports as applied on `env`.
        func applied(_ env: String) async throws -> [String] {
            try await migrations(env).filter { $0["state"] as? String == "applied" }.compactMap { $0["id"] as? String }
        }

        /// Every migration's state on `env`, in id order.
        func states(_ env: String) async throws -> [String] {
            try await migrations(env).compactMap { $0["state"] as? String }
        }

        private func migrations(_ env: String) async throws -> [[String: Any]] {
            let result = try await run("status", "--env", env, "--json", "--no-drift")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require(object["migrations"] as? [[String: Any]])
        }

        func execute(on url: DatabaseURL, _ sql: String) async throws {
            let database = try await TestBackend.open(url)
            try await database.execute(sql)
            await database.close()
        }

        func cleanUp() async {
            await fixture.dropSibling(production)
            await fixture.cleanUp()
        }
    }

    @Test("production behind staging: --dry-run shows the plan, promote applies it and the schemas are identical", arguments: TestBackend.all)
    func promotes(backend: TestBackend) async throws {
        let project = try await Project.make(backend)
        #expect(try await project.run("migrate", "--env", "production", "--to", "1").status == 0)
        #expect(try await project.run("migrate", "--env", "staging", "--to", "2").status == 0)

        let dryRun = try await project.run("promote", "--from", "staging", "--to", "production", "--dry-run")
        #expect(dryRun.status == 0, "\(dryRun.stdout)\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("dry run: would apply 1 migration to production, up to 2"))
        #expect(try await project.applied("production") == ["1"], "a dry run changes nothing")

        let promote = try await project.run("promote", "--from", "staging", "--to", "production", "--json")
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(promote.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == true)
        #expect(object["migrations"] as? [String] == ["2"])
        #expect((object["applied"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["2"])
        #expect(object["identical"] as? Bool == true)
        #expect(((object["to"] as? [String: Any])?["drift"] as? [String: Any])?["drift"] as? Bool == false)

        // Staging's pending 3 was not promoted: production has exactly staging's migrations.
        #expect(try await project.applied("production") == ["1", "2"])
        let diff = try await project.run("diff", "production", "staging")
        #expect(diff.status == 0, "\(diff.stdout)")

        let again = try await project.run("promote", "--from", "staging", "--to", "production")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("production already has every migration staging has"))
        #expect(again.stdout.contains("the schemas of production and staging are identical"))
        await project.cleanUp()
    }

    @Test("refuses with exit 3 when production's history is not a prefix of staging's")
    func refusesDivergedHistory() async throws {
        let project = try await Project.make(.sqlite)
        // Production is ahead of staging.
        #expect(try await project.run("migrate", "--env", "production", "--to", "2").status == 0)
        #expect(try await project.run("migrate", "--env", "staging", "--to", "1").status == 0)
        let ahead = try await project.run("promote", "--from", "staging", "--to", "production", "--json")
        #expect(ahead.status == 3, "\(ahead.stdout)\(ahead.stderr)")
        let error = try #require(try JSONSerialization.jsonObject(with: Data(ahead.stdout.utf8)) as? [String: Any])
        #expect((error["error"] as? [String: Any])?["code"] as? String == "history_mismatch")
        let text = try await project.run("promote", "--from", "staging", "--to", "production")
        #expect(text.status == 3)
        #expect(text.stderr.contains("production's history is not a prefix of staging's"))
        #expect(text.stderr.contains("hint:"))

        // Beside staging: production applied 1 from a file that has changed since.
        let other = try await Project.make(.sqlite)
        #expect(try await other.run("migrate", "--env", "production", "--to", "1").status == 0)
        try other.fixture.write("1_users.sql", "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text);")
        #expect(try await other.run("migrate", "--env", "staging", "--to", "2").status == 0)
        let changed = try await other.run("promote", "--from", "staging", "--to", "production")
        #expect(changed.status == 3, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stderr.contains("was applied from different files"))
        #expect(try await other.states("production") == ["changed", "pending", "pending"], "production is left alone")
        await project.cleanUp()
        await other.cleanUp()
    }

    @Test("refuses with exit 3 on drift, and production is left alone", arguments: TestBackend.all)
    func refusesDrift(backend: TestBackend) async throws {
        let project = try await Project.make(backend)
        #expect(try await project.run("migrate", "--env", "production", "--to", "1").status == 0)
        #expect(try await project.run("migrate", "--env", "staging", "--to", "2").status == 0)
        try await project.execute(on: project.production, "ALTER TABLE users ADD COLUMN nickname text")
        let refused = try await project.run("promote", "--from", "staging", "--to", "production")
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("refusing to promote: production differs from its migrations (1 difference)"))
        #expect(refused.stdout.lowercased().contains("users.nickname"))
        #expect(try await project.applied("production") == ["1"])
        let json = try await project.run("promote", "--from", "staging", "--to", "production", "--json")
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect((object["error"] as? [String: Any])?["code"] as? String == "schemas_differ")
        await project.cleanUp()
    }

    @Test("the hint on drift leads to a successful promote: the hand-made change kept through a migration", arguments: TestBackend.all)
    func driftHintLeadsToPromote(backend: TestBackend) async throws {
        let project = try await Project.make(backend)
        defer { Task { await project.cleanUp() } }
        #expect(try await project.run("migrate", "--env", "production", "--to", "1").status == 0)
        #expect(try await project.run("migrate", "--env", "staging", "--to", "2").status == 0)
        try await project.execute(on: project.production, "ALTER TABLE users ADD COLUMN nickname text")
        let refused = try await project.run("promote", "--from", "staging", "--to", "production")
        #expect(refused.status == 3)
        let diffCommand = "cutover diff --env production --against migrations --sql"
        #expect(refused.stderr.contains(diffCommand), "\(refused.stderr)")

        // As the hint says: the statements the diff prints become a migration …
        let diff = try await project.run("diff", "--env", "production", "--against", "migrations", "--sql")
        let statements = diff.stdout.split(separator: "\n").filter { !$0.hasPrefix("--") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(statements.contains { $0.lowercased().contains("nickname") }, "\(diff.stdout)")
        try project.fixture.write("4_keep_nickname.sql", statements.joined(separator: "\n") + "\n")
        // … applied to staging; the hand-made change is undone on production; promote again.
        let staging = try await project.run("migrate", "--env", "staging")
        #expect(staging.status == 0, "\(staging.stderr)")
        try await project.execute(on: project.production, "ALTER TABLE users DROP COLUMN nickname")
        let promoted = try await project.run("promote", "--from", "staging", "--to", "production")
        #expect(promoted.status == 0, "\(promoted.stdout)\(promoted.stderr)")
        #expect(try await project.applied("production") == ["1", "2", "3", "4"])
        let columns = backend.name == "sqlite"
            ? "SELECT name AS c FROM pragma_table_info('users') WHERE name = 'nickname'"
            : "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'"
        let database = try await TestBackend.open(project.production)
        #expect(try await database.query(columns).count == 1)
        await database.close()
    }

    @Test("bad arguments exit 2")
    func badArguments() async throws {
        let project = try await Project.make(.sqlite)
        #expect(try await project.run("promote", "--from", "staging", "--to", "staging").status == 2)
        #expect(try await project.run("promote", "--from", "staging").status == 2)
        let unknown = try await project.run("promote", "--from", "staging", "--to", "nowhere")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown environment 'nowhere'"))
        await project.cleanUp()
    }
}
