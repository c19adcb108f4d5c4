import CutoverCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `catalog.json` in a backup folder: read, and changed under a lock.
///
/// Changes take an exclusive `flock` on `catalog.lock` beside it, so two `cutover` runs
/// backing up at once both end up in the catalog, and the new file is written beside the
/// old one and renamed over it, so a reader (or a crash) never sees half a catalog.
struct BackupCatalogFile: Sendable {
    /// The backup folder.
    let directory: String

    var path: String { directory + "/catalog.json" }
    private var lockPath: String { directory + "/catalog.lock" }

    /// The absolute path of a file named in the catalog.
    func file(_ name: String) -> String { directory + "/" + name }

    /// Creates the folder (mode 0700: backups hold all the data) when it is missing, and
    /// takes group and other access away from one that exists.
    ///
    /// - Returns: the folder's former permissions when they were tightened to 0700, else nil.
    /// - Throws: `CutoverError` `.backupFailed`.
    @discardableResult
    func prepareDirectory() throws -> mode_t? {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw CutoverError(.backupFailed, "the backup folder \(directory) is a file", hint: "point [backup] dir in cutover.toml at a folder")
            }
            let permissions = info.st_mode & 0o7777
            guard permissions & 0o077 != 0 else { return nil }
            guard chmod(directory, permissions & 0o700) == 0 else {
                throw CutoverError(
                    .backupFailed, "cannot restrict the backup folder \(directory) to its owner (mode \(String(permissions, radix: 8))): \(String(cString: strerror(errno)))",
                    hint: "chmod 700 \(directory) as its owner")
            }
            return permissions
        }
        do {
            let parent = (directory as NSString).deletingLastPathComponent
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw CutoverError(.ioFailed, String(cString: strerror(errno)))
            }
            // mkdir's mode goes through the umask, which may only narrow it; chmod sets it.
            guard chmod(directory, 0o700) == 0 else { throw CutoverError(.ioFailed, String(cString: strerror(errno))) }
        } catch {
            throw CutoverError(
                .backupFailed, "cannot create the backup folder \(directory): \(Self.reason(error))",
                hint: "fix [backup] dir in cutover.toml, or the permissions of its parent folder")
        }
        return nil
    }

    /// The catalog; empty when the file does not exist yet.
    ///
    /// - Throws: `CutoverError` `.ioFailed` when it cannot be read or parsed.
    func read() throws -> BackupCatalog {
        guard FileManager.default.fileExists(atPath: path) else { return BackupCatalog() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CutoverError(.ioFailed, "cannot read the backup catalog \(path): \(Self.reason(error))", hint: "check the file's permissions")
        }
        do {
            return try JSONDecoder().decode(BackupCatalog.self, from: data)
        } catch {
            throw CutoverError(
                .ioFailed, "the backup catalog \(path) is not valid: \(ErrorDescription.of(error))",
                hint: "restore it from a copy, or move it away (the backup files stay usable with pg_restore or sqlite3)")
        }
    }

    /// Runs `body` holding the exclusive `flock` on `catalog.lock`.
    ///
    /// - Throws: `CutoverError` `.ioFailed`, or what `body` throws.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CutoverError(.ioFailed, "cannot open \(lockPath): \(String(cString: strerror(errno)))", hint: "check the backup folder's permissions")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw CutoverError(.ioFailed, "cannot lock \(lockPath): \(String(cString: strerror(errno)))", hint: "check the backup folder's file system")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Reads the catalog, lets `body` change it, and writes it back, all under the lock.
    ///
    /// - Throws: `CutoverError` `.ioFailed`, or what `body` throws (nothing is written then).
    func update<T>(_ body: (inout BackupCatalog) throws -> T) throws -> T {
        try withLock {
            var catalog = try read()
            let result = try body(&catalog)
            try write(catalog)
            return result
        }
    }

    /// Removes the `.partial` files of killed backups (and leftovers of a killed catalog
    /// write), under the lock; see ``BackupPartialFile/removeOrphans(in:)``.
    ///
    /// - Returns: what was removed.
    /// - Throws: `CutoverError` `.ioFailed` when the lock cannot be taken.
    func removeOrphans() throws -> [OrphanedBackupFile] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try withLock { BackupPartialFile.removeOrphans(in: directory) }
    }

    private func write(_ catalog: BackupCatalog) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(catalog) + Data("\n".utf8)
            try Self.writeOwnerOnly(data, to: path)
        } catch {
            throw CutoverError(.ioFailed, "cannot write the backup catalog \(path): \(Self.reason(error))", hint: "check that the backup folder is writable and has room")
        }
    }

    /// Writes `data` to `path` with mode 0600 whatever the umask: into
    /// `<path>.<pid>.partial` (locked as a ``BackupPartialFile``, so a killed writer's
    /// leftover is removed like any orphan), then renamed over `path`, so a reader never
    /// sees half a file.
    ///
    /// - Throws: `CutoverError` `.ioFailed`.
    static func writeOwnerOnly(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).\(getpid()).partial"
        unlink(temporary)
        guard let file = try BackupPartialFile.create(temporary, folder: folder) else {
            throw CutoverError(.ioFailed, "\(temporary) exists")
        }
        defer { file.release() }
        do {
            let handle = FileHandle(forWritingAtPath: temporary)
            guard let handle else { throw CutoverError(.ioFailed, "cannot open \(temporary)") }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw CutoverError(.ioFailed, "cannot rename \(temporary): \(String(cString: strerror(errno)))") }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static func reason(_ error: any Error) -> String {
        let text = (error as NSError).localizedDescription
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError { return "\(text) (\(underlying.localizedDescription))" }
        return text
    }
}
