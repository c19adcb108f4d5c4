import CutoverCore
import Foundation

/// The SQLite file of the chosen environment when it does not exist yet as a command
/// starts, so that a command that fails removes the file it created by opening it.
///
/// Opening a SQLite database creates its file, and some commands open the database
/// before every input is checked (the migration files load while it opens). A command
/// that then fails with bad input must not leave an empty database behind: the next run
/// would take it for an existing, empty database. The file is removed only when nothing
/// was written to it (it and its `-wal` and `-journal` files are empty), so a command
/// that failed after creating tables keeps them.
struct NewDatabaseFile {
    /// The file's absolute path.
    let path: String

    /// The SQLite file `url` names when it does not exist yet; nil otherwise (a server
    /// URL, an in-memory database, a file that exists).
    init?(_ url: DatabaseURL?) {
        guard let url, ["sqlite", "sqlite3", "file"].contains(url.scheme), !url.isInMemory, !url.path.isEmpty,
            !FileManager.default.fileExists(atPath: url.path)
        else { return nil }
        path = url.path
    }

    /// Removes the file and its companions when the command created it and wrote nothing.
    func removeIfUnwritten() {
        let companions = ["-wal", "-journal", "-shm"].map { path + $0 }
        func size(_ file: String) -> Int64? {
            var info = stat()
            return stat(file, &info) == 0 ? Int64(info.st_size) : nil
        }
        guard size(path) == 0, size(path + "-wal") ?? 0 == 0, size(path + "-journal") ?? 0 == 0 else { return }
        for file in [path] + companions { unlink(file) }
    }
}
