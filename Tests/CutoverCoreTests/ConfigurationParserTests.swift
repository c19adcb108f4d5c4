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
        ("[safety]\nlock_timeout = \"2s\"\nsmall_table = \"big\"\n", 3, "small_table"),
        ("[safety]\nsmall_table = true\n", 2, "small_table"),
        ("[dump]\nschema = \"schema.sql\"\nschemas = \"x.sql\"\n", 3, "schemas"),
        ("[dump]\nschema = 5\n", 2, "dump.schema"),
        ("[dump]\nschema = \" \"\n", 2, "dump.schema"),
        ("dump = \"schema.sql\"\n", 1, "dump"),
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

    @Test("[dump] schema is resolved against the config file's folder; without it no file is kept")
    func dumpSchema() throws {
        let config = try parser.parse("[dump]\nschema = \"db/schema.sql\"\n", file: "/p/cutover.toml", baseDirectory: "/p")
        #expect(config.schemaDumpPath == "/p/db/schema.sql")
        #expect(config.dump.line == 2)
        #expect(try parser.parse("", file: "/p/cutover.toml", baseDirectory: "/p").schemaDumpPath == nil)
    }

    @Test("safe by default: no lock_timeout means 2 s; \"0\" or \"off\" turns it off; small_table defaults to 10 MB")
    func safetyDefaults() throws {
        let none = try parser.parse("[env.dev]\nurl = \"sqlite:x\"\n", file: "cutover.toml", baseDirectory: "/p")
        #expect(none.safety.lockTimeout == .seconds(2))
        #expect(none.safety.lockTimeoutIsDefault)
        #expect(none.safety.smallTableBytes == 10 << 20)
        #expect(Linter.Configuration(safety: none.safety).lockTimeoutConfigured)
        for off in ["\"0\"", "\"off\"", "0", "\"OFF\""] {
            let config = try parser.parse("[safety]\nlock_timeout = \(off)\n", file: "cutover.toml", baseDirectory: "/p")
            #expect(config.safety.lockTimeout == nil, "\(off)")
            #expect(!config.safety.lockTimeoutIsDefault)
            #expect(!Linter.Configuration(safety: config.safety).lockTimeoutConfigured)
        }
        let set = try parser.parse("[safety]\nlock_timeout = \"500ms\"\nsmall_table = \"512kB\"\n", file: "cutover.toml", baseDirectory: "/p")
        #expect(set.safety.lockTimeout == .milliseconds(500))
        #expect(!set.safety.lockTimeoutIsDefault)
        #expect(set.safety.smallTableBytes == 512 << 10)
    }

    @Test("[safety] index_build_workers: 0 by default, a number, or \"server\" for the server's setting; anything else names the line")
    func indexBuildWorkers() throws {
        #expect(try parser.parse("[env.dev]\nurl = \"sqlite:x\"\n", file: "cutover.toml", baseDirectory: "/p").safety.indexBuildWorkers == 0)
        #expect(try parser.parse("[safety]\nindex_build_workers = 4\n", file: "cutover.toml", baseDirectory: "/p").safety.indexBuildWorkers == 4)
        #expect(try parser.parse("[safety]\nindex_build_workers = \"server\"\n", file: "cutover.toml", baseDirectory: "/p").safety.indexBuildWorkers == nil)
        let word = #expect(throws: CutoverError.self) { try parser.parse("[safety]\nindex_build_workers = \"many\"\n", file: "cutover.toml", baseDirectory: "/p") }
        #expect(word?.line == 2 && word?.message.contains("an integer or \"server\"") == true, "\(String(describing: word))")
        let negative = #expect(throws: CutoverError.self) { try parser.parse("[safety]\nindex_build_workers = -1\n", file: "cutover.toml", baseDirectory: "/p") }
        #expect(negative?.hint?.contains("index_build_workers = 0") == true, "\(String(describing: negative))")
    }

    @Test("[safety] revert_window: none by default, a duration, \"0\" for none; a bad one names the line and an example")
    func revertWindow() throws {
        #expect(try parser.parse("[env.dev]\nurl = \"sqlite:x\"\n", file: "cutover.toml", baseDirectory: "/p").safety.revertWindow == nil)
        #expect(try parser.parse("[safety]\nrevert_window = \"30m\"\n", file: "cutover.toml", baseDirectory: "/p").safety.revertWindow == .seconds(1800))
        #expect(try parser.parse("[safety]\nrevert_window = \"0\"\n", file: "cutover.toml", baseDirectory: "/p").safety.revertWindow == nil)
        let error = #expect(throws: CutoverError.self) { try parser.parse("[safety]\nrevert_window = \"a while\"\n", file: "cutover.toml", baseDirectory: "/p") }
        #expect(error?.line == 2)
        #expect(error?.description.contains("revert_window") == true, "\(String(describing: error))")
    }

    @Test("inline tables, dotted keys and multi-line strings load like [sections]")
    func everyTOMLForm() throws {
        let config = try parser.parse(#"""
            migrations = '''
            db/migrations'''
            default_env = "dev"
            safety = { lock_timeout = "2s", lock_retries = 3 }
            backup.mode = "before-and-after"
            backup.keep = 7

            env.dev = { url = "sqlite:dev.sqlite3" }
            env."test" = { url = 'sqlite:test.sqlite3', rehearse = true }

            [env.staging]
            url = """
            postgres://app@db.internal:5432/\
                staging?sslmode=require"""
            """#, file: "/p/cutover.toml", baseDirectory: "/p")
        #expect(config.migrationsDirectory == "/p/db/migrations")
        #expect(config.defaultEnv == "dev")
        #expect(config.safety.lockTimeout == .seconds(2))
        #expect(config.safety.lockRetries == 3)
        #expect(config.backup.mode == .beforeAndAfter)
        #expect(config.backup.keep == 7)
        #expect(config.backup.line == 5)
        #expect(config.environments["dev"] == Configuration.Environment(name: "dev", url: "sqlite:dev.sqlite3", line: 8))
        #expect(config.environments["test"]?.url == "sqlite:test.sqlite3")
        #expect(config.environments["test"]?.rehearse == true)
        #expect(config.environments["staging"]?.url == "postgres://app@db.internal:5432/staging?sslmode=require")
        #expect(config.environments["staging"]?.line == 12)
    }

    @Test("[env.NAME] written as dotted keys", arguments: [
        "env.prod.url = \"postgres://app@db/shop\"\nenv.prod.rehearse = true\n",
        "[env]\nprod.url = \"postgres://app@db/shop\"\nprod.rehearse = true\n",
        "[env]\nprod = { url = \"postgres://app@db/shop\", rehearse = true }\n",
        "env = { prod.url = \"postgres://app@db/shop\", prod.rehearse = true }\n",
        "env = { prod = { url = \"postgres://app@db/shop\", rehearse = true } }\n",
    ])
    func dottedEnvironments(text: String) throws {
        let config = try parser.parse(text, file: "/p/cutover.toml", baseDirectory: "/p")
        #expect(config.environments.count == 1)
        #expect(config.environments["prod"]?.url == "postgres://app@db/shop")
        #expect(config.environments["prod"]?.rehearse == true)
    }

    @Test("errors inside inline tables and dotted keys name the line and the key", arguments: [
        ("env = { dev = { url = \"sqlite:x\", nme = 1 } }\n", 1, "nme"),
        ("migrations = \"m\"\nenv.dev.url = 5\n", 2, "env.dev.url"),
        ("safety = { lock_timeout = \"soon\" }\n", 1, "safety.lock_timeout"),
        ("env.dev.url = \"sqlite:x\"\n[env.dev]\n", 2, "already defined by dotted keys"),
        ("env = { dev = { url = \"sqlite:x\" } }\n[env.prod]\nurl = \"sqlite:y\"\n", 2, "'env' is an inline table"),
        ("[[env]]\nurl = \"sqlite:x\"\n", 1, "'env' must be a table"),
        ("\n\nmigrations = 1979-05-27\n", 3, "not a local date"),
    ])
    func errorsInEveryForm(text: String, line: Int, mentions: String) {
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
