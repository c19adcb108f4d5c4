import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Safe by default: a lock timeout without configuring one, and every command names the
/// database it touches and where its URL came from.
@Suite("safe by default")
struct SafeDefaultsTests {
    @Test("no [safety] lock_timeout: ALTERs are applied under a 2 s lock timeout, and --verbose says so")
    func defaultLockTimeout() async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_retries = 2")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_col.sql", "ALTER TABLE t ADD COLUMN b integer;\nCREATE TABLE probe AS SELECT current_setting('lock_timeout') AS v;")
        let migrate = try await cli.run("migrate", "--verbose")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(!migrate.stderr.contains("require-lock-timeout"))
        #expect(migrate.stderr.contains("lock_timeout 2s (Cutover's default"), "\(migrate.stderr)")
        #expect(migrate.stderr.contains("with 2 retries"))
        let probe = try await cli.fixture.query("SELECT v FROM probe")
        #expect(probe.first?.string("v") == "2s")
        await cli.cleanUp()
    }

    @Test("lock_timeout = \"off\" turns the timeout off, and require-lock-timeout reports again", arguments: ["\"off\"", "\"0\""])
    func lockTimeoutOff(_ value: String) async throws {
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \(value)")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_col.sql", "ALTER TABLE t ADD COLUMN b integer;")
        let refused = try await cli.run("migrate")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("require-lock-timeout"))
        await cli.cleanUp()
    }

    @Test("DATABASE_URL is named as the target's source, with the default_env it overrides", arguments: TestBackend.all)
    func databaseURLIsNamed(_ backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        let (other, _) = try await cli.fixture.siblingDatabase("other")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);")
        let environment = ["DATABASE_URL": CLIFixture.rawText(other)]

        let dryRun = try await cli.run("migrate", "--dry-run", environment: environment)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stderr.contains("env test: \(other.redacted) (DATABASE_URL, overrides default_env test)"), "\(dryRun.stderr)")
        let migrate = try await cli.run("migrate", environment: environment)
        #expect(migrate.stderr.contains("(DATABASE_URL, overrides default_env test)"), "\(migrate.stderr)")
        let status = try await cli.run("status", environment: environment)
        #expect(status.stdout.hasPrefix("env test: \(other.redacted) (DATABASE_URL, overrides default_env test)"), "\(status.stdout)")
        let json = try await cli.run("status", "--json", environment: environment)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["url_source"] as? String == "DATABASE_URL")
        let migrateJSON = try await cli.run("migrate", "--dry-run", "--json", environment: environment)
        let migrateObject = try #require(try JSONSerialization.jsonObject(with: Data(migrateJSON.stdout.utf8)) as? [String: Any])
        #expect(migrateObject["url_source"] as? String == "DATABASE_URL")

        // Without it: the config's env, named as chosen by default_env.
        let own = try await cli.run("migrate", "--dry-run")
        #expect(own.stderr.contains("env test: \(cli.fixture.url.redacted) (default_env)"), "\(own.stderr)")
        #expect(try await cli.json("status")["url_source"] as? String == "env.test")
        await cli.fixture.dropSibling(other)
        await cli.cleanUp()
    }
}
