import CutoverCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Contents

extension SQLiteDatabase: ContentsSummarizing {
    /// The normalised schema and exact row counts of this database.
    ///
    /// Schema lines are `sqlite_schema` rows (type, name, table, SQL text as stored) plus
    /// `user_version` and `application_id`; SQLite's own `sqlite_*` tables are left out.
    /// Rows are counted in every table but virtual tables (their data lives in shadow
    /// tables, which are counted).
    ///
    /// ```swift
    /// let summary = try await db.summarizeContents()
    /// summary.rowCounts["users"]   // 1000
    /// ```
    ///
    /// - Returns: the summary.
    /// - Throws: ``CutoverError`` `.statementFailed`.
    public func summarizeContents() async throws -> ContentsSummary {
        let objects = try await query("""
            SELECT type, name, tbl_name, sql FROM sqlite_schema
            WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name
            """)
        var schema: [String] = []
        var counts: [String: Int] = [:]
        for object in objects {
            let type = object.string("type") ?? "?"
            let name = object.string("name") ?? "?"
            let sql = object.string("sql")
            schema.append("\(type) \(name) on \(object.string("tbl_name") ?? "?"): \(sql ?? "(automatic)")")
            if type == "table", !(sql ?? "").uppercased().hasPrefix("CREATE VIRTUAL TABLE") {
                counts[name] = try await query("SELECT count(*) AS n FROM \(dialect.quoteIdentifier(name))").first?.int("n") ?? 0
            }
        }
        for pragma in ["user_version", "application_id"] {
            let value = try await query("PRAGMA \(pragma)").first?.values.first?.int ?? 0
            schema.append("pragma \(pragma) = \(value)")
        }
        return ContentsSummary(schema: schema, rowCounts: counts)
    }

    /// Writes a consistent copy of the database to `path` with `VACUUM INTO`.
    ///
    /// SQLite reads one snapshot for the whole copy, so writers may continue (in WAL mode
    /// they are not even blocked). The file name is bound as a parameter, so no quoting is
    /// needed; the file must not exist or must be empty.
    func vacuum(into path: String) async throws {
        try await execute("VACUUM INTO ?1", [.text(path)])
    }

    /// The version of the SQLite library.
    func libraryVersion() async throws -> String {
        try await query("SELECT sqlite_version() AS v").first?.string("v") ?? "?"
    }

    /// Replaces everything in this database by the contents of the database file at
    /// `path`, in one `BEGIN IMMEDIATE` transaction.
    ///
    /// Other connections see the old contents or the new ones, never a mix, and keep
    /// working on the same file (unlike a file copy over a database that is open
    /// elsewhere, which can corrupt it). Tables are recreated from the backup's SQL text
    /// and filled with their rows (rowids kept), then indexes, views and triggers are
    /// created, `sqlite_sequence` is copied and `user_version` / `application_id` set.
    ///
    /// - Warning: everything in this database is lost.
    func replaceContents(withDatabaseAt path: String) async throws {
        let source = "cutover_restore_source"
        try await execute("ATTACH DATABASE ?1 AS \(source)", [.text(path)])
        do {
            try await execute("BEGIN IMMEDIATE")
            do {
                try await copyContents(from: source)
                try await execute("COMMIT")
            } catch {
                throw await rollBack(after: error)
            }
            try await execute("DETACH DATABASE \(source)")
        } catch {
            try? await execute("DETACH DATABASE \(source)")
            throw error
        }
    }

