import CutoverCore
import Logging

/// A trial upgrade: apply the pending migrations to a clone of the target and report, for
/// every statement, how long it took and which locks it held — before the real deploy.
///
/// ```swift
/// let report = try await Rehearsal(migrations: migrations, configuration: .init(), driver: driver)
///     .run(on: clone)
/// for statement in report.statements where statement.impact == .blocksReadsAndWrites { … }
/// ```
public struct Rehearsal: Sendable {
    /// What happened on the clone.
    public struct Report: Sendable {
        /// The clone's URL, password redacted.
        public var clone: String
        /// Migrations applied to the clone, in order.
        public var applied: [MigrationID] = []
        /// The draft file (`Migration.draft`) the rehearsal stopped before, as `migrate` would.
        public var stoppedAtDraft: Migration?
        /// Per-statement durations and locks.
        public var statements: [StatementObservation] = []
        /// The error that stopped the rehearsal, if one did.
        public var failure: CutoverError?
        /// Whether the clone was kept (`--keep`).
        public var kept = false
        /// Total time spent applying, in milliseconds.
        public var durationMilliseconds = 0
        /// The clone's schema compared with the schema of every migration now applied on
        /// it; nil when no comparison was asked for or the rehearsal failed.
        public var drift: DriftReport?
        /// Why the comparison could not be made (e.g. no privilege to create the scratch
        /// database); the migrations themselves applied.
        public var driftError: CutoverError?

        /// The expand/contract (`.yaml`) migrations run on the clone, in order, with their
        /// phases; also listed in ``applied`` once they completed there.
        public var expandContract: [ExpandContractRehearsal] = []

        /// True when every pending migration applied on the clone.
        public var succeeded: Bool { failure == nil }
    }

    /// The migration files.
    public let migrations: [Migration]
    /// Timeouts and retries, as for the real run.
    public let configuration: Migrator.Configuration
    /// Opens the sessions on the clone.
    let driver: any DatabaseDriver
    let logger: Logger
    let events: MigrationEventHandler
    /// The deployment whose `.yaml` migrations are rehearsed too, among the `.sql` ones, as
    /// `migrate` runs them (``Rehearsal+ExpandContract``); nil rehearses `.sql` ones only.
    package var expandContract: Deployment?
    /// Progress of the `.yaml` migrations on the clone.
    package var expandContractEvents: ExpandContractEventHandler = { _ in }
    /// PostgreSQL: before each `.yaml` migration runs for good, start it and abort it on the
    /// clone, and check the abort brought the tables back (``ExpandContractRehearsal/abortRestoredSchema``).
    package var checksAbort = false

    /// Creates a rehearsal.
    /// - Parameters:
    ///   - migrations: the parsed files.
    ///   - configuration: timeouts and retries, as for the real run.
    ///   - driver: opens sessions on the clone; the rehearsal opens two, one to migrate
    ///     and one to watch its locks.
    ///   - logger: where the run logs (disabled by default).
    ///   - events: the migrator's progress on the clone.
    public init(
        migrations: [Migration], configuration: Migrator.Configuration, driver: any DatabaseDriver,
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() }), events: @escaping MigrationEventHandler = { _ in }
    ) {
        self.migrations = migrations
        self.configuration = configuration
        self.driver = driver
        self.logger = logger
        self.events = events
    }

    /// Applies the pending migrations to the database at `clone` (a copy of the target,
    /// which it changes) while observing locks from a second session. A failing migration
    /// does not throw: it is reported in ``Report/failure``.
    ///
    /// With `check`, once every migration applied, the clone's schema is compared with the
    /// schema the migrations now applied on it produce (replayed on a scratch database):
    /// a difference means the target was changed by hand, and the migrations were tried on
    /// a schema they were not written for. The result is in ``Report/drift``.
    ///
    /// ```swift
    /// let check = try DriftCheck(driver: driver, migrations: migrations)
    /// let report = try await rehearsal.run(on: clone.url, comparingWith: check)
    /// if report.drift?.hasDrift == true { print(report.drift!.diff.text) }
    /// ```
    ///
    /// - Parameters:
    ///   - clone: the copy to migrate.
    ///   - check: compares the migrated clone with the migrations; nil skips the comparison.
    /// - Returns: what happened.
    /// - Throws: `CutoverError` when the clone cannot be opened; `CancellationError` when
    ///   the task is cancelled.
    public func run(on clone: DatabaseURL, comparingWith check: DriftCheck? = nil) async throws -> Report {
        var report = Report(clone: clone.redacted)
        // One session migrates, a second one watches its locks.
        report = try await driver.withSession(clone, logger: logger) { migrating in
            try await driver.withSession(clone, logger: logger) { watching in
                try await migrate(migrating, watchedFrom: watching, into: report, clone: clone)
            }
        }
        if let check, report.succeeded {
            do {
                report.drift = try await check.run(on: clone)
            } catch where Task.isCancelled {
                // Interrupted (SIGINT): not a finding; the caller drops the clone.
                throw CancellationError()
            } catch let error as CutoverError {
                report.driftError = error
            } catch {
                report.driftError = CutoverError(.ioFailed, "comparing the clone's schema with the migrations failed: \(ErrorDescription.of(error))")
            }
        }
        return report
    }

    /// Applies the pending migrations on `migrating` while `watching` samples its locks.
    private func migrate(_ migrating: any Database, watchedFrom watching: any Database, into report: Report, clone: DatabaseURL) async throws -> Report {
        var report = report
        let observer = try await LockObserver(migrating: migrating, observer: watching)
        var configuration = self.configuration
        configuration.observer = observer
        let migrator = Migrator(database: migrating, migrations: migrations, configuration: configuration, logger: logger, events: events)
        let clock = ContinuousClock()
        let start = clock.now
        let recorder = ExpandContractRehearsalRecorder()
        do {
            let migrated = try await migrate(migrator, on: clone, watchedFrom: watching, recorder: recorder)
            report.applied = migrated.applied.map(\.id)
            report.stoppedAtDraft = migrated.stoppedAtDraft
        } catch where Task.isCancelled {
            // Interrupted (SIGINT): not a failure of the migrations; the caller drops the clone.
            throw CancellationError()
        } catch {
            report.failure = failure(error, recorder: recorder)
        }
        report.durationMilliseconds = Int((clock.now - start).milliseconds)
        report.statements = await observer.statements()
        if let folder = expandContract?.config.migrationsDirectory {
            let rehearsals = await recorder.rehearsals(folder: folder)
            report.expandContract = rehearsals
            report.failure = report.failure.map { locate($0, in: rehearsals) }
        }
        return report
    }
}
