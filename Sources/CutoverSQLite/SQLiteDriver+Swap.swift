import CutoverCore
import Foundation
import Logging

extension SQLiteDriver: DatabaseSwapping {
    /// Holds a `BEGIN IMMEDIATE` write lock on the source: readers go on, writers wait for
    /// their busy timeout and then fail with SQLITE_BUSY (https://www.sqlite.org/lockingv3.html).
    /// WAL databases are refused: their `-wal` file belongs to the old file and would be
    /// replayed into the swapped-in one.
    public func pauseWrites(_ source: DatabaseURL, logger: Logger) async throws -> any WritePause {
        guard !source.isInMemory else {
            throw CutoverError(.invalidArgument, "an in-memory SQLite database cannot be swapped", hint: "use a file: sqlite:PATH")
        }
        let database = try await SQLiteDatabase.open(source, busyTimeout: configuration.busyTimeout, logger: logger)
        do {
            let mode = try await database.query("PRAGMA journal_mode").first?.string("journal_mode")?.lowercased()
            guard mode != "wal" else {
                throw CutoverError(
                    .invalidArgument, "the swap strategy does not support SQLite databases in WAL mode ('\(source.path)')",
                    hint: "migrate without --strategy swap, or switch with PRAGMA journal_mode = DELETE while the application is stopped")
            }
            try await database.execute("BEGIN IMMEDIATE")
        } catch {
            await database.close()
            throw error
        }
        return SQLiteWritePause(database: database)
    }

    /// Keeps the old file under `oldName` (a hard link, so the source path always exists)
    /// and moves the clone over the source path with one atomic `rename(2)`.
    public func swap(_ source: DatabaseURL, with clone: DatabaseURL, keepingOldAs oldName: String, pause: any WritePause, logger: Logger) async throws -> DatabaseURL {
        let folder = (source.path as NSString).deletingLastPathComponent
        let oldPath = (folder.isEmpty ? "." : folder) + "/" + (oldName.contains(".") ? oldName : oldName + ".sqlite3")
        guard link(source.path, oldPath) == 0 else {
            throw CutoverError(
                .ioFailed, "cannot keep the old database as '\(oldPath)': \(String(cString: strerror(errno)))",
                hint: "check that the folder is writable and '\(oldPath)' does not exist yet")
        }
        guard rename(clone.path, source.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(oldPath)
            throw CutoverError(.ioFailed, "cannot move the migrated copy over '\(source.path)': \(reason)", hint: "the source is unchanged")
        }
        await pause.resume()
        // The old file is kept for comparison and recovery, not for writing: take the write
        // permission away (a process that already has it open keeps its descriptor).
        var status = stat()
        if stat(oldPath, &status) != 0 || chmod(oldPath, status.st_mode & 0o7555) != 0 {
            logger.warning("could not make the kept database read-only: \(String(cString: strerror(errno)))", metadata: ["cutover_old": "\(oldPath)"])
        }
        logger.info("swapped", metadata: ["cutover_database": "\(source.path)", "cutover_old": "\(oldPath)"])
        return source.withPath(oldPath)
    }

    /// The kept file's mode as it is now: read-only, or still writable with the command that
    /// fixes it.
    public func protectionOfKept(_ old: DatabaseURL) async -> String {
        var status = stat()
        guard stat(old.path, &status) == 0 else { return "cannot be checked: \(String(cString: strerror(errno)))" }
        let mode = String(status.st_mode & 0o777, radix: 8)
        if status.st_mode & 0o222 == 0 { return "read-only file (mode \(mode)); root can still write it" }
        return "still writable (mode \(mode)): run `chmod a-w \(old.path)`"
    }
}

/// The connection holding the write lock; `resume()` rolls back its empty transaction.
final class SQLiteWritePause: WritePause {
    private let database: SQLiteDatabase

    init(database: SQLiteDatabase) {
        self.database = database
    }

    func resume() async {
        // Nothing to keep if this fails: the transaction wrote nothing, and closing the
        // connection ends it anyway (https://www.sqlite.org/c3ref/close.html).
        try? await database.execute("ROLLBACK")
        await database.close()
    }
}
