import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("migrations/cutover.sum in a team's repository")
struct SumCommandTests {
    /// Runs git in `folder`.
    @discardableResult
    static func git(_ arguments: String..., in folder: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("two branches that each add a migration conflict in git; validate reports a hand-made merge until `cutover sum`")
    func branchesConflict() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let folder = directory.url.path
        #expect(try await CutoverProcess.run(["init"], in: folder).status == 0)
        #expect(try await CutoverProcess.run(["new", "first"], in: folder).status == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/migrations/cutover.sum"), "cutover new writes it")
        try Self.git("init", "-q", in: folder)
        try Self.git("add", "-A", in: folder)
        try Self.git("commit", "-qm", "first", in: folder)

        try Self.git("checkout", "-qb", "feature-a", in: folder)
        #expect(try await CutoverProcess.run(["new", "from_a"], in: folder).status == 0)
        try Self.git("add", "-A", in: folder)
        try Self.git("commit", "-qm", "a", in: folder)
        try Self.git("checkout", "-q", "main", in: folder)
        try Self.git("checkout", "-qb", "feature-b", in: folder)
        // Another developer's migration, a minute later (`cutover new` on their machine).
        try "-- cutover:up\nCREATE TABLE b (id integer);\n-- cutover:down\nDROP TABLE b;\n"
            .write(toFile: folder + "/migrations/29991231235900_from_b.sql", atomically: true, encoding: .utf8)
        #expect(try await CutoverProcess.run(["sum"], in: folder).status == 0)
        try Self.git("add", "-A", in: folder)
        try Self.git("commit", "-qm", "b", in: folder)

        let merge = try Self.git("merge", "-q", "feature-a", in: folder)
        #expect(merge.status != 0, "the merge stops on cutover.sum: \(merge.output)")
        #expect(merge.output.contains("cutover.sum"), "\(merge.output)")

        // Resolved by keeping both sides' lines, without `cutover sum`: validate says so,
        // without a database.
        let conflicted = try String(contentsOfFile: folder + "/migrations/cutover.sum", encoding: .utf8)
        let resolved = conflicted.split(separator: "\n").filter { !$0.hasPrefix("<<<<<<<") && !$0.hasPrefix("=======") && !$0.hasPrefix(">>>>>>>") }
        var seenHash = false
        let kept = resolved.filter { line in
            guard line.hasPrefix("h1:") else { return true }
            defer { seenHash = true }
            return !seenHash
        }
        try (kept.joined(separator: "\n") + "\n").write(toFile: folder + "/migrations/cutover.sum", atomically: true, encoding: .utf8)
        let validate = try await CutoverProcess.run(["validate", "--offline"], in: folder)
        #expect(validate.status == 3, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("edited by hand"), "\(validate.stdout)")

        #expect(try await CutoverProcess.run(["sum"], in: folder).status == 0)
        let fixed = try await CutoverProcess.run(["validate", "--offline"], in: folder)
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(fixed.stdout.contains("3 migration files parse"))
    }

    @Test("a migration added by hand is reported by validate until `cutover sum`")
    func fileAddedByHand() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        defer { Task { await cli.cleanUp() } }
        try cli.fixture.write("1_a.sql", "CREATE TABLE a (id integer);")
        #expect(try await cli.run("sum").status == 0)
        try cli.fixture.write("2_b.sql", "CREATE TABLE b (id integer);")
        let validate = try await cli.run("validate")
        #expect(validate.status == 3)
        #expect(validate.stdout.contains("sum: 2_b.sql is not in cutover.sum"), "\(validate.stdout)")
        let json = try await cli.json("validate")
        #expect(json["sum"] as? [String] == ["2_b.sql is not in cutover.sum"])
        #expect(try await cli.run("sum").status == 0)
        #expect(try await cli.run("validate").status == 0)
    }
}
