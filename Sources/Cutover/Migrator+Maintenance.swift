import CutoverCore
import Logging

/// One problem `validate` found.
public struct ValidationFinding: Sendable {
    /// `changed`, `out_of_order`, `failed`, `missing`.
    public var kind: MigrationState.Kind
    /// The migration concerned.
    public var id: MigrationID
    /// Its file name; nil when the file is gone.
    public var file: String?
    /// One sentence saying what is wrong.
    public var message: String
    /// What to do about it (restore the file, `cutover repair`, …).
    public var hint: String
}

/// One change `repair` made.
public struct RepairAction: Sendable {
    /// The migration repaired.
    public var id: MigrationID
    /// `checksum_updated`, `failed_cleared`, `missing_removed`.
    public var action: String
    /// What changed, for people (the old and new checksum, the cleared error).
    public var detail: String
}

extension Migrator {
    /// Checks the files against the history: changed checksums, out-of-order files, failed
    /// rows and applied migrations whose files are gone. Parse errors were already thrown
    /// when the files were loaded. Takes no lock and changes nothing.
    ///
    /// ```swift
    /// for finding in try await migrator.validate() { print("\(finding.message)\nhint: \(finding.hint)") }
    /// ```
    ///
    /// - Returns: one finding per problem, in id order; empty when files and history agree.
    /// - Throws: `CutoverError` when the history cannot be read.
    public func validate() async throws -> [ValidationFinding] {
        try await status().compactMap { state in
            let file = state.migration?.fileName
            switch state.kind {
            case .changed:
                return ValidationFinding(
                    kind: .changed, id: state.id, file: file,
                    message: "\(file!) changed since it was applied (checksum \(state.record!.checksum.prefix(12))… now \(state.migration!.checksum.prefix(12))…)",
                    hint: "restore the file from version control, or accept the change with `cutover repair \(state.id)`")
            case .outOfOrder:
                return ValidationFinding(
                    kind: .outOfOrder, id: state.id, file: file, message: "\(file!) is pending but older than the newest applied migration",
                    hint: "give it a newer id, or apply it with `cutover migrate --allow-out-of-order`")
            case .failed:
                let record = state.record!
                return ValidationFinding(
                    kind: .failed, id: state.id, file: file,
                    message: "\(file ?? state.id.rawValue)\(record.failedLine.map { ":\($0)" } ?? ""): \(record.errorMessage ?? "interrupted")",
                    hint: "fix it and run `cutover migrate` (it retries), or clear the row with `cutover repair \(state.id)`")
            case .missing:
                return ValidationFinding(
                    kind: .missing, id: state.id, file: nil, message: "migration \(state.id) (\(state.name)) is applied but its file is gone",
                    hint: "restore the file from version control, or forget it with `cutover repair \(state.id)`")
            default:
                return nil
            }
        }
    }

    /// Accepts the current state of the named migrations: a changed file's new checksum is
    /// recorded, a failed row is cleared (progress of a no-transaction migration is kept,
    /// so the next run resumes), the row of a migration whose file is gone is removed.
    /// - Parameter ids: the migrations to repair (from ``validate()``'s findings).
    /// - Returns: what was changed, one action per id.
    /// - Throws: `CutoverError` `.invalidArgument` for an id that needs no repair.
    /// - Warning: this makes the history agree with the files without running any SQL;
    ///   check first that the database really is in the state the files describe.
    public func repair(_ ids: [MigrationID]) async throws -> [RepairAction] {
        try await withRunLock {
            let states = MigrationPlanner().states(migrations: migrations, history: try await history.all())
            var actions: [RepairAction] = []
            for id in ids {
                guard let state = states.first(where: { $0.id == id }), var record = state.record,
                    [.changed, .failed, .missing].contains(state.kind)
                else {
                    let needing = states.filter { [.changed, .failed, .missing].contains($0.kind) }.map(\.id.rawValue)
                    throw CutoverError(
                        .invalidArgument, "migration \(id) needs no repair",
                        hint: needing.isEmpty ? "nothing needs repair" : "these need repair: \(needing.joined(separator: " "))", migrationID: id)
                }
                switch state.kind {
                case .changed:
                    let old = record.checksum
                    record.checksum = state.migration!.checksum
                    record.name = state.migration!.name
                    try await history.save(record, announces: false)
                    actions.append(.init(id: id, action: "checksum_updated", detail: "\(old.prefix(12))… → \(record.checksum.prefix(12))…"))
                case .failed where state.migration != nil && record.statementsDone > 0:
                    record.phase = .running
                    record.checksum = state.migration!.checksum
                    record.failedStatement = nil
                    record.failedLine = nil
                    record.errorMessage = nil
                    record.errorSQLState = nil
                    try await history.save(record)
                    actions.append(.init(id: id, action: "failed_cleared", detail: "kept progress: \(record.statementsDone) statement(s) done; `cutover migrate` resumes"))
                case .failed where state.migration == nil:
                    try await history.delete(id)
                    let left = record.statementsDone > 0
                        ? "; \(record.statementsDone)\(record.statementsTotal.map { " of \($0)" } ?? "") of its statements had been applied and stay: check what they changed"
                        : ""
                    actions.append(.init(id: id, action: "failed_removed", detail: "failed row removed; its file is gone, so nothing is pending for it\(left)"))
                case .failed:
                    try await history.delete(id)
                    actions.append(.init(id: id, action: "failed_cleared", detail: "failed row removed; the migration is pending"))
                default:
                    try await history.delete(id)
                    actions.append(.init(id: id, action: "missing_removed", detail: "history row removed"))
                }
            }
            return actions
        }
    }

    /// Adopts an existing database: records every migration up to `target` as applied
    /// without running it.
    ///
    /// ```swift
    /// let recorded = try await migrator.baseline(to: MigrationID("20261124120000")!)
    /// ```
    ///
    /// - Parameter target: the newest migration the database already has.
    /// - Returns: the ids recorded as applied.
    /// - Throws: `CutoverError` `.invalidArgument` for an unknown id, `.draftMigration` when
    ///   a draft file (`Migration.draft`) is among them.
    /// - Warning: nothing checks that the database really has what those migrations create.
    public func baseline(to target: MigrationID) async throws -> [MigrationID] {
        _ = try migration(target)
        if let draft = migrations.first(where: { $0.id <= target && $0.draft != nil }) {
            throw CutoverError(
                .draftMigration, "\(draft.fileName) is a draft, not written yet; baseline would record it as applied",
                hint: "\(draft.draft!.fix), or baseline up to an id before it", file: draft.fileName, line: draft.draft!.line, migrationID: draft.id)
        }
        return try await withRunLock {
            let existing = try await history.all()
            var adopted: [MigrationID] = []
            try await inWriteTransaction {
                for migration in migrations where migration.id <= target && existing[migration.id]?.phase != .applied {
                    let now = RunnerIdentity.now()
                    try await history.save(HistoryRecord(
                        id: migration.id, name: migration.name, kind: "baseline", checksum: migration.checksum, phase: .applied,
                        startedAt: now, finishedAt: now, durationMilliseconds: 0, appliedBy: RunnerIdentity.appliedBy,
                        toolVersion: CutoverVersion.current, statementsDone: migration.up.count, statementsTotal: migration.up.count))
                    adopted.append(migration.id)
                }
            }
            return adopted
        }
    }
}
