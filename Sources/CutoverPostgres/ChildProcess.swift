import CCutoverSpawn
import CutoverCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program this process starts: `pg_dump`, `pg_restore`, `psql`.
///
/// Not Foundation's `Process`: on Linux it learns that a child ended through a pipe the
/// child inherits, and it passes every descriptor of this process on to the child. Here the
/// child gets exactly stdin, stdout and stderr (every other inherited descriptor is closed,
/// so no socket of ours stays open in it), output goes to unnamed temporary files
/// (``ScratchFile``, nothing left in `TMPDIR` however Cutover ends) or to a pipe between two
/// children, and the wait is a plain `waitpid` on a thread of its own.
///
/// Cancelling the task that waits for a child sends it SIGTERM and waits for it to end: a
/// Ctrl-C or SIGTERM of `cutover` is turned into that cancellation, so every `pg_dump`,
/// `pg_restore` and `psql` of a backup, restore or dump clone is stopped and reaped before
/// the clean-up runs.
///
/// A child dies with this process: on Linux it is started by `cutover_spawn` (the
/// CCutoverSpawn target), which sets `PR_SET_PDEATHSIG` to `SIGKILL` in the child before
/// `execve`. A `kill -9` of Cutover therefore stops a running `pg_dump` (no orphan keeps
/// writing a backup file nobody will finish) and a `pg_restore | psql` pair (whose
/// connection closes, so the server rolls the restore back).
final class ChildProcess: Sendable {
    /// Where a standard stream of the child goes.
    enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, created with mode 0600 or truncated.
        case file(String)
        /// A descriptor of this process (one end of a pipe), duplicated into the child.
        case descriptor(Int32)
    }

    /// The process id.
    let pid: pid_t
    /// The program's file name, for messages.
    let name: String

    private init(pid: pid_t, name: String) {
        self.pid = pid
        self.name = name
    }

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - executable: the program's absolute path.
    ///   - arguments: its arguments (never a password: they are visible in `ps`).
    ///   - environment: variables to set (a nil value removes the variable) on top of this
    ///     process's environment.
    ///   - stdin, stdout, stderr: where the child's streams go.
    /// - Returns: the running child.
    /// - Throws: ``CutoverError`` `.ioFailed` when it cannot be started.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null
    ) throws -> ChildProcess {
        var opened: [Int32] = []
        defer { opened.forEach { close($0) } }
        var descriptors: [Int32] = []
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            let descriptor: Int32
            switch stream {
            case .null:
                descriptor = open("/dev/null", (target == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC)
            case .file(let path):
                descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            case .descriptor(let given):
                descriptor = given
            }
            guard descriptor >= 0 else {
                throw CutoverError(.ioFailed, "could not open a stream for \(executable): \(String(cString: strerror(errno)))", hint: "check that the temporary folder (TMPDIR) is writable")
            }
            if case .descriptor = stream {} else { opened.append(descriptor) }
            descriptors.append(descriptor)
        }
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        // The child dies with this process (PR_SET_PDEATHSIG) and gets only stdin, stdout and
        // stderr; see cutover_spawn.h.
        let result = cutover_spawn(executable, argv, envp, descriptors, &pid)
        let name = (executable as NSString).lastPathComponent
        guard result == 0 else {
            throw CutoverError(
                .ioFailed, "could not start \(executable): \(String(cString: strerror(result)))",
                hint: "check that the file exists and is executable")
        }
        return ChildProcess(pid: pid, name: name)
    }

    /// Waits for the child to end.
    ///
    /// Cancelling the task sends the child SIGTERM, waits for it, and throws
    /// `CancellationError`.
    /// - Returns: the exit status, or 128 + the signal that ended it.
    func wait() async throws -> Int32 {
        let pid = self.pid
        let status = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                // A blocking waitpid on a thread of its own, off the cooperative pool.
                Thread.detachNewThread {
                    var status: Int32 = 0
                    var result: pid_t
                    repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
                    let signal = status & 0x7f
                    continuation.resume(returning: result < 0 ? 127 : (signal == 0 ? (status >> 8) & 0xff : 128 + signal))
                }
            }
        } onCancel: {
            kill(pid, SIGTERM)
        }
        try Task.checkCancellation()
        return status
    }

    /// Waits for the child to end, calling `tick` every `interval` meanwhile.
    ///
    /// - Parameters:
    ///   - interval: how often to call `tick`.
    ///   - tick: reports progress (it polls a file size, a log).
    /// - Returns: the exit status, as ``wait()``.
    func wait(reportingEvery interval: Duration, _ tick: @escaping @Sendable () -> Void) async throws -> Int32 {
        try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { try await self.wait() }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    tick()
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let status = result { return status }
            }
            throw CancellationError()
        }
    }

    /// Sends SIGTERM.
    func terminate() {
        kill(pid, SIGTERM)
    }

    // MARK: - Short programs

    /// Runs a short program (`pg_dump --version`, `pg_config --bindir`) to completion.
    ///
    /// - Returns: the exit status and what it wrote to stdout and stderr.
    /// - Throws: ``CutoverError`` `.ioFailed` when it cannot be started.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
        // Unnamed files: nothing is left in the temporary folder, however this process ends.
        let out = try ScratchFile("out")
        let err = try ScratchFile("err")
        let child = try spawn(executable, arguments, environment: environment, stdout: .descriptor(out.descriptor), stderr: .descriptor(err.descriptor))
        let status = try await child.wait()
        return (status, out.text, err.text)
    }

    /// A pipe whose ends close on exec in this process (each child gets its end through
    /// `dup2`, which clears the flag).
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            throw CutoverError(.ioFailed, "could not create a pipe: \(String(cString: strerror(errno)))", hint: "the process may have too many open files")
        }
        _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
        return (descriptors[0], descriptors[1])
    }

    /// The size of the file at `path`, or nil when it cannot be read.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }
}
