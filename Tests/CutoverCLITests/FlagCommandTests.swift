import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("cutover flag and cutover maintenance")
struct FlagCommandTests {
    @Test("set, get, list, delete; --requires refused before the migration (exit 1, message and hint), accepted after", arguments: TestBackend.all)
    func lifecycle(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("20261201120000_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);")

        let list = try await cli.json("flag", "list")
        #expect((list["flags"] as? [Any])?.isEmpty == true, "\(list)")

        let set = try await cli.json("flag", "set", "new_checkout", "on", "--percent", "10")
        let flag = set["flag"] as? [String: Any]
        #expect(flag?["enabled"] as? Bool == true && flag?["percent"] as? Int == 10, "\(set)")
        #expect((flag?["updated_by"] as? String)?.contains("@") == true)

        let refused = try await cli.run("flag", "set", "gated", "on", "--requires", "20261201120000")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("requires migration 20261201120000, which is not applied"), "\(refused.stderr)")
        #expect(refused.stderr.contains("hint: apply it first"), "\(refused.stderr)")
        let badID = try await cli.run("flag", "set", "gated", "on", "--requires", "next-week")
        #expect(badID.status == 2 && badID.stderr.contains("--requires takes a migration id"), "\(badID.stderr)")

        #expect(try await cli.run("migrate").status == 0)
        let gated = try await cli.json("flag", "set", "gated", "on", "--requires", "20261201120000")
        #expect((gated["flag"] as? [String: Any])?["requires"] as? String == "20261201120000", "\(gated)")

        let names = (try await cli.json("flag", "list")["flags"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["gated", "new_checkout"])
        let text = try await cli.run("flag", "get", "new_checkout")
        #expect(text.status == 0 && text.stdout.contains("new_checkout on for 10 % of keys"), "\(text.stdout)")
        let missing = try await cli.run("flag", "get", "nope")
        #expect(missing.status == 2 && missing.stderr.contains("no switch \"nope\""))

        #expect(try await cli.json("flag", "delete", "gated")["deleted"] as? Bool == true)
        #expect(try await cli.json("flag", "delete", "gated")["deleted"] as? Bool == false)

        // Global options before a command group's subcommand.
        let leading = try await cli.run("--json", "flag", "list")
        #expect(leading.status == 0 && leading.stdout.contains("\"flags\""), "\(leading.stderr)")
    }

    @Test("maintenance on, status, off", arguments: TestBackend.all)
    func maintenance(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        defer { Task { await cli.cleanUp() } }
        #expect(try await cli.json("maintenance")["maintenance"] as? Bool == false)
        #expect(try await cli.json("maintenance", "on")["maintenance"] as? Bool == true)
        #expect(try await cli.json("maintenance", "status")["maintenance"] as? Bool == true)
        #expect(try await cli.json("maintenance", "off")["maintenance"] as? Bool == false)
        let names = (try await cli.json("flag", "list")["flags"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["maintenance"])
    }
}