    private func copyContents(from source: String) async throws {
        let quote = dialect.quoteIdentifier
        // Rows that reference each other may arrive in any order.
        try await execute("PRAGMA defer_foreign_keys = ON")
        let notInternal = "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        let existing = try await query("SELECT type, name, sql FROM main.sqlite_schema WHERE \(notInternal) AND type IN ('view', 'trigger', 'table')")
        for object in existing where object.string("type") != "table" {
            try await execute("DROP \(object.string("type") == "view" ? "VIEW" : "TRIGGER") IF EXISTS main.\(quote(object.string("name") ?? ""))")
        }
        // Virtual tables first: dropping one drops its shadow tables.
        let tables = existing.filter { $0.string("type") == "table" }
            .sorted { Self.isVirtual($0.string("sql")) && !Self.isVirtual($1.string("sql")) }
        for table in tables {
            try await execute("DROP TABLE IF EXISTS main.\(quote(table.string("name") ?? ""))")
        }

        let objects = try await query("SELECT type, name, sql FROM \(source).sqlite_schema WHERE \(notInternal) ORDER BY rowid")
        for table in objects where table.string("type") == "table" {
            guard let name = table.string("name"), let sql = table.string("sql") else { continue }
            let exists = try await !query("SELECT 1 AS x FROM main.sqlite_schema WHERE type = 'table' AND name = ?1", [.text(name)]).isEmpty
            if exists {
                // A shadow table its virtual table has just created: take the backup's rows.
                try await execute("DELETE FROM main.\(quote(name))")
            } else {
                try await execute(sql)
            }
            if Self.isVirtual(sql) { continue }
            let columns = try await query("PRAGMA \(source).table_xinfo(\(quote(name)))")
                .filter { $0.int("hidden") == 0 }.compactMap { $0.string("name") }
            var list = columns.map(quote)
            let lowered = Set(columns.map { $0.lowercased() })
            if !sql.uppercased().contains("WITHOUT ROWID"), let alias = ["rowid", "_rowid_", "oid"].first(where: { !lowered.contains($0) }) {
                list.insert(alias, at: 0)
            }
            let joined = list.joined(separator: ", ")
            try await execute("INSERT INTO main.\(quote(name)) (\(joined)) SELECT \(joined) FROM \(source).\(quote(name))")
        }
        for object in objects where ["index", "view", "trigger"].contains(object.string("type") ?? "") {
            if let sql = object.string("sql") { try await execute(sql) }
        }
        if try await !query("SELECT 1 AS x FROM \(source).sqlite_schema WHERE name = 'sqlite_sequence'").isEmpty,
            try await !query("SELECT 1 AS x FROM main.sqlite_schema WHERE name = 'sqlite_sequence'").isEmpty
        {
            try await execute("DELETE FROM main.sqlite_sequence")
            try await execute("INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM \(source).sqlite_sequence")
        }
        for pragma in ["user_version", "application_id"] {
            let value = try await query("PRAGMA \(source).\(pragma)").first?.values.first?.int ?? 0
            try await execute("PRAGMA main.\(pragma) = \(value)")
        }
    }

    static func isVirtual(_ sql: String?) -> Bool {
        (sql ?? "").uppercased().hasPrefix("CREATE VIRTUAL TABLE")
    }
}

// MARK: - Backups, restores, clones

extension SQLiteDriver: BackupDriver {
    /// `sqlite`, files ending in `.sqlite3`: a complete SQLite database, openable as is.
    public func backupFormat(for url: DatabaseURL) -> BackupFormat {
        BackupFormat(name: "sqlite", fileExtension: "sqlite3")
    }

    /// `VACUUM INTO` the file; `read` then runs on the finished file, which is the
    /// snapshot.
    ///
    /// - Throws: ``CutoverError`` `.backupFailed` for an in-memory database or a failed
    ///   copy (disk full, folder not writable), `.unknownDatabase` when the file does not
    ///   exist.
    public func backup<T: Sendable>(
        _ url: DatabaseURL, to path: String, progress: ProgressReporter, logger: Logger,
        whileConsistent read: (any ContentsSummarizing) async throws -> T
    ) async throws -> (file: BackupFileInfo, read: T) {
        guard !url.isInMemory else {
            throw CutoverError(.backupFailed, "an in-memory SQLite database cannot be backed up", hint: "use a file: sqlite:PATH")
        }
        try requireFile(url)
        let database = try await SQLiteDatabase.open(url, busyTimeout: configuration.busyTimeout, logger: logger)
        let version: String
        do {
            version = try await database.libraryVersion()
            logger.debug("VACUUM INTO", metadata: ["cutover_database": "\(url.redacted)", "cutover_file": "\(path)"])
            try await withProgress(progress, operation: "backup", path: path) { try await database.vacuum(into: path) }
            await database.close()
        } catch let error as CutoverError where error.code == .statementFailed {
            await database.close()
            throw CutoverError(
                .backupFailed, "VACUUM INTO \(path) failed: \(error.message)",
                hint: "check that the backup folder is writable and has room for a copy of the database",
                databaseCode: error.databaseCode, underlying: error)
        } catch {
            await database.close()
            throw error
        }
        let snapshot = try await SQLiteDatabase.open(try DatabaseURL("sqlite:" + path), busyTimeout: configuration.busyTimeout, logger: logger)
        do {
            let value = try await read(snapshot)
            await snapshot.close()
            return (BackupFileInfo(tool: "SQLite \(version) VACUUM INTO", serverVersion: version), value)
        } catch {
            await snapshot.close()
            throw error
        }
    }

