import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clusters this process started, stopped by an exit handler.
///
/// The one piece of process-wide state in the test support: `atexit` takes a C function
/// that cannot capture, so the folders to clean up live here.
final class ClusterRegistry: @unchecked Sendable {
    // @unchecked: `directories` is only touched under `lock`.
    static let shared = ClusterRegistry()
    private let lock = NSLock()
    private var directories: [String] = []
    private var isHandlerInstalled = false

    func register(directory: String) {
        lock.withLock {
            directories.append(directory)
            if !isHandlerInstalled {
                isHandlerInstalled = true
                atexit { ClusterRegistry.shared.stopAll() }
            }
        }
    }

    private func stopAll() {
        let all = lock.withLock { directories }
        for directory in all { Self.stopAndRemove(directory: directory) }
    }

    /// `pg_ctl stop -m immediate` without a subprocess: SIGQUIT to the postmaster (safe in an
    /// exit handler), a short wait for it to go, then the folder is deleted.
    static func stopAndRemove(directory: String) {
        let pidFile = directory + "/data/postmaster.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces))
        {
            kill(pid, SIGQUIT)
            // The postmaster removes its pid file on the way out.
            for _ in 0..<60 where FileManager.default.fileExists(atPath: pidFile) && kill(pid, 0) == 0 {
                usleep(50_000)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
