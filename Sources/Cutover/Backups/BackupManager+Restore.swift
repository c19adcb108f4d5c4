import CutoverCore
import Foundation
import Logging

/// What ``BackupManager/restore(_:to:force:)`` did.
public struct RestoreReport: Sendable {
    /// The backup restored.
    public var backup: BackupRecord
    /// Where it was restored (keeps credentials; print `DatabaseURL.redacted`).
    public var target: DatabaseURL
    /// Whether existing contents were replaced (`--force`).
    public var replaced: Bool
    /// The backup of the live database taken first, when it was replaced.
    public var safetyBackup: BackupRecord?
    /// How long the restore took, the safety backup included.
    public var duration: Duration
}

/// Where ``BackupManager/restore(_:to:force:)`` puts a backup.
public enum RestoreTarget: Sendable, Equatable {
    /// A new database named after the backup: `<db>_restored_<id>` (PostgreSQL, on the
    /// same server) or `<file>_restored_<id>.sqlite3` (SQLite, in the same folder).
    case newDatabase
    /// The given database (created when missing).
    case database(DatabaseURL)
    /// The environment's own database.
    case live
}

extension BackupManager {
    /// Restores a backup into a new database named after it (the default), into a given
    /// database, or over the environment's live database.
    ///
    /// The backup file's SHA-256 is checked against the catalog first; a damaged file is
    /// never restored. A target that does not exist is created; an empty one is filled.
    /// A target that holds objects is refused unless `force` is set; when it is the
    /// environment's own (live) database, a fresh backup of it is taken first (and if that
    /// fails, nothing is restored), and the run lock is held so no migration runs
    /// meanwhile. The replacement itself is one transaction.
    ///
    /// ```swift
    /// let copy = try await manager.restore("20261124T201500Z-production")
    /// print(copy.target.redacted)   // postgres://app:***@db/shop_restored_20261124t201500z_production
    /// let back = try await manager.restore("20261124T201500Z-production", to: .live, force: true)
    /// print(back.safetyBackup?.id ?? "")   // the live database as it was before
    /// ```
    ///
    /// - Parameters:
    ///   - id: the backup's id, or an unambiguous prefix of it.
    ///   - target: where to restore.
    ///   - force: replace the contents of a target that is not empty.
    /// - Returns: what was done.
    /// - Throws: `CutoverError` `.invalidArgument` (unknown id, a backup of another kind
    ///   of database, a non-empty target without `force`), `.backupMismatch` (the file is
    ///   missing or damaged), `.backupFailed` (the safety backup failed; nothing was
    ///   restored), `.restoreFailed`, `.lockNotAcquired`, connection errors.
    /// - Warning: with `force`, everything in the target written since the backup is lost
    ///   (for the live database it remains in the safety backup).
    public func restore(_ id: String, to target: RestoreTarget = .newDatabase, force: Bool = false) async throws -> RestoreReport {
        let clock = ContinuousClock()
        let start = clock.now
        let store = catalogFile
        let record = try store.read().record(id, env: environment)
        let destination: DatabaseURL
        switch target {
        case .newDatabase: destination = driver.siblingURL(of: url, suffix: "restored_" + Self.nameSuffix(record.id))
        case .database(let given): destination = given
        case .live: destination = url
        }
        try checkFormat(record, for: destination)
        let file = try await checkedFile(record)
        let isLive = driver.isSameDatabase(destination, url)
        var replacing = false
        var safety: BackupRecord?
        if case .notEmpty(let detail) = try await driver.inspectTarget(destination, logger: logger) {
            guard force else {
                throw CutoverError(
                    .invalidArgument,
                    isLive ? "restoring \(record.id) over the live database of \(environment) (\(url.redacted)) would replace everything in it (\(detail))"
                        : "\(destination.redacted) already holds \(detail)",
                    hint: isLive ? "restore into a new database (leave out --force), or pass --force: a fresh backup of the live database is taken first"
                        : target == .newDatabase ? "drop it, or restore into another database with --into URL"
                        : "restore into a database that does not exist yet, or pass --force to replace its contents")
            }
            replacing = true
        }
        if replacing && isLive {
            // The lock first, so no migration runs between the safety backup and the restore.
            safety = try await withRunLock {
                let safety = try await backup(reason: "before restore of \(record.id)").record
                try await restoreFile(file, record: record, into: destination, replacing: true)
                return safety
            }
        } else {
            try await restoreFile(file, record: record, into: destination, replacing: replacing)
        }
        let duration = clock.now - start
        events(.finished(operation: "restore", id: record.id, duration: duration))
        return RestoreReport(backup: record, target: destination, replaced: replacing, safetyBackup: safety, duration: duration)
    }

    private func restoreFile(_ file: String, record: BackupRecord, into destination: DatabaseURL, replacing: Bool) async throws {
        events(.started(operation: "restore", id: record.id, target: destination.redacted))
        logger.info("restore started", metadata: ["cutover_backup": "\(record.id)", "cutover_database": "\(destination.redacted)", "replacing": "\(replacing)"])
        do {
            try await driver.restore(file, into: destination, replacing: replacing, properties: record.properties, progress: reporter, logger: logger)
        } catch var error as CutoverError where error.code == .restoreFailed || error.code == .statementFailed {
            error.code = .restoreFailed
            if !error.message.contains(record.id) { error.message = "restoring \(record.id): \(error.message)" }
            throw error
        }
    }

    /// Holds the environment's run lock around `body`, so no migration runs while the
    /// live database is replaced.
    private func withRunLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await driver.withSession(url, logger: logger) { session in
            let lock = try await session.acquireRunLock(wait: configuration.lockWait, logger: logger)
            do {
                let result = try await body()
                await lock.release()
                return result
            } catch {
                await lock.release()
                throw error
            }
        }
    }

    /// Refuses a backup written by another kind of database.
    func checkFormat(_ record: BackupRecord, for destination: DatabaseURL) throws {
        let format = driver.backupFormat(for: destination)
        guard record.format == format.name else {
            throw CutoverError(
                .invalidArgument, "backup \(record.id) is a \(record.format) file; \(destination.redacted) takes \(format.name) backups",
                hint: "restore it into a database of the kind it was taken from (\(record.database))")
        }
    }

    /// The backup's file, after checking that it exists and that its SHA-256 matches the
    /// catalog.
    ///
    /// - Throws: `CutoverError` `.backupMismatch`.
    func checkedFile(_ record: BackupRecord) async throws -> String {
        let file = catalogFile.file(record.file)
        guard FileManager.default.fileExists(atPath: file) else {
            throw CutoverError(
                .backupMismatch, "the file of backup \(record.id) is missing: \(file)",
                hint: "it was moved or deleted; the catalog entry can be removed by hand from \(catalogFile.path)")
        }
        let digest = try await FileDigest.sha256(ofFileAt: file, progress: reporter)
        guard digest == record.sha256 else {
            throw CutoverError(
                .backupMismatch, "the file of backup \(record.id) is damaged: its SHA-256 is \(digest), the catalog recorded \(record.sha256)",
                hint: "restore another backup (`cutover backups`); this one cannot be trusted")
        }
        return file
    }
}
