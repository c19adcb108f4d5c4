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

    /// Creates the folder (mode 0700: backups hold all the data) when it is missing.
    ///
    /// - Throws: ``CutoverError`` `.backupFailed`.
    func prepareDirectory() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CutoverError(.backupFailed, "the backup folder \(directory) is a file", hint: "point [backup] dir in cutover.toml at a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CutoverError(
                .backupFailed, "cannot create the backup folder \(directory): \(Self.reason(error))",
                hint: "fix [backup] dir in cutover.toml, or the permissions of its parent folder")
        }
    }

    /// The catalog; empty when the file does not exist yet.
    ///
    /// - Throws: ``CutoverError`` `.ioFailed` when it cannot be read or parsed.
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
                .ioFailed, "the backup catalog \(path) is not valid: \(error)",
                hint: "restore it from a copy, or move it away (the backup files stay usable with pg_restore or sqlite3)")
        }
    }

    /// Reads the catalog, lets `body` change it, and writes it back, all under the lock.
    ///
    /// - Throws: ``CutoverError`` `.ioFailed`, or what `body` throws (nothing is written then).
    func update<T>(_ body: (inout BackupCatalog) throws -> T) throws -> T {
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o600)
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
        var catalog = try read()
        let result = try body(&catalog)
        try write(catalog)
        return result
    }

    private func write(_ catalog: BackupCatalog) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(catalog) + Data("\n".utf8)
            // .atomic writes a temporary file in the same folder and renames it over.
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CutoverError(.ioFailed, "cannot write the backup catalog \(path): \(Self.reason(error))", hint: "check that the backup folder is writable and has room")
        }
    }

    static func reason(_ error: any Error) -> String {
        let text = (error as NSError).localizedDescription
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError { return "\(text) (\(underlying.localizedDescription))" }
        return text
    }
}