    /// Into a new file: copies the backup into place (through a temporary file renamed
    /// at the end). Replacing: rewrites the live database from the backup in one write
    /// transaction (see the discussion of ``BackupDriver``).
    ///
    /// - Warning: replacing loses everything written since the backup.
    public func restore(
        _ path: String, into url: DatabaseURL, replacing: Bool, properties: [String: String],
        progress: ProgressReporter, logger: Logger
    ) async throws {
        guard !url.isInMemory else {
            throw CutoverError(.invalidArgument, "cannot restore into an in-memory database", hint: "restore into a file: --into sqlite:PATH")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CutoverError(.restoreFailed, "the backup file \(path) does not exist or cannot be read", hint: "check the backup folder; `cutover backups` lists what the catalog knows")
        }
        if replacing {
            try requireFile(url)
            let database = try await SQLiteDatabase.open(url, busyTimeout: configuration.busyTimeout, logger: logger)
            do {
                try await database.replaceContents(withDatabaseAt: path)
                await database.close()
            } catch let error as CutoverError {
                await database.close()
                throw CutoverError(
                    .restoreFailed, "restoring over \(url.path) failed: \(error.message)",
                    hint: error.code == .lockNotAcquired || error.databaseCode?.sqliteResultCode?.primaryResultCode == .busy
                        ? "another connection held the write lock; try again" : "nothing was changed (the restore runs in one transaction)",
                    statement: error.statement, databaseCode: error.databaseCode, underlying: error, rollbackError: error.rollbackError)
            }
            return
        }
        if case .notEmpty(let detail) = try await inspectTarget(url, logger: logger) {
            throw CutoverError(
                .invalidArgument, "\(url.path) already holds \(detail)",
                hint: "restore into a file that does not exist yet, or replace its contents on purpose with --force")
        }
        let folder = (url.path as NSString).deletingLastPathComponent
        guard folder.isEmpty || FileManager.default.fileExists(atPath: folder) else {
            throw CutoverError(.restoreFailed, "the folder \(folder) does not exist", hint: "create it, or restore into another path")
        }
        let temporary = url.path + ".restoring-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try await withProgress(progress, operation: "restore", path: temporary) { try await FileCopier.copyFile(path, to: temporary) }
            for suffix in ["-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
            guard rename(temporary, url.path) == 0 else {
                throw CutoverError(.restoreFailed, "could not move the restored file into place at \(url.path): \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Missing (no file), empty (no file contents or no objects), or not empty.
    public func inspectTarget(_ url: DatabaseURL, logger: Logger) async throws -> RestoreTargetState {
        guard !url.isInMemory else { return .empty }
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        if (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) == 0 { return .empty }
        let database = try await SQLiteDatabase.open(url, busyTimeout: configuration.busyTimeout, logger: logger)
        do {
            let rows = try await database.query("""
                SELECT name, count(*) OVER () AS total FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid LIMIT 3
                """)
            await database.close()
            guard let total = rows.first?.int("total"), total > 0 else { return .empty }
            return .notEmpty(detail: "\(total) object\(total == 1 ? "" : "s"), e.g. \(rows.compactMap { $0.string("name") }.joined(separator: ", "))")
        } catch {
            await database.close()
            throw error
        }
    }

    /// `shop.sqlite3` → `shop_<suffix>.sqlite3` in the same folder.
    public func siblingURL(of url: DatabaseURL, suffix: String) -> DatabaseURL {
        let folder = (url.path as NSString).deletingLastPathComponent
        let file = (url.path as NSString).lastPathComponent
        let stem = (file as NSString).deletingPathExtension
        let ext = (file as NSString).pathExtension
        let name = stem + "_" + suffix + (ext.isEmpty ? "" : "." + ext)
        return url.withPath(folder.isEmpty ? name : folder + "/" + name)
    }

    /// The same file once links and `.`/`..` are resolved.
    public func isSameDatabase(_ lhs: DatabaseURL, _ rhs: DatabaseURL) -> Bool {
        if lhs.isInMemory || rhs.isInMemory { return false }
        func canonical(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return canonical(lhs.path) == canonical(rhs.path)
    }

    /// `VACUUM INTO` a new file next to the source (or at `name` when it is a path).
    ///
    /// Every strategy gives the same consistent copy; the result reports
    /// ``CloneStrategy/snapshot``.
    public func makeClone(of source: DatabaseURL, name: String, strategy: CloneStrategy, progress: ProgressReporter, logger: Logger) async throws -> DatabaseClone {
        guard !source.isInMemory else {
            throw CutoverError(.cloneFailed, "an in-memory SQLite database cannot be cloned", hint: "use a file: sqlite:PATH")
        }
        try requireFile(source)
        guard !name.isEmpty else { throw CutoverError(.invalidArgument, "a clone needs a name", hint: "pass a file name such as shop_rehearsal") }
        var path = name.contains("/") ? name : ((source.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
        if (path as NSString).pathExtension.isEmpty { path += ".sqlite3" }
        let target = source.withPath(path)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CutoverError(.cloneFailed, "\(path) already exists", hint: "choose another name, or drop the old clone first")
        }
        let start = ContinuousClock.now
        let database = try await SQLiteDatabase.open(source, busyTimeout: configuration.busyTimeout, logger: logger)
        do {
            try await database.vacuum(into: path)
            await database.close()
        } catch let error as CutoverError {
            await database.close()
            try? FileManager.default.removeItem(atPath: path)
            throw CutoverError(.cloneFailed, "could not copy \(source.path) to \(path): \(error.message)", hint: "check that the folder is writable and has room",
                databaseCode: error.databaseCode, underlying: error)
        }
        return DatabaseClone(url: target, strategy: .snapshot, duration: ContinuousClock.now - start)
    }

    /// Deletes the clone's file and its `-wal`, `-shm` and `-journal` companions.
    ///
    /// - Warning: SQLite files carry no marker; this deletes whatever file the URL names.
    public func dropClone(_ clone: DatabaseURL, logger: Logger) async throws {
        guard !clone.isInMemory else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: clone.path + suffix) {
            do {
                try FileManager.default.removeItem(atPath: clone.path + suffix)
            } catch {
                throw CutoverError(.cloneFailed, "could not delete \(clone.path + suffix): \(error.localizedDescription)", hint: "check the folder's permissions")
            }
        }
    }

    // MARK: - Helpers

    private func requireFile(_ url: DatabaseURL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CutoverError(.unknownDatabase, "the SQLite database \(url.path) does not exist", hint: "check the path in the URL (or run `cutover migrate` to create it)")
        }
    }

    /// Runs `body`, reporting the size of `path` every interval meanwhile.
    private func withProgress(_ progress: ProgressReporter, operation: String, path: String, _ body: () async throws -> Void) async throws {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: progress.interval)
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).map { Int64($0) }
                    progress.report(BackupProgress(operation: operation, bytes: size, elapsed: ContinuousClock.now - start))
                }
            }
            try await body()
            group.cancelAll()
        }
    }

}

