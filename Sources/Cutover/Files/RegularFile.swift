import CutoverCore
import Foundation

/// Opens files that must be regular files: migration files and `cutover.toml`.
///
/// The type is checked before opening (`fstatat`, following symbolic links, then without
/// following them to tell a dangling link apart), so a FIFO, socket or device named like a
/// migration is never opened: opening a FIFO for reading blocks until a writer appears.
/// `O_NONBLOCK` guards the race where the name is replaced between the check and the open,
/// and the open file is checked again.
///
/// ```swift
/// let text = try RegularFile.readText("migrations/1_init.sql", code: .invalidMigration)
/// ```
package enum RegularFile {
    /// Why a name cannot be read as a regular file.
    package enum Problem: Error, Sendable, Equatable {
        /// Nothing by that name.
        case missing
        /// A directory.
        case directory
        /// A FIFO, socket or device; `kind` names it ("a FIFO (named pipe)").
        case notRegular(kind: String)
        /// A symbolic link whose target does not exist.
        case danglingSymbolicLink
        /// A symbolic link that leads back to itself (or too many links in a chain).
        case symbolicLinkLoop
        /// Any other failure of the system call, with its `strerror` text.
        case system(String)

        /// What is wrong, to follow the file's name: "is a directory".
        package var description: String {
            switch self {
            case .missing: "does not exist"
            case .directory: "is a directory, not a file"
            case .notRegular(let kind): "is \(kind), not a regular file"
            case .danglingSymbolicLink: "is a dangling symbolic link (its target does not exist)"
            case .symbolicLinkLoop: "is a symbolic link loop (the link leads back to itself)"
            case .system(let text): "cannot be read: \(text)"
            }
        }
    }

    /// Opens `name` (absolute, or relative to the open folder `folder`) for reading when it
    /// is a regular file, or a symbolic link to one.
    /// - Returns: the open descriptor, which the caller closes; or the problem.
    static func open(_ name: String, in folder: Int32 = AT_FDCWD) -> Result<Int32, Problem> {
        var info = stat()
        guard fstatat(folder, name, &info, 0) == 0 else { return .failure(problemAfterFailedStat(name, in: folder, error: errno)) }
        if let problem = problem(ofType: info.st_mode) { return .failure(problem) }
        let descriptor = openat(folder, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            let error = errno
            return .failure(error == ELOOP ? .symbolicLinkLoop : .system(String(cString: strerror(error))))
        }
        // The name may have been replaced since the check: look at what was opened.
        guard fstat(descriptor, &info) == 0 else {
            let error = errno
            close(descriptor)
            return .failure(.system(String(cString: strerror(error))))
        }
        if let problem = problem(ofType: info.st_mode) {
            close(descriptor)
            return .failure(problem)
        }
        return .success(descriptor)
    }

    /// The whole regular file at `path` as UTF-8 text.
    /// - Parameters:
    ///   - code: the error code for a problem (`.invalidMigration`, `.invalidConfig`).
    ///   - displayName: how the error names the file (default `path`).
    /// - Throws: `CutoverError` naming the file and what it is instead of a regular file,
    ///   or that it is not UTF-8.
    package static func readText(_ path: String, code: CutoverError.Code, displayName: String? = nil) throws -> String {
        let shown = displayName ?? path
        let descriptor: Int32
        switch open(path) {
        case .success(let opened): descriptor = opened
        case .failure(let problem):
            throw CutoverError(code, "'\(shown)' \(problem.description)", hint: hint(for: problem), file: shown)
        }
        defer { close(descriptor) }
        guard let bytes = PosixFile.read(descriptor: descriptor) else {
            throw CutoverError(code, "cannot read '\(shown)': \(String(cString: strerror(errno)))", hint: "check the file's permissions", file: shown)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CutoverError(code, "cannot read '\(shown)' as UTF-8 text", hint: "save the file as UTF-8", file: shown)
        }
        return text
    }

    /// What to do about `problem`, for the error's hint.
    static func hint(for problem: Problem) -> String {
        switch problem {
        case .missing: "check the path"
        case .directory, .notRegular: "move it out of the way, or rename it so its name does not look like a file cutover reads"
        case .danglingSymbolicLink: "point the link at an existing file, or remove it"
        case .symbolicLinkLoop: "point the link at a regular file, or remove it"
        case .system: "check the file's permissions"
        }
    }

    /// The problem with a file of type `mode`; nil for a regular file.
    private static func problem(ofType mode: mode_t) -> Problem? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: .directory
        case S_IFIFO: .notRegular(kind: "a FIFO (named pipe)")
        case S_IFSOCK: .notRegular(kind: "a socket")
        case S_IFCHR: .notRegular(kind: "a character device")
        case S_IFBLK: .notRegular(kind: "a block device")
        default: .notRegular(kind: "a special file")
        }
    }

    /// Why `fstatat` following links failed: a loop, a dangling link, or nothing there.
    private static func problemAfterFailedStat(_ name: String, in folder: Int32, error: Int32) -> Problem {
        switch error {
        case ELOOP:
            return .symbolicLinkLoop
        case ENOENT:
            var info = stat()
            if fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK {
                return .danglingSymbolicLink
            }
            return .missing
        default:
            return .system(String(cString: strerror(error)))
        }
    }
}
