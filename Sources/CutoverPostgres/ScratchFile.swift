import CutoverCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file without a name, for what a child writes (the messages of `pg_dump`,
/// `pg_restore`, `psql`): created in the temporary folder (`TMPDIR`), unlinked at once and
/// kept through its descriptor, which the child gets as a standard stream.
///
/// Nothing is left in the temporary folder however Cutover ends, `kill -9` included: the
/// kernel frees the file when the last descriptor (ours, the child's) closes.
///
/// ```swift
/// let log = try ScratchFile("pg_dump.log")
/// let child = try ChildProcess.spawn(tools.pgDump, arguments, stderr: .descriptor(log.descriptor))
/// … log.text …
/// ```
final class ScratchFile: Sendable {
    /// The open descriptor (read and write, closed on exec in this process).
    let descriptor: Int32

    /// Creates the file.
    ///
    /// - Parameter purpose: a word for the moment the file has a name (`pg_dump.log`).
    /// - Throws: ``CutoverError`` `.ioFailed` when the temporary folder is not writable.
    init(_ purpose: String) throws {
        var template = Array((NSTemporaryDirectory() + "cutover-\(getpid())-\(purpose)-XXXXXX").utf8CString)
        // mkstemp, then close-on-exec (mkostemp is not imported); children spawned meanwhile
        // get nothing either: cutover_spawn closes every descriptor but the three streams.
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw CutoverError(.ioFailed, "could not create a temporary file in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))", hint: "check that the temporary folder (TMPDIR) is writable")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    /// What was written so far, as UTF-8 text (invalid bytes replaced).
    var text: String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
            offset += off_t(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit {
        close(descriptor)
    }
}
