import CutoverCore

/// What ``Deployment/migrate(to:options:events:)`` did.
///
/// ```swift
/// let report = try await deployment.migrate()
/// if report.applied.isEmpty { print("\(report.target.environment) is up to date") }
/// ```
public struct DeploymentReport: Sendable {
    /// The environment and database migrated.
    public var target: Target
    /// How the migrations were applied.
    public var strategy: Deployment.Strategy
    /// The direct run's report: what was (or, for a dry run, would be) applied and what
    /// another runner applied meanwhile. For `swap`, the applied ids only.
    public var migrate: MigrateReport
    /// The `swap` run's report; nil for `direct`.
    public var swap: SwapMigration.Report?
    /// Every lint finding of the pending migrations.
    public var lintFindings: [LintFinding] = []
    /// The backup taken before migrating, if one was.
    public var backupBefore: BackupRecord?
    /// The backup taken after migrating, if one was.
    public var backupAfter: BackupRecord?
    /// Why the backup after migrating failed (the migrations stand).
    public var backupAfterError: CutoverError?
    /// The rehearsal on a clone, if one ran.
    public var rehearsal: RehearsalOutcome?
    /// The draft file the run stopped before (``MigrateReport/stoppedAtDraft``), for a dry
    /// run; a real run throws `.draftMigration` instead.
    public var stoppedAtDraft: Migration?
    /// The schema file written after the run (`[dump] schema`); nil without one, for a dry
    /// run, and when writing it failed.
    public var schemaDump: Deployment.SchemaDumpResult?
    /// Why the schema file could not be written (the migrations stand).
    public var schemaDumpError: CutoverError?
    /// The expand/contract (`.yaml`) migrations the run started and completed, in order.
    public var expandContract: [ExpandContractRecord] = []
    /// An expand/contract migration started by `cutover start` and not completed yet: the
    /// run applied the migrations before it and left it (and nothing comes after it).
    public var waitingForCompletion: ExpandContractRecord?
    /// A dry run's `.yaml` migrations that `migrate` would run or wait for, in id order; empty
    /// otherwise.
    public var expandContractPreview: [ExpandContractPreview] = []

    /// The migrations applied (or that a dry run would apply), in order.
    public var applied: [MigrateReport.Item] { migrate.applied }
}

/// A rehearsal's report plus how its clone was made and whether it was dropped.
public struct RehearsalOutcome: Sendable {
    /// Statements, their locks and durations, and the schema check of the clone.
    public var report: Rehearsal.Report
    /// The clone; nil when nothing was pending, so no clone was made.
    public var clone: DatabaseClone?
    /// Whether the clone was dropped afterwards (false with `keep`, and when none was made).
    public var dropped: Bool
    /// The lint findings of the pending migrations on the target, as the gate of `migrate`
    /// would see them (errors it would let through carry `LintFinding.harmlessBecause`).
    public var lintFindings: [LintFinding] = []

    /// True when the target had no pending migration: nothing was cloned or applied.
    public var nothingPending: Bool { clone == nil }
}

/// What `migrate --dry-run` says of one `.yaml` migration not completed yet.
public struct ExpandContractPreview: Sendable {
    /// The migration's id.
    public var id: MigrationID
    /// The descriptive part of its file name.
    public var name: String
    /// Where it stands: `pending`, or the phase of one in flight.
    public var phase: ExpandContractPhase
    /// Who started one in flight (`migrate` waits for one started by `cutover start`).
    public var runBy: ExpandContractRecord.RunBy?
    /// The plan `migrate` would run (the stored one for a migration in flight); nil for a
    /// pending one planned only once the migrations before it have run.
    public var plan: ExpandContractRecord.StoredPlan?
}
