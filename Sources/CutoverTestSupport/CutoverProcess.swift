import Foundation

/// Runs the built `cutover` executable as a child process, as a user would.
public struct CutoverProcess: Sendable {
    /// What a finished run printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
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
        try process.run()
        return (process, out, err)
    }

    /// Runs `cutover ARGS` in `directory` to completion.
    public static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) async throws -> Result {
        let (process, out, err) = try start(arguments, in: directory, environment: environment)
        // Read both pipes while the child runs, so a full pipe cannot block it.
        async let stdout = Task.detachedRead(out)
        async let stderr = Task.detachedRead(err)
        let (o, e) = await (stdout, stderr)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: o, stderr: e)
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
