import CutoverCore
import Testing

@Suite struct ConfigurationParserTests {
    let parser = ConfigurationParser()

    @Test("reads the documented example")
    func example() throws {
        let config = try parser.parse("""
            migrations = "db/migrations"   # folder
            default_env = "dev"

            [safety]
            lock_timeout = "2s"
            statement_timeout = "0"
            lock_retries = 5

            [env.dev]
            url = "sqlite:dev.sqlite3"
            [env.production]
            url = "${DATABASE_URL}"
            """, file: "/p/cutover.toml", baseDirectory: "/p")
        #expect(config.migrationsDirectory == "/p/db/migrations")
        #expect(config.defaultEnv == "dev")
        #expect(config.safety.lockTimeout == .seconds(2))
        #expect(config.safety.statementTimeout == nil)
        #expect(config.safety.lockRetries == 5)
        #expect(config.environments["production"]?.url == "${DATABASE_URL}")
        #expect(config.environments["production"]?.line == 12)
        #expect(config.ignoredSettings.isEmpty)
    }

    @Test("errors name the file, the line and the key", arguments: [
        ("[safety]\nlock_timeout = \"soon\"\n", 2, "lock_timeout"),
        ("[safety]\nlock_retries = \"5\"\n", 2, "lock_retries"),
        ("[safety]\nlock_timout = \"2s\"\n", 2, "lock_timout"),
        ("migrations = migrations\n", 1, "migrations"),
        ("[env.dev]\nname = \"x\"\n", 2, "name"),
        ("default_env = \"prod\"\n[env.dev]\nurl = \"sqlite:x\"\n", 1, "prod"),
        ("[env.dev]\nurl = \"sqlite:x\"\nurl = \"sqlite:y\"\n", 3, "url"),
        ("[env.dev]\n", 1, "url"),
        ("title = \"unterminated\n", 1, "string"),
    ])
    func errors(text: String, line: Int, mentions: String) {
        #expect {
            _ = try parser.parse(text, file: "cutover.toml", baseDirectory: "/p")
        } throws: { error in
            guard let error = error as? CutoverError else { return false }
            return error.code == .invalidConfig && error.file == "cutover.toml" && error.line == line
                && error.message.contains(mentions) && error.hint != nil
        }
    }

    @Test("settings of later features are reported as not in effect")
    func ignoredSettings() throws {
        let config = try parser.parse("[env.prod]\nurl = \"sqlite:x\"\nrehearse = true\nreplicas = \"wait\"\n", file: "c.toml", baseDirectory: "/")
        #expect(config.ignoredSettings.count == 1)
        #expect(config.environments["prod"]?.rehearse == true)
        #expect(throws: CutoverError.self) { try parser.parse("[env.prod]\nurl = \"sqlite:x\"\nrehearse = \"yes\"\n", file: "c.toml", baseDirectory: "/") }
    }

    @Test("${VAR} expands from the environment; an unset one is named")
    func environmentReferences() throws {
        #expect(try EnvironmentReferences.expand("postgres://${U}@h/${D}", environment: ["U": "app", "D": "shop"], context: "env.x.url", file: nil, line: nil) == "postgres://app@h/shop")
        #expect(throws: CutoverError.self) { try EnvironmentReferences.expand("${MISSING}", environment: [:], context: "env.x.url", file: nil, line: nil) }
        #expect(throws: CutoverError.self) { try EnvironmentReferences.expand("${OPEN", environment: [:], context: "env.x.url", file: nil, line: nil) }
    }

    @Test("durations", arguments: [("2s", 2000), ("500ms", 500), ("1min", 60000), ("1.5s", 1500), ("250", 250), ("0", 0)])
    func durations(text: String, milliseconds: Int64) {
        #expect(DurationParser.parse(text)?.milliseconds == milliseconds)
    }

    @Test("bad durations", arguments: ["soon", "-1s", "2 parsecs", ""])
    func badDurations(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}

