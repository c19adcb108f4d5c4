import CutoverCore

/// What a ``Deployment`` reports as it goes, in order: the plan, lint findings, the backup,
/// the rehearsal, each migration, the backup after. The command-line tool renders these on
/// stderr; an app logs them or ignores them.
///
/// ```swift
/// let report = try await deployment.migrate { event in
///     switch event {
///     case .lintFinding(let finding, .blocking): logger.error("\(finding.renderedText())")
///     case .migration(.migrationFinished(let id, _, _)): logger.info("applied \(id)")
///     default: break
///     }
/// }
/// ```
public enum DeploymentEvent: Sendable {
    /// The pending migrations the run will apply (empty: nothing to do).
    case planned(pending: [MigrationID])
    /// A lint finding in a pending migration, and what the gate does with it.
    case lintFinding(LintFinding, LintDisposition)
    /// A backup of the target starts (`[backup] mode`).
    case backupStarted(BackupPhase)
    /// Progress of the backup in hand.
    case backup(BackupEvent)
    /// The backup was taken; nil when none could be (an in-memory database).
    case backupFinished(BackupPhase, BackupRecord?)
    /// The migrations were applied but the backup after them failed: a warning, since the
    /// migrations stand and the deploy that needs them should go on.
    case backupAfterFailed(CutoverError)
    /// A clone of the target is being made for a rehearsal.
    case cloning(source: DatabaseURL, strategy: CloneStrategy)
    /// The clone is ready.
    case cloneReady(DatabaseClone)
    /// The rehearsal on the clone ended (successfully or not).
    case rehearsalFinished(RehearsalOutcome)
    /// The rehearsal succeeded, but the target's schema differs from its migrations (it was
    /// changed by hand); the run goes on.
    case targetDrifted(DriftReport)
    /// `swap` strategy: writes on the target are being paused while a copy is migrated.
    case swapStarted(source: DatabaseURL)
    /// `swap` strategy: the built-in `maintenance` switch was turned on before writes were
    /// paused, or off again after the swap (or after a failure); not sent when the switch was
    /// on already (it is then left as the operator set it).
    case maintenanceSwitched(on: Bool)
    /// The target's applied migrations are being replayed on a scratch database to check its
    /// schema for drift (seconds on a server; a stored schema check skips it).
    case replayingMigrations(Target)
    /// The migrator's progress (lock, each migration and statement, retries).
    case migration(MigrationEvent)
    /// Progress of an expand/contract (`.yaml`) migration that `migrate` runs start to complete.
    case expandContract(ExpandContractEvent)
    /// The schema file (`[dump] schema`) was brought up to date after the run
    /// (``Deployment/SchemaDumpResult/written`` is false when it already was).
    case schemaDumped(Deployment.SchemaDumpResult)
    /// The run succeeded but the schema file could not be written: its changes stand, the
    /// file is missing or stale (`cutover dump` writes it again).
    case schemaDumpFailed(CutoverError)
}

/// What the lint gate does with a finding.
public enum LintDisposition: Sendable, Equatable {
    /// A warning: reported, never blocks.
    case warning
    /// An error that stops the run before the database is touched.
    case blocking
    /// An error that cannot hurt anyone on the target (its table is created in this run, or
    /// is under `[safety] small_table`): reported with `LintFinding.note`, never blocks.
    case harmless
    /// Reported while the gate is off (``Deployment/MigrateOptions/enforcesLint`` = false):
    /// even an error does not stop the run.
    case overridden
    /// Reported by a run that applies nothing to the target (a dry run, or a rehearsal,
    /// which applies to a clone): an error here is one the gate of `migrate` would stop at,
    /// unless it is ``harmless``.
    case dryRun

    /// How a run that applies nothing to the target reports `finding`: a warning, an error
    /// the gate would let through (``harmless``), or one it would stop at (``dryRun``).
    static func unenforced(_ finding: LintFinding) -> LintDisposition {
        finding.severity != .error ? .warning : finding.harmlessBecause != nil ? .harmless : .dryRun
    }
}

/// Which of the two `[backup] mode` backups is meant.
public enum BackupPhase: String, Sendable {
    /// Before the first migration is applied; if it fails the database is not touched.
    case beforeMigrate = "before migrate"
    /// After the run applied migrations (`before-and-after`).
    case afterMigrate = "after migrate"
    /// Before `rollback` runs the first down section; if it fails nothing is rolled back.
    case beforeRollback = "before rollback"
}

/// Receives a deployment's events; called on the deployment's task, so it should return quickly.
public typealias DeploymentEventHandler = @Sendable (DeploymentEvent) -> Void
