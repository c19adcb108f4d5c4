import CutoverCore
import CutoverPostgres
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Child processes, ports and clean-up for the test cluster.
extension PostgresCluster {

    /// Runs a program to completion and returns its exit status and combined output.
    ///
    /// Uses `posix_spawn` with every inherited descriptor above stderr closed, not
    /// Foundation's `Process`: on Linux, `Process` learns that a child ended when a socket it
    /// hands the child closes, and `pg_ctl start` leaves a server running that inherits that
    /// socket, so the wait would never end.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    ///   - asPostgresUser: run it as the `postgres` system user through `runuser` (for the
    ///     server binaries, which refuse root).
    ///   - directory: the working directory; defaults to `/tmp`, which every user can enter.
    /// - Returns: the exit status (128 + signal when killed) and what the program wrote to
    ///   stdout and stderr.
    /// - Throws: ``PostgresClusterError`` when the program cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], asPostgresUser: Bool, in directory: String = "/tmp"
    ) async throws -> (status: Int32, output: String) {
        let runuser = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
        let argv = asPostgresUser ? [runuser, "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        // Output goes to a file, not a pipe: a server left running could hold a pipe open,
        // and a file never blocks a chatty child.
        let outputPath = NSTemporaryDirectory() + "cutover-run-" + randomHex(8) + ".log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            // spawn + blocking waitpid on a plain thread, off the cooperative pool.
            DispatchQueue.global().async {
                do {
                    let pid = try spawn(argv, directory: directory, outputPath: outputPath)
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
                    let signal = status & 0x7f
                    continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status, text)
    }

    private static func spawn(_ argv: [String], directory: String, outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        #if canImport(Glibc)
        // glibc declares these only under _GNU_SOURCE, which Swift does not set; they exist
        // since glibc 2.29 (chdir) and 2.34 (closefrom).
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        let handle = dlopen(nil, RTLD_NOW)
        guard let closeFrom = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np"),
            let changeDirectory = dlsym(handle, "posix_spawn_file_actions_addchdir_np")
        else {
            throw PostgresClusterError("this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        _ = directory.withCString { unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, $0) }
        #else
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        posix_spawn_file_actions_addchdir_np(&actions, directory)
        #endif
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environment)
        guard result == 0 else {
            throw PostgresClusterError("could not start \(argv[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    // MARK: - Helpers

    static func chownToPostgres(_ directory: String) throws {
        guard let entry = getpwnam("postgres") else { return }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        var paths = [directory]
        paths += ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).map { directory + "/" + $0 }
        for path in paths where chown(path, uid, gid) != 0 {
            throw PostgresClusterError("could not hand \(path) to the postgres user (errno \(errno))")
        }
    }

    /// Binds port 0 on 127.0.0.1 and reads the port the kernel picked.
    static func freeLoopbackPort() throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw PostgresClusterError("could not open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw PostgresClusterError("could not bind a loopback socket to find a free port") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw PostgresClusterError("could not read the free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `count` random lowercase hex digits, for names that must not collide.
    public static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement()! })
    }

    /// Stops and deletes clusters whose owning test process is gone (a crash or a kill -9
    /// skips the exit handler).
    static func removeAbandonedClusters() {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("cutover-pg-") }
        for folder in folders {
            let directory = "/tmp/" + folder
            guard let text = try? String(contentsOfFile: directory + "/owner.pid", encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            ClusterRegistry.stopAndRemove(directory: directory)
        }
    }
}
