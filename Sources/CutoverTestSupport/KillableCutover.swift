import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `cutover` executable started in a process group of its own, for tests that kill it
/// (and its children) with SIGKILL at a chosen moment, as an operator or the OOM killer would.
///
/// Its stdout and stderr go to files, read once it has ended. Process state comes from
/// `/proc` (Linux).
public final class KillableCutover: Sendable {
    /// The process id, also the id of its process group.
    public let pid: pid_t
    private let outputPath: String
    private let errorPath: String

    private init(pid: pid_t, outputPath: String, errorPath: String) {
        self.pid = pid
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    /// Starts `cutover ARGS` in `directory`, leading a new process group.
    ///
    /// - Parameter umask: when given, the run starts under this umask (set by a shell that
    ///   then execs `cutover`).
    public static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:], umask mask: mode_t? = nil) throws -> KillableCutover {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        env["CUTOVER_CACHE_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-test-cache").path
        for (key, value) in environment { env[key] = value }
        // A shell sets the folder (and the umask), then becomes cutover: the pid stays the same.
        let umaskStep = mask.map { "umask \(String($0, radix: 8)) && " } ?? ""
        let argv = ["/bin/sh", "-c", "cd \"$0\" && \(umaskStep)exec \"$@\"", directory, CutoverProcess.executable] + arguments
        let executable = "/bin/sh"
        let base = NSTemporaryDirectory() + "cutover-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of the test process: an inherited database socket would keep the
        // session alive after the test closed it, for as long as this child runs (a closed
        // session's run lock, a database "in use" by nobody).
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module
        // does not declare.)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return KillableCutover(pid: pid, outputPath: base + ".out", errorPath: base + ".err")
    }

    /// SIGKILL to the whole process group: `cutover` and every child it started.
    public func killGroup() { kill(-pid, SIGKILL) }

    /// SIGKILL to `cutover` alone.
    public func killProcess() { kill(pid, SIGKILL) }

    /// Waits for `cutover` to end and returns its exit status (128 + signal when killed).
    public func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                let signal = status & 0x7f
                continuation.resume(returning: result < 0 ? -1 : (signal == 0 ? (status >> 8) & 0xff : 128 + signal))
            }
        }
    }

    /// What it printed on stdout and stderr (complete once it has ended).
    public var output: (stdout: String, stderr: String) {
        ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "", (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Removes the output files.
    public func cleanUp() {
        unlink(outputPath)
        unlink(errorPath)
    }

    /// The processes `cutover` started, and theirs, with their program names.
    public func descendants() -> [RunningProcess] {
        RunningProcess.descendants(of: pid)
    }
}

/// A process seen in `/proc`.
public struct RunningProcess: Sendable, Hashable, CustomStringConvertible {
    public let pid: pid_t
    public let name: String

    public var description: String { "\(name) (pid \(pid))" }

    /// Whether the process has ended (no entry, or a zombie nobody reaped yet).
    public static func hasEnded(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first == "Z" || fields.first == "X"
    }

    /// Polls until every process in `processes` has ended, at most `limit`; returns those
    /// still running then.
    public static func waitUntilEnded(_ processes: [RunningProcess], limit: Duration = .seconds(15)) async -> [RunningProcess] {
        let deadline = ContinuousClock.now + limit
        while true {
            let running = processes.filter { !hasEnded($0.pid) }
            if running.isEmpty || ContinuousClock.now >= deadline { return running }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Children of `parent`, and their children, from `/proc/*/stat`.
    public static func descendants(of parent: pid_t) -> [RunningProcess] {
        var table: [(pid: pid_t, parent: pid_t, name: String)] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let ppid = pid_t(fields[1]), fields[0] != "Z" else { continue }
            table.append((pid, ppid, name))
        }
        var found: [RunningProcess] = []
        var frontier: Set<pid_t> = [parent]
        while !frontier.isEmpty {
            let children = table.filter { frontier.contains($0.parent) }
            found += children.map { RunningProcess(pid: $0.pid, name: $0.name) }
            frontier = Set(children.map(\.pid))
        }
        return found
    }
}

/// Polls `condition` until it holds, at most `limit`; true when it held.
public func pollUntil(limit: Duration = .seconds(60), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
