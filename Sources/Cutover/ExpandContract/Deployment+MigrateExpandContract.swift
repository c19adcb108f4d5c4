import CutoverCore
import CutoverOperations
import Foundation

/// `cutover migrate` with `.yaml` migrations in the folder: each one not yet completed runs
/// start, backfill and complete in one go, in id order among the `.sql` migrations (for
/// development, and for deploys that need no window between the two phases).
extension Deployment {
    /// The ids of the `.yaml` migrations in the migrations folder up to `upTo`, in order.
    func expandContractIDs(upTo: MigrationID?) -> [MigrationID] {
        expandContractFileNames()
            .compactMap { $0.split(separator: "_", maxSplits: 1).first.flatMap { MigrationID($0) } }
            .filter { id in upTo.map { id <= $0 } ?? true }
            .sorted()
    }

    /// The names of the `.yaml`/`.yml` files in the migrations folder (a `readdir`: `status`
    /// and `migrate` ask on every run).
    private func expandContractFileNames() -> [String] {
        let folder = open(config.migrationsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return [] }
        defer { close(folder) }
        return (PosixFile.names(in: folder) ?? []).filter(ExpandContractFile.isExpandContractFileName)
    }

    /// Runs `migrateSQL` for the `.sql` migrations and start + complete for each `.yaml` one
    /// not completed yet, in id order; the reports of the `.sql` runs are merged.
    /// `beforeStart` runs before each `.yaml` migration's start (a rehearsal's abort check).
    func migrateWithExpandContract(
        _ yamlIDs: [MigrationID], to upTo: MigrationID?, options: MigrateOptions, events: @escaping DeploymentEventHandler,
        beforeStart: ((MigrationID) async throws -> Void)? = nil,
        migrateSQL: (MigrationID?) async throws -> DeploymentReport
    ) async throws -> DeploymentReport {
        // SQLite: one node, so each .yaml migration is applied directly, in its final shape
        // (Deployment+SQLiteExpandContract.swift).
        let direct = try appliesExpandContractDirectly
        guard options.strategy == .direct, !(options.dryRun && direct) else {
            throw CutoverError(
                .invalidArgument, options.dryRun ? "migrate --dry-run does not plan expand/contract (.yaml) migrations on SQLite yet" : "migrate --strategy swap does not run expand/contract (.yaml) migrations",
                hint: options.dryRun ? "the .yaml file lists its operations; `cutover validate` checks it" : "run them with `cutover migrate` (direct), or start and complete each: cutover start \(yamlIDs[0])")
        }
        if options.dryRun { return try await previewWithExpandContract(yamlIDs, to: upTo, migrateSQL: migrateSQL) }
        let records = direct ? [] : try await finalizeEndedRevertWindows(events: { events(.expandContract($0)) })
        let completed = direct ? try await directlyAppliedIDs() : Set(records.filter { $0.phase == .completed }.map(\.id))
        let sqlIDs = try migrations().map(\.id)
        var total = DeploymentReport(target: target, strategy: options.strategy, migrate: MigrateReport(), lintFindings: [])
        // The lint gate for the hand-written SQL of the .yaml migrations this run starts, before
        // anything is applied (the .sql ones are gated by each run below).
        let starting = yamlIDs.filter { id in !completed.contains(id) && !records.contains { $0.id == id && !$0.phase.isUndone } && upTo.map { id <= $0 } ?? true }
        let yamlFindings = try expandContractLintFindings(starting)
        try gateLint(yamlFindings, enforcing: options.enforcesLint, events: events)
        total.lintFindings += yamlFindings
        /// Applies the .sql migrations up to `segment`; false when a draft stopped it.
        func run(_ segment: MigrationID?) async throws -> Bool {
            let report = try await migrateSQL(segment)
            total.migrate.applied += report.migrate.applied
            total.migrate.skipped += report.migrate.skipped
            total.lintFindings += report.lintFindings
            total.backupBefore = total.backupBefore ?? report.backupBefore
            total.backupAfter = report.backupAfter ?? total.backupAfter
            total.backupAfterError = report.backupAfterError ?? total.backupAfterError
            total.rehearsal = report.rehearsal ?? total.rehearsal
            total.stoppedAtDraft = report.stoppedAtDraft
            total.migrate.stoppedAtDraft = report.migrate.stoppedAtDraft
            return report.stoppedAtDraft == nil && report.migrate.stoppedAtDraft == nil
        }
        for id in yamlIDs where !completed.contains(id) {
            if let before = sqlIDs.last(where: { $0 < id }), try await !run(before) { return total }
            if direct {
                if let item = try await applyDirectly(id) { total.migrate.applied.append(item) }
                continue
            }
            // Started by `cutover start`: the operator completes it once the old version is
            // gone; completing it here would break the old nodes still running.
            // Completed within its revert window: the next migration waits for its revert or its
            // finalization (or for a run after the window, which finalizes it above).
            if let record = records.first(where: { $0.id == id }), record.phase.isInFlight, record.runBy == .start || record.phase == .revertible || record.phase == .reverting {
                total.waitingForCompletion = record
                guard sqlIDs.contains(where: { $0 > id }) || yamlIDs.contains(where: { $0 > id }) else { return total }
                throw CutoverError(
                    .invalidArgument,
                    "expand/contract migration \(id) (\(record.name)) is \(record.phase)\(record.phase == .revertible ? "" : " (started by `cutover start`)"): the migrations after it wait for its \(record.phase == .revertible ? "revert window to end" : "complete")"
                        + (total.migrate.applied.isEmpty ? "" : "; the \(total.migrate.applied.count) before it were applied"),
                    hint: record.phase == .revertible
                        ? "finalize it (`cutover complete \(record.leaderID) --finalize`) or revert it (`cutover revert \(record.leaderID)`), then run `cutover migrate` again"
                        : "once no instance of the old version is left, run `cutover complete \(record.leaderID)`, then `cutover migrate` again", migrationID: id)
            }
            let forward: ExpandContractEventHandler = { events(.expandContract($0)) }
            try await beforeStart?(id)
            try await startExpandContract(id, runBy: .migrate, events: forward)
            total.expandContract.append(try await completeExpandContract(id, events: forward))
        }
        // The .sql migrations after the last .yaml one (up to upTo; when upTo names a .yaml
        // file, up to the .sql migration before it).
        if let upTo, !sqlIDs.contains(upTo) {
            if let last = sqlIDs.last(where: { $0 < upTo }) { _ = try await run(last) }
        } else {
            _ = try await run(upTo)
        }
        return total
    }
}

