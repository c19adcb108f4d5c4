import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("errors a user meets: one line, a hint, the contract's exit code, no password")
struct ErrorOutputTests {
    private func project(_ toml: String, migrations: Bool = true) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("cutover.toml", toml)
        if migrations { try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true) }
        return directory
    }

    @Test("no cutover.toml: exit 2 with a hint to run init")
    func noConfig() async throws {
        let directory = try TemporaryDirectory()
        let result = try await CutoverProcess.run(["status"], in: directory.url.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cutover init"))
        #expect(!result.stderr.contains("Fatal error"))
        directory.remove()
    }

    @Test("a bad key names file, line and what is expected")
    func badConfig() async throws {
        let directory = try project("[safety]\nlock_timeout = \"soon\"\n[env.dev]\nurl = \"sqlite:x.db\"\n")
        let result = try await CutoverProcess.run(["status"], in: directory.url.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cutover.toml:2"))
        #expect(result.stderr.contains("lock_timeout"))
        #expect(result.stderr.contains("hint:"))
        directory.remove()
    }

    @Test("unknown env and missing migrations folder exit 2")
    func unknownEnvAndFolder() async throws {
        let directory = try project("[env.dev]\nurl = \"sqlite:x.db\"\n", migrations: false)
        let env = try await CutoverProcess.run(["status", "--env", "prod"], in: directory.url.path)
        #expect(env.status == 2)
        #expect(env.stderr.contains("unknown environment 'prod'"))
        #expect(env.stderr.contains("dev"))
        let folder = try await CutoverProcess.run(["status"], in: directory.url.path)
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("migrations folder"))
        directory.remove()
    }

    @Test("unset ${VAR} names the variable")
    func unsetVariable() async throws {
        let directory = try project("[env.prod]\nurl = \"${CUTOVER_TEST_UNSET_VAR}\"\n")
        let result = try await CutoverProcess.run(["status"], in: directory.url.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("CUTOVER_TEST_UNSET_VAR"))
        directory.remove()
    }

    @Test("DATABASE_URL overrides the default env when no --env is given")
    func databaseURLOverride() async throws {
        let directory = try project("default_env = \"dev\"\n[env.dev]\nurl = \"sqlite:dev.db\"\n")
        let result = try await CutoverProcess.run(["status", "--json"], in: directory.url.path, environment: ["DATABASE_URL": "sqlite:\(directory.path("other.db"))"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("other.db"))
        let explicit = try await CutoverProcess.run(["status", "--json", "--env", "dev"], in: directory.url.path, environment: ["DATABASE_URL": "sqlite:other.db"])
        #expect(explicit.stdout.contains("dev.db"))
        directory.remove()
    }

    @Test("unreachable server: exit 4 within the connect timeout, password redacted")
    func unreachable() async throws {
        let directory = try project("[safety]\nconnect_timeout = \"3s\"\n[env.prod]\nurl = \"postgres://app:hunter2secret@127.0.0.1:1/shop\"\n")
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await CutoverProcess.run(["migrate"], in: directory.url.path)
        #expect(clock.now - start < .seconds(60), "refused at once (slack for a loaded machine)")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2secret"))
        #expect(!result.stdout.contains("hunter2secret"))
        #expect(result.stderr.contains("hint:"))
        directory.remove()
    }

    @Test("unknown database: exit 4 with a hint")
    func unknownDatabase() async throws {
        let base = try await PostgresCluster.shared.makeDatabase()
        let missing = base.withDatabase("cutover_no_such_db")
        let directory = try project("[env.prod]\nurl = \"\(CLIFixture.rawText(missing))\"\n")
        let result = try await CutoverProcess.run(["status"], in: directory.url.path)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("cutover_no_such_db"))
        if let password = base.password { #expect(!result.stderr.contains(password)) }
        await PostgresCluster.shared.dropDatabase(base)
        directory.remove()
    }

    @Test("a malformed migration file: exit 2 naming file and line")
    func badMigrationFile() async throws {
        let directory = try project("[env.dev]\nurl = \"sqlite:x.db\"\n")
        try directory.write("migrations/1_a.sql", "-- cutover:up\nSELECT 1;\n-- cutover:sideways\n")
        let result = try await CutoverProcess.run(["migrate"], in: directory.url.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("1_a.sql:3"))
        try directory.write("migrations/1_a.sql", "-- cutover:up\nSELECT 'unterminated;\n")
        let quote = try await CutoverProcess.run(["validate"], in: directory.url.path)
        #expect(quote.status == 2)
        #expect(quote.stderr.contains("1_a.sql:2"))
        directory.remove()
    }
}
