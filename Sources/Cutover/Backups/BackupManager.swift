import CutoverCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Takes, lists, restores, verifies and prunes the backups of one environment, keeping
/// them in a folder with a catalog (`catalog.json`).
///
/// A backup is a consistent snapshot written by the driver (PostgreSQL `pg_dump
/// --format=custom`, SQLite `VACUUM INTO`) into `<id>.<ext>.partial` (locked by the run
/// writing it, so the next run can tell a killed run's leftover and remove it), renamed to
/// its final name once complete and hashed, and then recorded with its size, SHA-256, duration, the
/// last applied migration and the row count of every table at the snapshot. Its
/// normalised schema goes beside it in `<id>.schema.txt`.
///
/// ```swift
/// let manager = BackupManager(
///     driver: PostgresDriver(), url: url, environment: "production",
///     configuration: .init(directory: "/var/backups/shop", keep: 10))
/// let report = try await manager.backup()
/// print(report.record.id, report.record.sizeBytes)
/// let check = try await manager.verify(report.record.id)
/// print(check.isMatching)
/// ```
///
/// ## Topics
/// ### Backing up
/// - ``backup(reason:)``
/// - ``list(allEnvironments:)``
/// ### Restoring and checking
/// - ``restore(_:to:force:)``
/// - ``verify(_:)``
/// ### Retention
/// - ``prune()``
/// ### Configuration
/// - ``Configuration``
public struct BackupManager: Sendable {
    /// Where backups go and how many to keep.
    public struct Configuration: Sendable {
        /// The backup folder (absolute). Created with mode 0700 when missing; an existing
        /// one open to group or others is restricted to 0700. Files in it are 0600.
        public var directory: String
        /// How many backups of the environment to keep; nil keeps all. Older ones are
        /// removed only once a newer one has been verified (`BackupRetention`).
        public var keep: Int?
        /// How often long operations report progress.
        public var progressInterval: Duration = .seconds(1)
        /// How long a restore over the live database waits for a running migration's lock.
        public var lockWait: Duration = .seconds(60)

        /// Creates a configuration.
        /// - Parameters:
        ///   - directory: the backup folder, absolute.
        ///   - keep: how many backups to keep; nil keeps all.
        public init(directory: String, keep: Int? = nil) {
            self.directory = directory
            self.keep = keep
        }

        /// The settings of `[backup]` in `cutover.toml` (and `[safety] lock_wait`).
        public init(_ config: CutoverCore.Configuration) {
            self.init(directory: config.backupDirectory, keep: config.backup.keep)
            lockWait = config.safety.lockWait
        }
    }

    /// The driver of the environment's database.
    public let driver: any BackupDriver
    /// The environment's database.
    public let url: DatabaseURL
    /// The environment's name, recorded with each backup.
    public let environment: String
    /// Where backups go, how many to keep, how often to report progress.
    public let configuration: Configuration
    let logger: Logger
    let events: BackupEventHandler

