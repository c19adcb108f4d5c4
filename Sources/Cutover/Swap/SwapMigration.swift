import CutoverCore
import Foundation
import Logging

/// The "swap" strategy for big changes that may run with writes paused: make the source
/// read-only, migrate a clone, then swap the names so the same URL reaches the migrated
/// database. The old database stays, intact and readable, as `<name>_before_<id>`.
///
/// It costs a write pause for the whole copy-and-migrate, and every connection must
/// reconnect after the swap; in exchange nothing the migration does can block or slow the
/// live database, and going back is a rename.
///
/// ```swift
/// let report = try await SwapMigration(driver: PostgresDriver(), migrations: migrations).run(source: url)
/// print(report.oldDatabase)   // postgres://…/shop_before_20261124120000
/// ```
public struct SwapMigration: Sendable {
    /// What the swap did.
    public struct Report: Sendable {
        /// Migrations applied to the clone that is now the live database.
        public var applied: [MigrationID] = []
        /// Where the database from before the migration is kept; nil when nothing was pending.
        public var oldDatabase: DatabaseURL?
        /// What keeps the old database from being written, as checked after the swap
        /// (`DatabaseSwapping.protectionOfKept(_:)`); nil when nothing was pending.
        public var oldDatabaseProtection: String?
        /// How the clone was made.
        public var cloneStrategy: CloneStrategy?
        /// How long writes were paused, in milliseconds.
        public var pausedMilliseconds = 0
    }

    /// Pauses writes, clones and swaps (PostgreSQL; SQLite renames files).
    public let driver: any DatabaseSwapping
    /// The migration files.
    public let migrations: [Migration]
    /// Timeouts and retries for the run on the clone.
    public let configuration: Migrator.Configuration
    let logger: Logger
    let events: MigrationEventHandler

    /// A swap migration.
    /// - Parameters:
    ///   - driver: the driver of the source database.
    ///   - migrations: the parsed files.
    ///   - configuration: timeouts and retries for the run on the clone.
    ///   - logger: where the run logs (disabled by default).
    ///   - events: the migrator's progress on the clone.
    public init(
        driver: any DatabaseSwapping, migrations: [Migration], configuration: Migrator.Configuration = .init(),
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() }), events: @escaping MigrationEventHandler = { _ in }
    ) {
        self.driver = driver
        self.migrations = migrations
        self.configuration = configuration
        self.logger = logger
        self.events = events
    }

    /// Pauses writes on `source`, migrates a clone up to `target`, and swaps it in.
    /// - Parameters:
    ///   - source: the live database.
    ///   - target: apply up to this id (inclusive); nil applies everything pending.
    /// - Returns: what was applied, where the old database is kept, and how long writes paused.
    /// - Throws: `CutoverError`; on any failure the clone is dropped, writes are resumed,
    ///   and the source is as it was.
    /// - Warning: writes to the source fail while this runs; connections are ended at the swap.
    public func run(source: DatabaseURL, to target: MigrationID? = nil) async throws -> Report {
        let pending = try await pendingMigrations(source, target: target)
        guard let last = pending.last else { return Report() }
        var report = Report()
        let clock = ContinuousClock()
        let start = clock.now
        let pause = try await driver.pauseWrites(source, logger: logger)
        let clone: DatabaseClone
        do {
            clone = try await driver.makeClone(of: source, name: name(source, suffix: "swap_\(Self.stamp())"), strategy: .automatic, logger: logger)
        } catch {
            await pause.resume()
            throw error
        }
        report.cloneStrategy = clone.strategy
        do {
            report.applied = try await driver.withSession(clone.url, logger: logger) { session in
                let migrator = Migrator(database: session, migrations: migrations, configuration: configuration, logger: logger, events: events)
                return try await migrator.migrate(to: target).applied.map(\.id)
            }
            report.oldDatabase = try await driver.swap(source, with: clone.url, keepingOldAs: name(source, suffix: "before_\(last)"), pause: pause, logger: logger)
            if let old = report.oldDatabase { report.oldDatabaseProtection = await driver.protectionOfKept(old) }
        } catch {
            let dropped = await CleanupLedger.drop("the copy being migrated", clone.url) { try await driver.dropClone(clone.url, logger: logger) }
            if !dropped { logger.error("could not drop the clone \(clone.url.redacted)") }
            await pause.resume()
            throw error
        }
        report.pausedMilliseconds = Int((clock.now - start).milliseconds)
        return report
    }

    private func pendingMigrations(_ source: DatabaseURL, target: MigrationID?) async throws -> [MigrationID] {
        try await driver.withSession(source, logger: logger) { session in
            let migrator = Migrator(database: session, migrations: migrations, configuration: configuration, logger: logger)
            return try await migrator.migrate(to: target, dryRun: true).applied.map(\.id)
        }
    }

    /// `<database>_<suffix>` within PostgreSQL's 63-byte limit, or `<file stem>_<suffix>.sqlite3`.
    private func name(_ source: DatabaseURL, suffix: String) -> String {
        if let database = source.database {
            return String(database.prefix(max(1, 62 - suffix.utf8.count))) + "_" + suffix
        }
        let stem = ((source.path as NSString).lastPathComponent as NSString).deletingPathExtension
        return "\(stem)_\(suffix).sqlite3"
    }

    private static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: Date())
    }
}
