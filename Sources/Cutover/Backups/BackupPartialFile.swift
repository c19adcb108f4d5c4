import CutoverCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `<id>.<ext>.partial` file a backup is written into, locked by its writer.
///
/// The writer holds an exclusive `flock` on it from the moment it is created (exclusively,
/// mode 0600, under the catalog lock) until it is renamed to its final name or removed. The
/// kernel drops the lock when the writer's process ends, however it ends, so a `.partial`
/// file nobody holds locked is an orphan of a killed run; ``removeOrphans(in:)`` removes
/// those. `flock` locks are separate from the `fcntl` locks SQLite takes on the files it
/// writes (`VACUUM INTO` the same file), so neither disturbs the other.
final class BackupPartialFile: Sendable {
    /// The file's absolute path.
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Creates and locks `path`; nil when it exists already.
    ///
    /// Call with the catalog lock held (``BackupCatalogFile/withLock(_:)``), as
    /// ``removeOrphans(in:)`` does: a file created but not yet locked then never looks orphaned.
    /// - Throws: `CutoverError` `.backupFailed` when the folder cannot be written.
    static func create(_ path: String, folder: String) throws -> BackupPartialFile? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return nil }
            throw CutoverError(
                .backupFailed, "cannot write in the backup folder \(folder): \(String(cString: strerror(errno)))",
                hint: "fix the folder's permissions, or point [backup] dir in cutover.toml elsewhere")
        }
        // The umask cannot widen it: backups hold all the data.
        _ = fchmod(descriptor, 0o600)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(path)
            throw CutoverError(.backupFailed, "cannot lock \(path): \(reason)", hint: "the backup folder's file system must support flock")
        }
        return BackupPartialFile(path: path, descriptor: descriptor)
    }

    /// Releases the lock (after the file was renamed or removed).
    func release() {
        close(descriptor)
    }

    /// Removes every `*.partial` file in `folder` that no live writer holds locked, with the
    /// `<id>.schema.txt` written beside it; the catalog lock must be held.
    ///
    /// - Returns: what was removed.
    static func removeOrphans(in folder: String) -> [OrphanedBackupFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var removed: [OrphanedBackupFile] = []
        for name in names.sorted() where name.hasSuffix(".partial") {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            // Held by a running backup: leave it.
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            guard unlink(path) == 0 else { continue }
            removed.append(OrphanedBackupFile(name: name, bytes: Int64(info.st_size)))
            // `<id>.<ext>.partial` → `<id>.schema.txt`, written before the rename.
            let finalName = String(name.dropLast(".partial".count))
            let id = (finalName as NSString).deletingPathExtension
            if !id.isEmpty, !FileManager.default.fileExists(atPath: folder + "/" + finalName) {
                unlink(folder + "/" + id + ".schema.txt")
            }
        }
        return removed
    }
}

/// An unfinished backup file (`*.partial`) of a killed run, removed by the next run.
public struct OrphanedBackupFile: Sendable, Equatable {
    /// The file's name in the backup folder.
    public let name: String
    /// Its size in bytes.
    public let bytes: Int64
}
