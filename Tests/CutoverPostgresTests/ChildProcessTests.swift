import Foundation
import Testing

@testable import CutoverPostgres

#if canImport(Glibc)
import Glibc
#endif

/// Children are killed with the process (PR_SET_PDEATHSIG), and only then: the kernel sends
/// that signal when the *thread* that forked the child ends, and Swift's pool threads come
/// and go, so children are forked by one thread that lives as long as the process.
@Suite("ChildProcess: children die with the process, not with the thread that started them")
struct ChildProcessTests {
    /// Whether `pid` runs (and is no zombie).
    private func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    @Test("a child outlives the thread that started it")
    func outlivesStartingThread() async throws {
        let slot = UnsafeMutablePointer<pid_t>.allocate(capacity: 1)
        defer { slot.deallocate() }
        slot.initialize(to: 0)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let slot = argument!.assumingMemoryBound(to: pid_t.self)
            slot.pointee = (try? ChildProcess.spawn("/bin/sleep", ["30"]))?.pid ?? -1
            return nil
        }, slot)
        #expect(created == 0)
        // The starting thread has ended once it is joined.
        #expect(pthread_join(thread, nil) == 0)
        let pid = slot.pointee
        #expect(pid > 0)
        #expect(isRunning(pid), "the child died with the thread that started it")
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    @Test("stdout goes to the file asked for; a program that cannot start is an error")
    func streamsAndErrors() async throws {
        let result = try await ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; ls /proc/self/fd"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("out\n"))
        #expect(result.stderr == "err\n")
        // Only stdin, stdout, stderr (and the fd ls opens to read the folder) are open.
        let descriptors = result.stdout.split(separator: "\n").dropFirst().compactMap { Int($0) }
        #expect(descriptors.filter { $0 > 3 }.isEmpty, "\(descriptors)")
        #expect(throws: (any Error).self) { try ChildProcess.spawn("/nonexistent/program", []) }
    }
}
