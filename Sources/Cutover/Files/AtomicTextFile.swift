import CutoverCore
import Foundation

/// Replaces a text file atomically: a temporary file in the same folder, written and
/// flushed, then renamed over the old one (rename(2) within one file system is atomic), so
/// a reader — an editor, `git diff`, a second run — sees the old or the new text, never a
/// mix or an empty file. A file that already holds the text is left alone (its
/// modification time too, so build tools watching it do not wake up).
enum AtomicTextFile {
    /// Why a write failed: the step and the `errno` of the call that failed.
    struct Failure: Error, Sendable {
        var step: String
        var code: Int32

        /// `strerror`'s text.
        var reason: String { String(cString: strerror(code)) }
    }

    /// Writes `text` to `path` unless the file already holds exactly that.
    ///
    /// - Parameters:
    ///   - text: the new contents.
    ///   - path: absolute, or relative to the current directory; its folder must exist.
    ///   - mode: the permission bits of a new file (the umask applies).
    /// - Returns: false when the file already held `text` and was not touched.
    /// - Throws: ``Failure`` naming the step that failed; no temporary file is left behind.
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(Failure) -> Bool {
        let bytes = Array(text.utf8)
        if let existing = PosixFile.read(path), existing == bytes { return false }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(step: "create a temporary file in its folder", code: errno) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(descriptor) }
            if !renamed { unlink(temporary) }
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(step: "write", code: errno)
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw Failure(step: "flush", code: errno) }
        closed = true
        guard close(descriptor) == 0 else { throw Failure(step: "close", code: errno) }
        guard rename(temporary, path) == 0 else { throw Failure(step: "rename the temporary file over it", code: errno) }
        renamed = true
        return true
    }
}

// The system call, named apart from `AtomicTextFile`'s own `write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
