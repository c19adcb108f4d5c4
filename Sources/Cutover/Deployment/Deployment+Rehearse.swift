import CutoverCore
import Foundation
import Logging

extension Deployment {
    /// A trial upgrade: clones the target, applies the pending migrations to the clone while
    /// watching the locks each statement takes (`.yaml` ones too, in id order among the `.sql`
    /// ones, as `migrate` runs them: ``Rehearsal/Report/expandContract`` has their phases), compares the clone's schema with its
    /// migrations, and drops the clone unless `keep` is true. The target is never changed.
    ///
    /// ```swift
    /// let outcome = try await deployment.rehearse()
    /// for statement in outcome.report.statements where statement.impact > .blocksNothing {
    ///     print(statement.sql, statement.durationMilliseconds)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - strategy: how to clone (PostgreSQL: `CREATE DATABASE … TEMPLATE` when nobody else
    ///     is connected, else `pg_dump | pg_restore`; SQLite: `VACUUM INTO`).
    ///   - keep: keep the clone afterwards (its URL is in the outcome).
    ///   - lint: report what the lint gate of `migrate` would say on the target.
    ///   - checksAbort: PostgreSQL: start and abort each pending `.yaml` migration on the clone
    ///     first, and fail when the abort does not bring the tables back
    ///     (``ExpandContractRehearsal/abortRestoredSchema``).
    ///   - events: ``DeploymentEvent/cloning(source:strategy:)``, ``DeploymentEvent/cloneReady(_:)``,
    ///     the migrator's progress on the clone, ``DeploymentEvent/rehearsalFinished(_:)``.
    /// - Returns: the report; a migration that failed on the clone is in `report.failure`,
    ///   not thrown. With nothing pending no clone is made (``RehearsalOutcome/nothingPending``):
    ///   there is nothing to try, and `cutover diff --against migrations` checks the schema.
    /// - Throws: `CutoverError` when the clone cannot be made or the files cannot be read.
    public func rehearse(
        strategy: CloneStrategy = .automatic, keep: Bool = false, lint: Bool = true, checksAbort: Bool = false,
        events: @escaping DeploymentEventHandler = { _ in }
    ) async throws -> RehearsalOutcome {
        let cloning = try targetDriver(as: (any DatabaseCloning).self, for: "be cloned for a rehearsal")
        let (plan, findings) = try await withMigrator(readHistory: true, events: events) { migrator, history in
            let plan = try migrator.pending(to: nil, history: history)
            // What the gate of `migrate` would say on this target, reported, not enforced:
            // the rehearsal runs on a clone.
            return (plan, lint ? await lintFindings(of: plan, migrator: migrator) : [])
        }
        for finding in findings {
            events(.lintFinding(finding, .unenforced(finding)))
        }
        let pendingExpandContract = try await pendingExpandContractIDs()
        guard !plan.applied.isEmpty || !pendingExpandContract.isEmpty else {
            var nothing = Rehearsal.Report(clone: "")
            nothing.stoppedAtDraft = plan.stoppedAtDraft
            let outcome = RehearsalOutcome(report: nothing, clone: nil, dropped: false, lintFindings: findings)
            events(.rehearsalFinished(outcome))
            return outcome
        }
        let migrations = try migrations()
        var name = target.url.siblingName(suffix: "_rehearsal_\(Self.timestamp())")
        // A clone left by a run killed within the same second holds the name.
        if await warnAboutLeftoverClones(cloning).contains(name) { name += "_1" }
        events(.cloning(source: target.url, strategy: strategy))
        let progress = ProgressReporter(interval: .seconds(1)) { events(.backup(.progress($0))) }
        let clone = try await cloning.makeClone(of: target.url, name: name, strategy: strategy, progress: progress, logger: logger)
        events(.cloneReady(clone))
        var rehearsal = Rehearsal(
            migrations: migrations, configuration: migratorConfiguration, driver: cloning, logger: logger, events: { events(.migration($0)) })
        // The .yaml migrations run among the .sql ones, as `migrate` runs them.
        rehearsal.expandContract = self
        rehearsal.expandContractEvents = { events(.expandContract($0)) }
        rehearsal.checksAbort = checksAbort
        var report: Rehearsal.Report
        do {
            let check = try DriftCheck(
                driver: cloning, migrations: migrations, configuration: migratorConfiguration, expandContractFolder: config.migrationsDirectory, logger: logger)
            report = try await rehearsal.run(on: clone.url, comparingWith: check)
        } catch {
            if keep {
                CleanupLedger.record(.left("the rehearsal clone \(clone.url.database ?? clone.url.path)", remedy: "kept by --keep"))
            } else {
                await CleanupLedger.drop("the rehearsal clone", clone.url) { try await cloning.dropClone(clone.url, logger: logger) }
            }
            throw error
        }
        if !keep { try await cloning.dropClone(clone.url, logger: logger) }
        report.kept = keep
        let outcome = RehearsalOutcome(report: report, clone: clone, dropped: !keep, lintFindings: findings)
        events(.rehearsalFinished(outcome))
        return outcome
    }

    /// The `.yaml` migrations not yet completed (PostgreSQL) or applied (SQLite).
    private func pendingExpandContractIDs() async throws -> [MigrationID] {
        let ids = expandContractIDs(upTo: nil)
        guard !ids.isEmpty else { return [] }
        let states = try await withSession { try await expandContractStates(on: $0) }
        return states.filter { $0.kind != .completed && $0.kind != .applied }.map(\.id)
    }

    /// Names the rehearsal clones of earlier runs still on the server (kept with `--keep`,
    /// or left by a run killed before it could drop them), with the statement that drops
    /// them. Best effort: a failure to look is only logged at debug level.
    /// - Returns: their names.
    func warnAboutLeftoverClones(_ cloning: any DatabaseCloning) async -> [String] {
        guard let listing = cloning as? any CloneListing else { return [] }
        let prefix = target.url.siblingName(suffix: "_rehearsal_")
        do {
            let names = try await listing.unusedClones(near: target.url, prefix: prefix, logger: logger)
            guard !names.isEmpty else { return [] }
            let drops = names.map { "DROP DATABASE \(cloning.dialect.quoteIdentifier($0));" }.joined(separator: " ")
            logger.warning("\(names.count) rehearsal clone\(names.count == 1 ? "" : "s") of an earlier run \(names.count == 1 ? "is" : "are") still on the server (kept with --keep, or left by a killed run): \(names.joined(separator: ", ")); when no longer needed, drop \(names.count == 1 ? "it" : "them") with: \(drops)")
            return names
        } catch {
            logger.debug("could not look for rehearsal clones of earlier runs", metadata: ["cutover_error": "\(error)"])
            return []
        }
    }

    /// `20261203_201500`: a UTC stamp for the names of clones.
    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd_HHmmss"
        return formatter.string(from: Date())
    }
}
