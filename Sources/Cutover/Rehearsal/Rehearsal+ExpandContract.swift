import CutoverCore
import CutoverOperations
import Logging

/// The `.yaml` migrations in a rehearsal: run on the clone among the `.sql` ones, in id order,
/// through the code `cutover migrate` runs (PostgreSQL: start, backfill, complete; SQLite: the
/// direct application), their phases timed and their statements' locks observed.
extension Rehearsal {
    /// Applies the pending migrations on the clone as `migrate` would: the `.sql` ones with
    /// `migrator`, and with ``expandContract`` set, each `.yaml` one not completed in its place.
    /// - Returns: the migrations applied, both kinds, in id order.
    func migrate(_ migrator: Migrator, on clone: DatabaseURL, watchedFrom watching: any Database, recorder: ExpandContractRehearsalRecorder) async throws -> MigrateReport {
        guard let deployment = expandContract else { return try await migrator.migrate() }
        let yamlIDs = deployment.expandContractIDs(upTo: nil)
        guard !yamlIDs.isEmpty else { return try await migrator.migrate() }
        var onClone = try deployment.aimed(at: clone)
        onClone.phaseObserver = { database, id, phase in
            let observer = try await LockObserver(migrating: database, observer: watching)
            recorder.add(observer, id: id, phase: phase)
            return observer
        }
        let forward = expandContractEvents
        let observed: ExpandContractEventHandler = { event in
            recorder.record(event)
            forward(event)
        }
        // SQLite applies a .yaml migration directly: there is no abort to check.
        let direct = try deployment.appliesExpandContractDirectly
        let cloneDeployment = onClone
        var beforeStart: ((MigrationID) async throws -> Void)?
        if checksAbort, !direct {
            beforeStart = { id in try await Self.checkAbort(id, on: cloneDeployment, recorder: recorder, events: observed) }
        }
        let events: DeploymentEventHandler = { event in
            if case .expandContract(let event) = event { observed(event) }
        }
        let total = try await cloneDeployment.migrateWithExpandContract(
            yamlIDs, to: nil, options: Deployment.MigrateOptions(), events: events, beforeStart: beforeStart
        ) { segment in
            let report = try await migrator.migrate(to: segment)
            return DeploymentReport(target: cloneDeployment.target, strategy: .direct, migrate: report, lintFindings: [])
        }
        var migrated = total.migrate
        // SQLite: each .yaml migration applied directly is an item of the report.
        for item in migrated.applied where yamlIDs.contains(item.id) {
            recorder.recordDirect(item.id, milliseconds: item.durationMilliseconds ?? 0)
        }
        migrated.applied += total.expandContract.map { record in
            MigrateReport.Item(
                id: record.id, name: record.name, statements: record.plan.start.count + record.plan.complete.count, isTransactional: false,
                durationMilliseconds: nil, resumedAt: 0)
        }
        migrated.applied.sort { $0.id < $1.id }
        if let waiting = total.waitingForCompletion {
            logger.warning("\(waiting.id) (\(waiting.name)) is \(waiting.phase) on the target (started by `cutover start`): the rehearsal, as `migrate`, stopped before completing it")
        }
        return migrated
    }

    /// The abort check of `.yaml` migration `id` on the clone: start, abort, and the tables
    /// compared with those before start. The run then starts it again, as `migrate` would.
    /// - Throws: `CutoverError` `.migrationFailed` when the abort left the tables different.
    static func checkAbort(
        _ id: MigrationID, on clone: Deployment, recorder: ExpandContractRehearsalRecorder, events: @escaping ExpandContractEventHandler
    ) async throws {
        let before = try await clone.introspectSchema()
        try await clone.startExpandContract(id, runBy: .migrate, events: events)
        try await clone.abortExpandContract(id, events: events)
        let diff = SchemaDiff(from: before, to: try await clone.introspectSchema())
        recorder.recordAbortCheck(id, leftovers: diff.isEmpty ? nil : diff.text)
        guard diff.isEmpty else {
            _ = recorder.fail(id, phase: "abort")
            throw CutoverError(
                .migrationFailed, "expand/contract migration \(id) failed in its abort phase on the clone: abort left the tables different from before start (\(diff.summary))",
                hint: "the differences are in the rehearsal's report (abort_leftovers); an operation's abort does not undo all its start does",
                migrationID: id)
        }
    }

    /// The error that stopped the rehearsal; when a `.yaml` migration failed, it names the
    /// migration and the phase.
    func failure(_ error: any Error, recorder: ExpandContractRehearsalRecorder) -> CutoverError {
        var failure = (error as? CutoverError) ?? CutoverError(.migrationFailed, "rehearsal stopped: \(ErrorDescription.of(error))")
        guard let deployment = expandContract else { return failure }
        let yamlIDs = deployment.expandContractIDs(upTo: nil)
        // A migration refused before it ran (one in flight by `cutover start`) failed in no phase.
        let refused = failure.code.rawValue == CutoverError.Code.invalidArgument.rawValue
        let id = failure.migrationID.flatMap { yamlIDs.contains($0) && !refused ? $0 : nil }
        let direct = (try? deployment.appliesExpandContractDirectly) ?? false
        guard let failed = recorder.fail(id, phase: direct ? "apply" : "start") else { return failure }
        failure.migrationID = failure.migrationID ?? failed.id
        failure.message = "expand/contract migration \(failed.id) failed in its \(failed.phase) phase on the clone: \(failure.message)"
        return failure
    }

    /// `failure` with the `.yaml` file of its migration, and the line of the `sql` operation
    /// whose statement failed when the engine did not say.
    func locate(_ failure: CutoverError, in rehearsals: [ExpandContractRehearsal]) -> CutoverError {
        guard let rehearsal = rehearsals.first(where: { $0.migration == failure.migrationID && $0.failedPhase != nil }) else { return failure }
        var failure = failure
        failure.file = failure.file ?? rehearsal.file
        guard failure.line == nil, let folder = expandContract?.config.migrationsDirectory,
            let statement = rehearsal.phases.flatMap(\.statements).last(where: { $0.error != nil }),
            let file = try? ExpandContractFile.load(id: rehearsal.migration, folder: folder)
        else { return failure }
        let sql = Self.trimmed(statement.sql)
        failure.line = file.migration.operations.first { ($0 as? RawSQL).map { Self.trimmed($0.up) == sql || $0.down.map(Self.trimmed) == sql } ?? false }?.line
        failure.statement = failure.statement ?? statement.sql
        return failure
    }

    /// The text without surrounding white space and trailing semicolons, as the planner runs it.
    private static func trimmed(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last.isWhitespace || last == ";" { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}

extension Deployment {
    /// The same deployment aimed at another database of the same kind (a rehearsal's clone).
    func aimed(at url: DatabaseURL) throws -> Deployment {
        try Deployment(
            config: config, target: Target(environment: target.environment, url: url, source: "rehearsal clone"), drivers: drivers.drivers,
            processEnvironment: processEnvironment, logger: logger)
    }
}
