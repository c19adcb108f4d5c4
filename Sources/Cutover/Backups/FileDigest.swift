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
    /// - Throws: `CutoverError` `.ioFailed` when the file cannot be read.
    static func sha256(ofFileAt path: String) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
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
