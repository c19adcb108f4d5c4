import Foundation

/// Runs the built `cutover` executable as a child process, as a user would.
public struct CutoverProcess: Sendable {
    /// What a finished run printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Whether the run was killed for outlasting its timeout (the status is then SIGKILL's).
        public var timedOut = false
    }

    /// The executable: `$CUTOVER_BIN`, or `cutover` next to the test bundle in the build folder.
    public static var executable: String {
        if let explicit = ProcessInfo.processInfo.environment["CUTOVER_BIN"] { return explicit }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("cutover").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("cutover").path
    }

    /// Starts `cutover ARGS` in `directory`; the caller waits or kills it.
    public static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        // The migration cache of test runs goes to one throw-away folder, not the user's ~/.cache.
        env["CUTOVER_CACHE_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-test-cache").path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Never the terminal of whoever runs the tests: a command that asks for confirmation
        // (`rollback`) must see "no terminal" and refuse, not wait for an answer.
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `cutover ARGS` in `directory` to completion.
    /// - Parameter timeout: when given, a run still going after this long is killed and
    ///   returned with ``Result/timedOut`` set, so a test of something that must not hang
    ///   fails instead of hanging the suite.
    public static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:], timeout: Duration? = nil) async throws -> Result {
        let (process, out, err) = try start(arguments, in: directory, environment: environment)
        let killed = KilledFlag()
        let pid = process.processIdentifier
        let killer = DispatchWorkItem {
            killed.set()
            kill(pid, SIGKILL)
        }
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18, execute: killer)
        }
        // Read both pipes while the child runs, so a full pipe cannot block it.
        async let stdout = Task.detachedRead(out)
        async let stderr = Task.detachedRead(err)
        let (o, e) = await (stdout, stderr)
        process.waitUntilExit()
        killer.cancel()
        return Result(status: process.terminationStatus, stdout: o, stderr: e, timedOut: killed.isSet && process.terminationReason == .uncaughtSignal)
    }
}

extension Task where Success == String, Failure == Never {
    static func detachedRead(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// Set once by the timeout's kill, read after the process ended.
private final class KilledFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
