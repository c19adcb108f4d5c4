import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Input that used to trap (SIGILL), overflow the stack (SIGSEGV), hang, or report a false
/// success: each is now exit 2 with one `error:` line naming the file and line (or the option).
@Suite("hostile input: exit 2 with one line naming the file, never a trap, hang or false success")
struct HostileInputTests {
    /// A project with `cutover.toml` (SQLite unless `toml` says otherwise) and `migrations/`.
    private func project(_ toml: String = "[env.dev]\nurl = \"sqlite:dev.sqlite3\"\n") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "cutover-hostile")
        try directory.write("cutover.toml", toml)
        try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true)
        return directory
    }

    /// Runs `cutover ARGS`, killed after 60 s so a hang fails the test instead of the suite.
    private func run(_ arguments: [String], in directory: TemporaryDirectory) async throws -> CutoverProcess.Result {
        let result = try await CutoverProcess.run(arguments, in: directory.url.path, timeout: .seconds(60))
        #expect(!result.timedOut, "cutover \(arguments.joined(separator: " ")) hung")
        return result
    }

    /// The one `error:` line of stderr.
    private func errorLine(_ result: CutoverProcess.Result) -> String {
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("error") || $0.contains("Error") }
        #expect(lines.count == 1, "expected one error line: \(result.stderr)")
        return lines.first.map(String.init) ?? ""
    }

    @Test("an overflowing lock_wait in cutover.toml names file, line, key and range")
    func lockWaitInConfig() async throws {
        let directory = try project("[safety]\nlock_wait = \"9999999999999999s\"\n[env.dev]\nurl = \"sqlite:dev.sqlite3\"\n")
        defer { directory.remove() }
        let result = try await run(["status"], in: directory)
        #expect(result.status == 2)
        let line = errorLine(result)
        #expect(line.contains("cutover.toml:2"))
        #expect(line.contains("safety.lock_wait"))
        #expect(line.contains("2147483647ms"))
    }

    @Test("an overflowing --lock-wait names the option and the range")
    func lockWaitOption() async throws {
        let directory = try project()
        defer { directory.remove() }
        for value in ["9223372036854775807", "9999999999999999s"] {
            let result = try await run(["migrate", "--lock-wait", value], in: directory)
            #expect(result.status == 2)
            let line = errorLine(result)
            #expect(line.contains("--lock-wait"))
            #expect(line.contains("2147483647ms"))
        }
    }

    @Test("an overflowing connect_timeout in a PostgreSQL URL names file, line and parameter")
    func connectTimeoutInURL() async throws {
        let directory = try project("[env.dev]\nurl = \"postgres://app:s3cret@127.0.0.1:1/db?connect_timeout=9223372036854775807\"\n")
        defer { directory.remove() }
        let result = try await run(["status"], in: directory)
        #expect(result.status == 2)
        let line = errorLine(result)
        #expect(line.contains("cutover.toml:2"))
        #expect(line.contains("connect_timeout"))
        #expect(line.contains("out of range"))
        #expect(result.stderr.contains("2147483 seconds"))
        #expect(!result.stderr.contains("s3cret"))
    }

    @Test("5,000 nested arrays in cutover.toml name file, line and key")
    func nestedArrays() async throws {
        let directory = try project("[env.dev]\nurl = \"sqlite:dev.sqlite3\"\n[safety]\nx = " + String(repeating: "[", count: 5_000) + "\n")
        defer { directory.remove() }
        let result = try await run(["status"], in: directory)
        #expect(result.status == 2)
        let line = errorLine(result)
        #expect(line.contains("cutover.toml:4"))
        #expect(line.contains("safety.x"))
    }

    @Test("a NUL byte in a migration: exit 2 naming file and line, nothing applied")
    func nulInMigration() async throws {
        let directory = try project()
        defer { directory.remove() }
        try directory.write("migrations/1_create.sql", "-- cutover:up\nCREATE TABLE t (id int);\u{0}CREATE TABLE u (id int);\n")
        let result = try await run(["migrate"], in: directory)
        #expect(result.status == 2)
        let line = errorLine(result)
        #expect(line.contains("1_create.sql:2"))
        #expect(line.contains("NUL"))
        #expect(!result.stdout.contains("applied"))
    }

    /// The kinds of non-files named like a migration, and what the error says of each.
    enum Impostor: String, CaseIterable, Sendable {
        case fifo, directory, danglingLink, linkLoop

        func make(at path: String) throws {
            switch self {
            case .fifo: #expect(mkfifo(path, 0o644) == 0)
            case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case .danglingLink: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "missing_target.sql")
            case .linkLoop: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: (path as NSString).lastPathComponent)
            }
        }

        var description: String {
            switch self {
            case .fifo: "is a FIFO (named pipe), not a regular file"
            case .directory: "is a directory"
            case .danglingLink: "is a dangling symbolic link"
            case .linkLoop: "is a symbolic link loop"
            }
        }
    }

    @Test("a non-file named like a migration is named and described, without hanging", arguments: Impostor.allCases)
    func impostor(_ kind: Impostor) async throws {
        let directory = try project()
        defer { directory.remove() }
        try directory.write("migrations/1_create.sql", "-- cutover:up\nCREATE TABLE t (id int);\n")
        try kind.make(at: directory.path("migrations/3_x.sql"))
        for command in ["status", "migrate", "lint"] {
            let result = try await run([command], in: directory)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            let line = errorLine(result)
            #expect(line.contains("3_x.sql"), "\(command): \(line)")
            #expect(line.contains(kind.description), "\(command): \(line)")
        }
    }

    @Test("a FIFO given to `cutover lint` is refused, not read")
    func fifoToLint() async throws {
        let directory = try project()
        defer { directory.remove() }
        let path = directory.path("pipe.sql")
        #expect(mkfifo(path, 0o644) == 0)
        let result = try await run(["lint", path], in: directory)
        #expect(result.status == 2)
        #expect(errorLine(result).contains("is a FIFO"))
    }

    @Test("a FIFO given as --config is refused, not read")
    func fifoAsConfig() async throws {
        let directory = try project()
        defer { directory.remove() }
        let path = directory.path("pipe.toml")
        #expect(mkfifo(path, 0o644) == 0)
        let result = try await run(["status", "--config", path], in: directory)
        #expect(result.status == 2)
        let line = errorLine(result)
        #expect(line.contains("pipe.toml"))
        #expect(line.contains("is a FIFO"))
    }

    @Test("`cutover new` with a Unicode name writes a file every command accepts")
    func unicodeNew() async throws {
        let directory = try project()
        defer { directory.remove() }
        let created = try await run(["new", "ünïcödé name"], in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("migrations")).filter { $0 != "cutover.sum" }
        #expect(files.count == 1)
        #expect(files.first?.hasSuffix("_ünïcödé_name.sql") == true)
        let file = try #require(files.first)
        try directory.write("migrations/\(file)", "-- cutover:up\nCREATE TABLE t (id int);\n-- cutover:down\nDROP TABLE t;\n")
        for command in [["status"], ["validate"], ["migrate"], ["status"]] {
            let result = try await run(command, in: directory)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        let status = try await run(["status", "--json"], in: directory)
        #expect(status.stdout.contains("ünïcödé_name"))
        #expect(status.stdout.contains("\"applied\""))
    }
}
