import Foundation

/// Whole-file reads and folder listings with plain POSIX calls: cheaper than Foundation's for the
/// thousand small files of a migrations folder.
enum PosixFile {
    /// The whole file at `path` (absolute, or relative to `folder` when one is given); nil
    /// when it is not a regular file or cannot be opened or read (a FIFO is never opened).
    static func read(_ path: String, in folder: Int32 = AT_FDCWD) -> [UInt8]? {
        guard case .success(let descriptor) = RegularFile.open(path, in: folder) else { return nil }
        defer { close(descriptor) }
        return read(descriptor: descriptor)
    }

    /// Everything left to read from `descriptor`; nil on a read error. Reads straight into
    /// a buffer of the file's size (plus a chunk, in case it grows meanwhile).
    static func read(descriptor: Int32) -> [UInt8]? {
        var info = stat()
        let expected = fstat(descriptor, &info) == 0 ? max(Int(info.st_size), 0) : 0
        var bytes = [UInt8](repeating: 0, count: expected + 4_096)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 {
                bytes.removeLast(bytes.count - filled)
                return bytes
            }
            filled += count
        }
    }

    /// The names in the open folder `folder` (without `.` and `..`); nil when it cannot be read.
    static func names(in folder: Int32) -> [String]? {
        let copy = dup(folder)
        guard copy >= 0 else { return nil }
        guard let stream = fdopendir(copy) else {
            close(copy)
            return nil
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

// The system call, named apart from `PosixFile`'s own `read`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