extension Deployment {
    /// `migrate --dry-run` with `.yaml` migrations: the `.sql` ones as a dry run says, and for
    /// each `.yaml` one not completed, the plan `migrate` would run (the first pending one
    /// planned against the tables as they are; one in flight with its stored plan).
    private func previewWithExpandContract(
        _ yamlIDs: [MigrationID], to upTo: MigrationID?, migrateSQL: (MigrationID?) async throws -> DeploymentReport
    ) async throws -> DeploymentReport {
        var report = try await migrateSQL(upTo)
        let records = try await expandContractRecords()
        var planned = false
        for id in yamlIDs {
            let own = records.first { $0.id == id }
            if let own, own.phase == .completed { continue }
            let file = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
            var preview = ExpandContractPreview(id: id, name: file.migration.name, phase: ExpandContractPhase("pending"), runBy: nil, plan: nil)
            if let own, !own.phase.isUndone {
                let leader = records.first { $0.id == own.leaderID } ?? own
                (preview.phase, preview.runBy, preview.plan) = (own.phase, own.runBy, leader.plan)
            } else if !planned {
                preview.plan = try await planExpandContract(id).plan
                planned = true
            }
            report.expandContractPreview.append(preview)
        }
        return report
    }

    /// The `.yaml` migrations of the folder as `status` lists them: the phase from
    /// `cutover.expand_contract` (`expanding`, `expanded`, `completed`, `aborted`, …), or
    /// `pending` when not started. Reads nothing when the folder has no `.yaml` file.
    ///
    /// - Parameter database: a session on the target.
    package func expandContractStates(on database: any Database) async throws -> [MigrationState] {
        let ids = expandContractIDs(upTo: nil)
        guard !ids.isEmpty else { return [] }
        let store = ExpandContractStore(database: database)
        let records = database.dialect.name == PostgresDialect().name ? try await store.records() : []
        // SQLite: the rows of the migrations applied directly (``applyExpandContractDirectly(upTo:enforcesLint:events:)``).
        let direct = records.isEmpty ? try await HistoryStore(database: database).operationsRecords() : [:]
        let backfills = records.isEmpty ? [:] : try await store.backfills()
        let names = expandContractFileNames()
        return ids.map { id in
            let record = records.first { $0.id == id }
            let file = names.first { ExpandContractFile.isExpandContractFileName($0) && $0.hasPrefix("\(id.rawValue)_") }
            let name = file.map { String($0.drop { $0 != "_" }.dropFirst().prefix { $0 != "." }) } ?? record?.name ?? ""
            if let applied = direct[id], applied.phase == .applied {
                // A file edited after it was applied reads `changed`, as a .sql one does.
                let checksum = try? ExpandContractFile.load(id: id, folder: config.migrationsDirectory).checksum
                return MigrationState(id: id, name: name, kind: checksum == nil || checksum == applied.checksum ? .applied : .changed, migration: nil, record: applied)
            }
            let kind = record.map { $0.phase.isUndone ? MigrationState.Kind.pending : MigrationState.Kind($0.phase.rawValue) } ?? .pending
            var state = MigrationState(id: id, name: name, kind: kind, migration: nil, record: nil)
            if let record, !record.phase.isUndone {
                state.expandContract = record
                state.backfills = backfills[record.leaderID.normalized] ?? []
            }
            return state
        }
    }
}
