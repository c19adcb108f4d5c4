import CutoverCore

/// What ``Deployment/promote(from:dryRun:options:events:)`` found and did.
public struct PromotionReport: Sendable {
    /// The environment promoted from.
    public var source: Target
    /// The environment promoted to.
    public var target: Target
    /// The two histories and the migrations to promote.
    public var plan: PromotionPlan
    /// The source's schema against its applied migrations.
    public var sourceDrift: DriftReport
    /// The target's schema against its applied migrations, before promoting.
    public var targetDrift: DriftReport
    /// What the target's migrate run applied; nil when nothing ran (dry run, nothing to do,
    /// or refused).
    public var migrate: MigrateReport?
    /// The target's schema against the source's afterwards; nil for a dry run or a refusal.
    public var comparison: SchemaDiff?
    /// Why the promotion was refused (drift on either side) or did not end with identical
    /// schemas (`.schemasDiffer`, exit 3); nil when it succeeded.
    public var refusal: CutoverError?
    /// The schema file (`[dump] schema`) written after the target's migrate run; nil
    /// without one, when nothing ran, and when writing it failed.
    public var schemaDump: Deployment.SchemaDumpResult?
    /// Why the schema file could not be written (the promotion stands).
    public var schemaDumpError: CutoverError?
}

extension Deployment {
    /// Applies to this deployment's environment the migrations `source` has applied, as
    /// `cutover promote --from SOURCE --to THIS` does: checks that this history is a prefix of
    /// the source's, that neither side has drift, migrates up to the source's newest applied
    /// migration through ``migrate(to:options:events:)`` (lint, backup, rehearsal), then
    /// compares the two schemas.
    ///
    /// ```swift
    /// let production = try Deployment(config: config, environment: "production", drivers: drivers)
    /// let staging = try Deployment(config: config, environment: "staging", drivers: drivers)
    /// let report = try await production.promote(from: staging)
    /// if let refusal = report.refusal { throw refusal }
    /// ```
    ///
    /// - Parameters:
    ///   - source: the environment to promote from (e.g. staging).
    ///   - dryRun: run the checks and plan; change nothing.
    ///   - options: the target's migrate options (backup, lint, rehearsal, lock wait).
    ///   - events: progress, as for ``migrate(to:options:events:)``.
    /// - Returns: the plan, both drift checks, the migrate report and the final comparison;
    ///   `refusal` says why the promotion stopped or did not end identical.
    /// - Throws: `CutoverError` `.dialectMismatch` for databases of different kinds,
    ///   `.historyMismatch` for diverged histories or a migration the source never applied,
    ///   and what ``migrate(to:options:events:)`` throws.
    public func promote(
        from source: Deployment, dryRun: Bool = false, options: MigrateOptions = .init(), events: @escaping DeploymentEventHandler = { _ in }
    ) async throws -> PromotionReport {
        let from = source.target.environment
        let to = target.environment
        guard try source.driver(for: source.target.url).schemes == driver(for: target.url).schemes else {
            throw CutoverError(
                .dialectMismatch, "cannot promote from \(from) (\(source.target.url.scheme)) to \(to) (\(target.url.scheme))",
                hint: "promote moves migrations between databases of the same kind")
        }

        // 1. History: the target must be behind the source on the same line.
        let plan = try PromotionPlan(
            source: try await source.withMigrator(events: events) { migrator, _ in try await migrator.historyRecords() },
            target: try await withMigrator(events: events) { migrator, _ in try await migrator.historyRecords() },
            migrations: try migrations(), sourceName: from, targetName: to)
        try await checkPromotedPlan(plan, sourceName: from, events: events)

        // 2. Drift on either side.
        var report = PromotionReport(
            source: source.target, target: target, plan: plan,
            sourceDrift: try await source.checkDrift(events: events), targetDrift: try await checkDrift(events: events))
        let drifting = [(from, report.sourceDrift), (to, report.targetDrift)].filter { $0.1.hasDrift }
        if let first = drifting.first {
            report.refusal = CutoverError(
                .schemasDiffer,
                "refusing to promote: \(drifting.map { "\($0.0) differs from its migrations (\($0.1.differenceCount) difference\($0.1.differenceCount == 1 ? "" : "s"))" }.joined(separator: " and "))",
                hint: Self.driftHint(env: first.0, source: from))
            return report
        }
        guard !dryRun else { return report }

        // 3. Migrate the target exactly as `cutover migrate --to LAST` would.
        if let last = plan.last, !plan.pending.isEmpty {
            let run = try await migrate(to: last, options: options, events: events)
            report.migrate = run.migrate
            (report.schemaDump, report.schemaDumpError) = (run.schemaDump, run.schemaDumpError)
        }

        // 4. Afterwards the two schemas must be the same.
        async let sourceSchema = source.introspectSchema()
        async let targetSchema = introspectSchema()
        let comparison = SchemaDiff(from: try await targetSchema, to: try await sourceSchema)
        report.comparison = comparison
        if !comparison.isEmpty {
            report.refusal = CutoverError(
                .schemasDiffer, "after promotion \(to)'s schema still differs from \(from)'s",
                hint: "see `cutover diff \(to) \(from)`; the histories match, so the difference came from outside the migrations")
        }
        return report
    }

    /// What `migrate --to LAST` would apply on the target must be exactly the promoted
    /// migrations: a local file the source never applied (pending or out of order there),
    /// or a failed row of the target's, would otherwise slip through.
    private func checkPromotedPlan(_ plan: PromotionPlan, sourceName from: String, events: @escaping DeploymentEventHandler) async throws {
        guard let last = plan.last, !plan.pending.isEmpty else { return }
        let wouldApply = try await withMigrator(allowOutOfOrder: true, events: events) { migrator, _ in
            try await migrator.migrate(to: last, dryRun: true).applied.map(\.id)
        }
        let extra = wouldApply.filter { !plan.pending.contains($0) }
        if !extra.isEmpty {
            throw CutoverError(
                .historyMismatch,
                "cannot promote: migrating \(target.environment) up to \(last) would also apply \(extra.map(\.rawValue).joined(separator: ", ")), which \(from) has not applied",
                hint: "apply \(extra.count == 1 ? "it" : "them") on \(from) first (`cutover migrate --env \(from)`), or remove the file\(extra.count == 1 ? "" : "s")",
                migrationID: extra.first)
        }
    }

    /// Where to go from a refusal on drift, as steps that end with a successful promote:
    /// `cutover diff --against migrations --sql` prints what was changed by hand as the DDL
    /// of a migration; a change kept goes through the migrations, so it must be undone
    /// where it was made by hand first (promote would otherwise fail applying it there).
    static func driftHint(env: String, source: String) -> String {
        let diff = "cutover diff --env \(env) --against migrations --sql"
        return "`\(diff)` prints what was changed on \(env) outside the migrations. To drop the change: undo those statements on \(env) "
            + "(save any data in it first), then promote again. To keep it: put those statements in a new migration (`cutover new NAME`), "
            + (env == source
                ? "undo them by hand on \(env), apply the migrations there (`cutover migrate --env \(env)`), then promote again"
                : "apply it to \(source) (`cutover migrate --env \(source)`), undo the hand-made change on \(env), then promote again: promote applies the new migration there")
    }
}