/// File copies for restores.
private enum FileCopier {
    /// Copies a file in 1 MiB chunks on a thread of its own (blocking I/O stays off the
    /// cooperative pool), creating the copy with mode 0644 (less the umask).
    static func copyFile(_ source: String, to destination: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                let input = open(source, O_RDONLY)
                guard input >= 0 else {
                    continuation.resume(throwing: CutoverError(.restoreFailed, "cannot read \(source): \(String(cString: strerror(errno)))", hint: "check the file's permissions"))
                    return
                }
                defer { close(input) }
                let output = open(destination, O_WRONLY | O_CREAT | O_EXCL, 0o644)
                guard output >= 0 else {
                    continuation.resume(throwing: CutoverError(.restoreFailed, "cannot create \(destination): \(String(cString: strerror(errno)))", hint: "check the folder's permissions"))
                    return
                }
                defer { close(output) }
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                    if count == 0 { break }
                    if count < 0 && errno == EINTR { continue }
                    var written = 0
                    while count > 0 && written < count {
                        let result = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                        if result < 0 && errno == EINTR { continue }
                        guard result > 0 else {
                            continuation.resume(throwing: CutoverError(.restoreFailed, "writing \(destination) failed: \(String(cString: strerror(errno)))", hint: "check that the disk has room"))
                            return
                        }
                        written += result
                    }
                    guard count > 0 else {
                        continuation.resume(throwing: CutoverError(.restoreFailed, "reading \(source) failed: \(String(cString: strerror(errno)))", hint: "check the backup file"))
                        return
                    }
                }
                guard fsync(output) == 0 else {
                    continuation.resume(throwing: CutoverError(.restoreFailed, "writing \(destination) failed: \(String(cString: strerror(errno)))", hint: "check that the disk has room"))
                    return
                }
                continuation.resume()
            }
        }
    }
}
