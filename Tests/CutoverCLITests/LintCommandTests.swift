import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover lint, as a user (and CI) runs it")
struct LintCommandTests {
    private static let risky = """
        -- cutover:up
        CREATE INDEX orders_user ON orders (user_id);
        -- cutover:allow ban-drop-column
        ALTER TABLE users DROP COLUMN legacy;
        ALTER TABLE users RENAME COLUMN a TO b;
        -- cutover:down
        DROP INDEX orders_user;
        """

    private func lint(_ arguments: [String], in directory: TemporaryDirectory) async throws -> CutoverProcess.Result {
        try await CutoverProcess.run(["lint"] + arguments, in: directory.url.path)
    }

    @Test("FILES need no cutover.toml; error findings exit 3 and name file:line, rule, lock and fix")
    func errorsExit3() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("add_index.sql", Self.risky)
        let result = try await lint(["add_index.sql"], in: directory)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.contains("add_index.sql:2: error[require-concurrent-index-creation]: CREATE INDEX orders_user without CONCURRENTLY"))
        #expect(result.stdout.contains("lock: SHARE on orders (blocks writes)"))
        #expect(result.stdout.contains("fix:  CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);"))
        // Without cutover.toml the files are judged as Cutover runs them: with its 2 s lock timeout.
        #expect(!result.stdout.contains("require-lock-timeout"))
        #expect(result.stdout.contains("add_index.sql:5: warning[renaming-column]"))
        #expect(!result.stdout.contains("ban-drop-column"), "allowed by -- cutover:allow")
        // The down section is linted too: its findings say so and are warnings at most.
        #expect(result.stdout.contains("add_index.sql:7: warning[require-concurrent-index-deletion]: down section: "), "\(result.stdout)")
        #expect(result.stdout.contains("1 file linted for postgresql 13.0 (assumed; pass --postgres-version): 1 error, 2 warnings"), "\(result.stdout)")
    }

    @Test("warnings only exit 0")
    func warningsExit0() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("20261124120000_drop_old.sql", "-- cutover:up\nSET lock_timeout = '1s';\nDROP TABLE old_orders;\n")
        let result = try await lint(["20261124120000_drop_old.sql"], in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("20261124120000_drop_old.sql:3: warning[ban-drop-table]: DROP TABLE old_orders"))
    }

    @Test("--format github prints one workflow command per finding")
    func github() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("db/add_index.sql", Self.risky)
        let result = try await lint(["db/add_index.sql", "--format", "github"], in: directory)
        #expect(result.status == 3)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("::error file=db/add_index.sql,line=2,title=require-concurrent-index-creation::CREATE INDEX orders_user without CONCURRENTLY"))
        #expect(lines[1].hasPrefix("::warning file=db/add_index.sql,line=5,title=renaming-column::"))
        #expect(lines[2].hasPrefix("::warning file=db/add_index.sql,line=7,title=require-concurrent-index-deletion::down section: "))
        #expect(result.stderr.contains("1 error, 2 warnings"))
    }

    @Test("--json prints one object with every finding's fields")
    func json() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("add_index.sql", Self.risky)
        for flags in [["--json"], ["--format", "json"]] {
            let result = try await lint(["add_index.sql"] + flags, in: directory)
            #expect(result.status == 3)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(object["ok"] as? Bool == false)
            #expect(object["errors"] as? Int == 1)
            #expect(object["warnings"] as? Int == 2)
            #expect(object["notes"] as? Int == 0)
            let findings = try #require(object["findings"] as? [[String: Any]])
            #expect(findings.map { $0["rule"] as? String } == ["require-concurrent-index-creation", "renaming-column", "require-concurrent-index-deletion"])
            #expect(findings.first?["line"] as? Int == 2)
            #expect((findings.first?["safe_rewrite"] as? String)?.hasPrefix("CREATE INDEX CONCURRENTLY") == true)
            #expect(findings.first?["lock"] as? String == "SHARE on orders (blocks writes), for the whole build")
        }
    }

    @Test("bad input exits 2: missing file, unsplittable SQL, unknown format or version, contradicting flags")
    func badInput() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("broken.sql", "-- cutover:up\nSELECT 'unterminated;\n")
        let missing = try await lint(["nope.sql"], in: directory)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'nope.sql' does not exist"))
        let broken = try await lint(["broken.sql"], in: directory)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("broken.sql:2"), "\(broken.stderr)")
        for arguments in [["broken.sql", "--format", "xml"], ["broken.sql", "--postgres-version", "fifteen"], ["broken.sql", "--json", "--format", "github"]] {
            let result = try await lint(arguments, in: directory)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
        let noConfig = try await lint([], in: directory)
        #expect(noConfig.status == 2)
        #expect(noConfig.stderr.contains("cutover init"))
    }

    @Test("without FILES: the migrations folder, the env's database and [safety] lock_timeout from cutover.toml")
    func project() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("cutover.toml", "migrations = \"db\"\n[env.dev]\nurl = \"sqlite:dev.db\"\n")
        try directory.write("db/1_create.sql", "-- cutover:up\nCREATE TABLE orders (id integer, user_id integer);\n")
        try directory.write("db/2_index.sql", "-- cutover:up\nCREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders RENAME TO purchases;\n")
        let sqlite = try await lint([], in: directory)
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        #expect(sqlite.stdout.contains("db/2_index.sql:3: warning[renaming-table]"))
        #expect(sqlite.stdout.contains("2 files linted for sqlite: 1 warning"))
        let postgres = try await lint(["--dialect", "postgresql"], in: directory)
        #expect(postgres.status == 3)
        #expect(postgres.stdout.contains("db/2_index.sql:2: error[require-concurrent-index-creation]"))
        // No lock_timeout in cutover.toml means Cutover's 2 s default: nothing to report.
        #expect(!postgres.stdout.contains("require-lock-timeout"))
        try directory.write("cutover.toml", "migrations = \"db\"\n[safety]\nlock_timeout = \"off\"\n[env.dev]\nurl = \"sqlite:dev.db\"\n")
        let off = try await lint(["--dialect", "postgresql"], in: directory)
        #expect(off.stdout.contains("require-lock-timeout"), "lock_timeout = \"off\" brings the rule back")
        try directory.write("cutover.toml", "migrations = \"db\"\n[safety]\nlock_timeout = \"2s\"\n[env.prod]\nurl = \"postgres://app@db.example/shop\"\n")
        let configured = try await lint(["--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(configured.stdout.utf8)) as? [String: Any])
        #expect(object["dialect"] as? String == "postgresql")
        let rules = (object["findings"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }
        #expect(rules == ["require-concurrent-index-creation", "renaming-table"])
    }

    @Test("linting needs no connection: an env whose ${VAR} is unset still lints; an unknown --env is bad input")
    func unresolvedEnv() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("cutover.toml", "default_env = \"prod\"\n[env.dev]\nurl = \"sqlite:dev.db\"\n[env.prod]\nurl = \"${CUTOVER_LINT_TEST_UNSET}\"\n")
        try directory.write("migrations/1_index.sql", "-- cutover:up\nCREATE INDEX orders_user ON orders (user_id);\n")
        let prod = try await lint([], in: directory)
        #expect(prod.status == 3, "\(prod.stderr)")
        #expect(prod.stdout.contains("1 file linted for postgresql"))
        let dev = try await lint(["--env", "dev"], in: directory)
        #expect(dev.status == 0, "\(dev.stderr)")
        #expect(dev.stdout.contains("1 file linted for sqlite: no findings"))
        let unknown = try await lint(["--env", "staging"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown environment 'staging'"))
    }

    @Test("--postgres-version: a constant default rewrites the table before PostgreSQL 11")
    func postgresVersion() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("3_flag.sql", "-- cutover:up\nSET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;\n")
        let old = try await lint(["3_flag.sql", "--postgres-version", "10.4"], in: directory)
        #expect(old.status == 3)
        #expect(old.stdout.contains("3_flag.sql:3: error[adding-field-with-volatile-default]"))
        let current = try await lint(["3_flag.sql", "--postgres-version", "16"], in: directory)
        #expect(current.status == 0, "\(current.stdout)")
        #expect(current.stdout.contains("no findings"))
    }
}
