import Crypto
import CutoverCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 of files too large to read at once.
enum FileDigest {
    /// The SHA-256 of the file at `path`, in lowercase hex, read in 1 MiB chunks on a
    /// thread of its own (blocking reads stay off the cooperative pool).
    ///
    /// - Parameter progress: receives the bytes hashed so far (operation `checksum`, with
    ///   the file's size as `bytesTotal`) once per its interval: hashing a backup of
    ///   gigabytes takes seconds, which must not pass in silence.
    /// - Throws: `CutoverError` `.ioFailed` when the file cannot be read.
    static func sha256(ofFileAt path: String, progress: ProgressReporter = .none) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
                let clock = ContinuousClock()
                let start = clock.now
                var lastReport = start
                var hashed: Int64 = 0
                let total = size(ofFileAt: path)
                let descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else {
                    continuation.resume(throwing: CutoverError(.ioFailed, "cannot read \(path): \(String(cString: strerror(errno)))", hint: "check the file and its permissions"))
                    return
                }
                defer { close(descriptor) }
                var hasher = SHA256()
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
                defer { buffer.deallocate() }
                while true {
                    let count = read(descriptor, buffer.baseAddress, buffer.count)
                    if count == 0 { break }
                    if count < 0 {
                        if errno == EINTR { continue }
                        continuation.resume(throwing: CutoverError(.ioFailed, "reading \(path) failed: \(String(cString: strerror(errno)))", hint: "check the disk"))
                        return
                    }
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    hashed += Int64(count)
                    let now = clock.now
                    if now - lastReport >= progress.interval {
                        lastReport = now
                        progress.report(BackupProgress(operation: "checksum", bytes: hashed, bytesTotal: total, elapsed: now - start))
                    }
                }
                continuation.resume(returning: hasher.finalize().lowercaseHex)
            }
        }
    }

    /// The size of the file at `path`, or nil when it does not exist.
    static func size(ofFileAt path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }
}
