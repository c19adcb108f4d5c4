import CutoverCore
import Foundation
import Logging

extension SQLiteDriver: DatabaseProvisioning {
    /// Creates the file (an empty database) unless it exists.
    public func createDatabaseIfMissing(_ url: DatabaseURL, logger: Logger) async throws -> Bool {
        guard url.isLocalFile else { return false }
        if FileManager.default.fileExists(atPath: url.path) { return false }
        try await withSession(url, logger: logger) { database in
            // Opening creates the file; a schema read makes SQLite write its header.
            try await database.execute("PRAGMA user_version = 0")
        }
        return true
    }

    /// Removes the file and its `-wal`, `-shm` and `-journal` companions.
    public func dropDatabaseIfExists(_ url: DatabaseURL, logger: Logger) async throws -> Bool {
        guard url.isLocalFile, FileManager.default.fileExists(atPath: url.path) else { return false }
        for path in [url.path, url.path + "-wal", url.path + "-shm", url.path + "-journal"] where FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw CutoverError(.ioFailed, "cannot remove \(path): \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
            }
        }
        return true
    }
}