@Suite struct TOMLParserTests {
    @Test("tables, dotted keys, quoted keys, arrays over lines, comments")
    func subset() throws {
        let root = try TOMLParser.parse("""
            a = 1_000 # comment
            b = 'C:\\path'
            "quoted key" = "x\\ty\\u00e9"
            c.d = true
            [t."with space"]
            list = [
              "one", # first
              "two",
            ]
            """, file: "x.toml")
        #expect(root["a"] == .integer(1000))
        #expect(root["b"] == .string("C:\\path"))
        #expect(root["quoted key"] == .string("x\ty\u{e9}"))
        guard case .table(let c)? = root["c"] else { Issue.record("c is not a table"); return }
        #expect(c["d"] == .bool(true))
        guard case .table(let t)? = root["t"], case .table(let inner)? = t["with space"] else { Issue.record("t is not a table"); return }
        #expect(inner["list"] == .array([.string("one"), .string("two")]))
    }

    @Test("duplicate tables and unsupported syntax are errors with lines")
    func errors() {
        for (text, line) in [("[a]\n[a]\n", 2), ("x = { a = 1 }\n", 1), ("x = \"\"\"\n", 1), ("[[a]]\n", 1), ("x = 1 2\n", 1), ("x\n", 1)] {
            #expect(throws: CutoverError.self, "\(text)") { try TOMLParser.parse(text, file: "x.toml") }
            do { _ = try TOMLParser.parse(text, file: "x.toml") } catch let error as CutoverError { #expect(error.line == line, "\(text)") } catch {}
        }
    }
}

@Suite struct DatabaseURLTests {
    @Test("parses the accepted forms")
    func forms() throws {
        let sqlite = try DatabaseURL("sqlite:dev.sqlite3")
        #expect(sqlite.scheme == "sqlite" && sqlite.path == "dev.sqlite3")
        #expect(try DatabaseURL("sqlite::memory:").isInMemory)
        let pg = try DatabaseURL("postgres://app:p%40ss@db.local:6432/shop?sslmode=require")
        #expect(pg.user == "app" && pg.password == "p@ss" && pg.host == "db.local" && pg.port == 6432 && pg.database == "shop")
        #expect(pg.parameters["sslmode"] == "require")
    }

    @Test("never prints the password")
    func redaction() throws {
        let url = try DatabaseURL("postgres://app:hunter2@localhost/shop")
        #expect(url.description == "postgres://app:***@localhost/shop")
        #expect(!"\(url)".contains("hunter2"))
        #expect(DatabaseURL.redact("mysql://u:secret@h/db") == "mysql://u:***@h/db")
        let error = #expect(throws: CutoverError.self) { try DatabaseURL("oracle://u:topsecret@h/db") }
        #expect(error?.message.contains("topsecret") == false)
    }

    @Test("rejects what is not a database URL", arguments: ["nonsense", "http://x", "sqlite:", "postgres:nohost"])
    func rejects(text: String) {
        #expect(throws: CutoverError.self) { try DatabaseURL(text) }
    }
}

@Suite struct DialectTests {
    @Test("statements PostgreSQL refuses in a transaction block", arguments: [
        ("CREATE INDEX CONCURRENTLY i ON t (a)", true),
        ("create unique index concurrently if not exists i on t (a)", true),
        ("DROP INDEX CONCURRENTLY i", true),
        ("REINDEX INDEX CONCURRENTLY i", true),
        ("VACUUM ANALYZE t", true),
        ("CREATE DATABASE x", true),
        ("ALTER SYSTEM SET work_mem = '8MB'", true),
        ("-- note\nCREATE INDEX i ON t (a)", false),
        ("CREATE TABLE concurrently_log (id int)", false),
        ("INSERT INTO t VALUES ('CONCURRENTLY')", false),
        ("ALTER TABLE t ADD COLUMN c int", false),
    ])
    func postgres(sql: String, refused: Bool) {
        #expect(PostgresDialect().cannotRunInTransaction(sql) == refused)
    }

    @Test("SQLite: only VACUUM")
    func sqlite() {
        #expect(SQLiteDialect().cannotRunInTransaction("VACUUM"))
        #expect(!SQLiteDialect().cannotRunInTransaction("CREATE INDEX i ON t (a)"))
    }
}