    /// Creates a manager.
    /// - Parameters:
    ///   - driver: the driver for `url`'s scheme.
    ///   - url: the environment's database.
    ///   - environment: its name (`production`).
    ///   - configuration: folder, retention, intervals.
    ///   - logger: receives what the drivers run (debug).
    ///   - events: called with progress as operations go.
    public init(
        driver: any BackupDriver, url: DatabaseURL, environment: String, configuration: Configuration,
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() }),
        events: @escaping BackupEventHandler = { _ in }
    ) {
        self.driver = driver
        self.url = url
        self.environment = environment
        self.configuration = configuration
        self.logger = logger
        self.events = events
    }

    var catalogFile: BackupCatalogFile { BackupCatalogFile(directory: configuration.directory) }

    var reporter: ProgressReporter {
        let events = self.events
        return ProgressReporter(interval: configuration.progressInterval) { events(.progress($0)) }
    }

    // MARK: - Backing up

    /// Takes a backup of the environment's database now, records it in the catalog, and
    /// then applies the `keep` rule.
    ///
    /// The database is only read: PostgreSQL takes `ACCESS SHARE` locks (which block only
    /// `ACCESS EXCLUSIVE` statements, such as most `ALTER TABLE`s, while the dump runs);
    /// SQLite reads one snapshot.
    ///
    /// - Parameter reason: recorded with the backup: `manual`, `before migrate`, ….
    /// - Returns: the new record, and the old backups removed or held back by `keep`.
    /// - Throws: `CutoverError` `.backupFailed` (the folder cannot be written, the tool
    ///   is missing or too old, the dump failed; the partial file is removed), connection
    ///   errors (`.connectionFailed`, `.authenticationFailed`, `.unknownDatabase`), or
    ///   `.ioFailed` for an unreadable catalog.
    public func backup(reason: String = "manual") async throws -> BackupReport {
        let store = catalogFile
        try prepareFolder()
        let format = driver.backupFormat(for: url)
        let started = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let (id, partialFile) = try reserveFile(store: store, timestamp: Self.idTimestamp(started), format: format)
        defer { partialFile.release() }
        let partial = partialFile.path
        let fileName = "\(id).\(format.fileExtension)"
        events(.started(operation: "backup", id: id, target: url.redacted))
        logger.info("backup started", metadata: ["cutover_backup": "\(id)", "cutover_database": "\(url.redacted)"])
        let recorded: BackupRecord
        let schemaFile = store.file("\(id).schema.txt")
        do {
            let (info, snapshot) = try await driver.backup(url, to: partial, progress: reporter, logger: logger) { session in
                let summary = try await session.summarizeContents()
                let applied = try await HistoryStore(database: session).all().values.filter { $0.phase == .applied }.map(\.id)
                return (summary, applied.max()?.rawValue)
            }
            _ = chmod(partial, 0o600)
            let digest = try await FileDigest.sha256(ofFileAt: partial, progress: reporter)
            let size = FileDigest.size(ofFileAt: partial) ?? 0
            let duration = clock.now - start
            let record = BackupRecord(
                id: id, env: environment, database: url.redacted, createdAt: Self.isoTimestamp(started), reason: reason,
                file: fileName, format: format.name, sizeBytes: size, sha256: digest,
                durationMilliseconds: Int(duration.milliseconds), lastMigration: snapshot.1, toolVersion: CutoverVersion.current,
                dumpTool: info.tool, serverVersion: info.serverVersion, schemaSHA256: snapshot.0.schemaChecksum,
                rowCounts: snapshot.0.rowCounts, properties: info.properties)
            // The schema is written while the .partial file still stands (an orphan takes its
            // schema file with it); the rename and the catalog entry happen under the catalog
            // lock, so a finished file is never seen without its entry.
            try? BackupCatalogFile.writeOwnerOnly(Data((snapshot.0.schema.joined(separator: "\n") + "\n").utf8), to: schemaFile)
            try store.update { catalog in
                guard rename(partial, store.file(fileName)) == 0 else {
                    throw CutoverError(.backupFailed, "cannot rename \(partial) to \(fileName): \(String(cString: strerror(errno)))", hint: "check the backup folder's permissions")
                }
                catalog.backups.append(record)
            }
            events(.finished(operation: "backup", id: id, duration: duration))
            logger.info("backup finished", metadata: ["cutover_backup": "\(id)", "duration_ms": "\(duration.milliseconds)", "bytes": "\(size)"])
            recorded = record
        } catch {
            // A file the catalog does not know would never be pruned; remove it.
            if FileManager.default.fileExists(atPath: partial) {
                await CleanupLedger.remove("the unfinished backup file \(partial)", remedy: "the next `cutover backup` removes it") {
                    try FileManager.default.removeItem(atPath: partial)
                }
            }
            if !((try? store.read())?.backups.contains { $0.id == id } ?? false) {
                try? FileManager.default.removeItem(atPath: store.file(fileName))
                try? FileManager.default.removeItem(atPath: schemaFile)
            }
            throw Self.backupFailure(error, environment: environment, url: url)
        }
        // The backup stands even if removing old ones fails.
        let pruned = try prune()
        return BackupReport(record: recorded, removed: pruned.removed, heldBack: pruned.heldBack)
    }

    /// Makes the backup folder ready: created 0700, or an existing one tightened to 0700
    /// (reported as an event and a notice), and the `.partial` files of killed runs removed.
    ///
    /// - Returns: the partial files removed.
    /// - Throws: `CutoverError` `.backupFailed`, `.ioFailed`.
    @discardableResult
    public func prepareFolder() throws -> [OrphanedBackupFile] {
        let store = catalogFile
        if let former = try store.prepareDirectory() {
            events(.restrictedFolder(path: configuration.directory, formerMode: Int(former)))
            logger.notice("backup folder restricted to its owner", metadata: ["cutover_backup_dir": "\(configuration.directory)", "former_mode": "\(String(former, radix: 8))"])
        }
        let orphans = try store.removeOrphans()
        for orphan in orphans {
            events(.removedPartialFile(name: orphan.name, bytes: orphan.bytes))
            logger.notice("removed an unfinished backup file left by a killed run", metadata: ["cutover_file": "\(orphan.name)", "bytes": "\(orphan.bytes)"])
        }
        return orphans
    }

    /// Removes the unfinished backup files (`*.partial`) of killed runs from `directory`,
    /// without connecting to any database. A file a running backup is writing is locked
    /// (`flock`) by it and left alone.
    ///
    /// - Parameter directory: the backup folder, absolute.
    /// - Returns: the files removed.
    /// - Throws: `CutoverError` `.ioFailed` when the catalog lock cannot be taken.
    public static func removeOrphanedFiles(in directory: String) throws -> [OrphanedBackupFile] {
        try BackupCatalogFile(directory: directory).removeOrphans()
    }

    /// Picks an id not used in the catalog and creates its empty `.partial` file with mode
    /// 0600 (exclusively, so two runs in the same second cannot share it), locked while this
    /// run writes it.
    private func reserveFile(store: BackupCatalogFile, timestamp: String, format: BackupFormat) throws -> (String, BackupPartialFile) {
        try store.withLock {
            var catalog = try store.read()
            for _ in 0..<100 {
                let id = catalog.newID(timestamp: timestamp, env: environment)
                let partial = store.file("\(id).\(format.fileExtension).partial")
                if let file = try BackupPartialFile.create(partial, folder: configuration.directory) {
                    if !FileManager.default.fileExists(atPath: store.file("\(id).\(format.fileExtension)")) { return (id, file) }
                    unlink(partial)
                    file.release()
                }
                // Taken by a concurrent run: count it as used and try the next id.
                catalog.backups.append(BackupRecord(
                    id: id, env: environment, database: "", createdAt: "", reason: "", file: "", format: "", sizeBytes: 0, sha256: "",
                    durationMilliseconds: 0, lastMigration: nil, toolVersion: "", dumpTool: "", serverVersion: nil, schemaSHA256: "", rowCounts: [:]))
            }
            throw CutoverError(.backupFailed, "could not find a free backup id in \(configuration.directory)", hint: "remove stale *.partial files from the backup folder")
        }
    }

    static func backupFailure(_ error: any Error, environment: String, url: DatabaseURL) -> any Error {
        guard let error = error as? CutoverError else {
            if error is CancellationError { return error }
            return CutoverError(.backupFailed, "the backup of \(environment) failed: \(ErrorDescription.of(error))", hint: "see the message above; the database was not changed")
        }
        if [.backupFailed, .connectionFailed, .authenticationFailed, .unknownDatabase].contains(error.code) { return error }
        var wrapped = error
        // Bad input (an invalid URL, exit 2) stays bad input: retrying the backup cannot help.
        if error.exitCode != 2 { wrapped.code = .backupFailed }
        wrapped.message = "the backup of \(environment) (\(url.redacted)) failed: \(error.message)"
        return wrapped
    }

    // MARK: - Listing

    /// The catalog of the backup folder `directory`, read without connecting to any
    /// database; empty when there is none yet.
    ///
    /// - Parameter directory: the backup folder, absolute.
    /// - Returns: every backup recorded there, oldest first.
    /// - Throws: `CutoverError` `.ioFailed` for an unreadable catalog.
    public static func catalog(in directory: String) throws -> BackupCatalog {
        try BackupCatalogFile(directory: directory).read()
    }

    /// The backups in the catalog, newest first.
    ///
    /// - Parameter allEnvironments: all environments' backups instead of this one's.
    /// - Returns: the records.
    /// - Throws: `CutoverError` `.ioFailed` for an unreadable catalog.
    public func list(allEnvironments: Bool = false) throws -> [BackupRecord] {
        let catalog = try catalogFile.read()
        let chosen = allEnvironments ? catalog.backups : catalog.backups.filter { $0.env == environment }
        return chosen.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    // MARK: - Retention

    /// Applies `keep`: removes this environment's backups beyond the newest `keep` that
    /// have a newer verified backup, and reports the others it had to keep.
    ///
    /// - Returns: what was removed and what was held back (both empty without `keep`).
    /// - Throws: `CutoverError` `.ioFailed`.
    /// - Warning: removed backup files are deleted.
    @discardableResult
    public func prune() throws -> PruneReport {
        guard let keep = configuration.keep else { return PruneReport(removed: [], heldBack: []) }
        let store = catalogFile
        let report = try store.update { catalog -> PruneReport in
            let plan = BackupRetention(keep: keep).plan(catalog.backups(of: environment))
            for record in plan.remove {
                for file in [record.file, "\(record.id).schema.txt"] {
                    let path = store.file(file)
                    if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
                }
            }
            let removed = Set(plan.remove.map(\.id))
            catalog.backups.removeAll { removed.contains($0.id) }
            return PruneReport(removed: plan.remove, heldBack: plan.heldBack)
        }
        for record in report.removed { events(.removed(record)) }
        if !report.heldBack.isEmpty { events(.heldBack(report.heldBack, keep: keep)) }
        return report
    }

    // MARK: - Time stamps

    /// `20261124T201500Z`.
    static func idTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// `2026-11-24T20:15:00.123Z`.
    static func isoTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `20261124T201500Z-production` → `20261124t201500z_production`, for database names.
    static func nameSuffix(_ id: String) -> String {
        String(id.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}

/// What ``BackupManager/backup(reason:)`` did.
public struct BackupReport: Sendable {
    /// The new backup.
    public var record: BackupRecord
    /// Old backups removed by `keep`.
    public var removed: [BackupRecord]
    /// Old backups beyond `keep` kept because no newer one is verified.
    public var heldBack: [BackupRecord]
}

/// What ``BackupManager/prune()`` did.
public struct PruneReport: Sendable {
    /// Removed backups.
    public var removed: [BackupRecord]
    /// Backups beyond `keep` that were kept because no newer one is verified.
    public var heldBack: [BackupRecord]
}
