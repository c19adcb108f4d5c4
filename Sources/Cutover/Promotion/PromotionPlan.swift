import CutoverCore

/// What `cutover promote --from staging --to production` would apply, after checking that
/// production's history is a prefix of staging's. Pure: it reads histories and files, no
/// database.
///
/// Production may only be behind staging, never beside it: every migration applied on
/// production must be applied on staging too, in the same position of the id order, with
/// the same checksum. The migrations to promote are staging's remaining applied ones, and
/// each must still have its file in the migrations folder with the checksum staging applied.
///
/// ```swift
/// let plan = try PromotionPlan(source: stagingHistory, target: productionHistory, migrations: files,
///                              sourceName: "staging", targetName: "production")
/// print(plan.pending)        // ids production lacks, in id order
/// ```
public struct PromotionPlan: Sendable, Equatable {
    /// Migrations applied on the source (staging), in id order.
    public var sourceApplied: [MigrationID]
    /// Migrations applied on the target (production), in id order: a prefix of ``sourceApplied``.
    public var targetApplied: [MigrationID]
    /// What the target lacks: the rest of ``sourceApplied``, in id order.
    public var pending: [MigrationID]
    /// The newest migration applied on the source; the target is migrated up to it.
    public var last: MigrationID? { sourceApplied.last }

    /// Checks the histories and computes the migrations to promote.
    ///
    /// - Parameters:
    ///   - source: the history rows of the environment promoted from.
    ///   - target: the history rows of the environment promoted to.
    ///   - migrations: the migration files.
    ///   - sourceName: the source environment's name, for messages.
    ///   - targetName: the target environment's name, for messages.
    /// - Throws: `CutoverError` `.historyMismatch` (exit 3) when the target's applied
    ///   history is not a prefix of the source's; `.validationFailed` (exit 3) when a file
    ///   to promote is missing or differs from what the source applied.
    public init(
        source: [MigrationID: HistoryRecord], target: [MigrationID: HistoryRecord], migrations: [Migration],
        sourceName: String, targetName: String
    ) throws {
        let sourceRecords = source.values.filter { $0.phase == .applied }.sorted { $0.id < $1.id }
        let targetRecords = target.values.filter { $0.phase == .applied }.sorted { $0.id < $1.id }
        let hint = "promote only moves \(targetName) forward along \(sourceName)'s history; compare them with `cutover status --env \(sourceName)` and `cutover status --env \(targetName)`"
        for (index, record) in targetRecords.enumerated() {
            guard index < sourceRecords.count else {
                throw CutoverError(
                    .historyMismatch,
                    "\(targetName)'s history is not a prefix of \(sourceName)'s: \(targetName) has \(targetRecords.count) applied migrations, \(sourceName) only \(sourceRecords.count) (\(record.id)_\(record.name) is not applied on \(sourceName))",
                    hint: hint, migrationID: record.id)
            }
            let other = sourceRecords[index]
            guard other.id == record.id else {
                let missing = source[record.id]?.phase == .applied
                    ? "\(sourceName) applied \(other.id)_\(other.name) before it, which \(targetName) lacks"
                    : "\(record.id)_\(record.name) is applied on \(targetName) but not on \(sourceName)"
                throw CutoverError(
                    .historyMismatch, "\(targetName)'s history is not a prefix of \(sourceName)'s: \(missing)", hint: hint, migrationID: record.id)
            }
            guard other.checksum == record.checksum else {
                throw CutoverError(
                    .historyMismatch,
                    "\(targetName)'s history is not a prefix of \(sourceName)'s: \(record.id)_\(record.name) was applied from different files (checksums \(record.checksum.prefix(12))… and \(other.checksum.prefix(12))…)",
                    hint: hint, migrationID: record.id)
            }
        }
        let pendingRecords = Array(sourceRecords.dropFirst(targetRecords.count))
        let files = Dictionary(migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for record in pendingRecords {
            guard let file = files[record.id] else {
                throw CutoverError(
                    .validationFailed, "cannot promote \(record.id)_\(record.name): applied on \(sourceName), but its file is not in the migrations folder",
                    hint: "check out the version of the repository that \(sourceName) was migrated from", migrationID: record.id)
            }
            guard file.checksum == record.checksum else {
                throw CutoverError(
                    .validationFailed, "cannot promote \(file.fileName): the file has changed since it was applied on \(sourceName)",
                    hint: "check out the version \(sourceName) was migrated from, or accept the change there first (`cutover repair --env \(sourceName) \(record.id)`) and test it",
                    file: file.fileName, migrationID: record.id)
            }
        }
        sourceApplied = sourceRecords.map(\.id)
        targetApplied = targetRecords.map(\.id)
        pending = pendingRecords.map(\.id)
    }
}

extension CutoverError.Code {
    /// The target's applied history is not a prefix of the source's (`cutover promote`): a
    /// finding, exit 3.
    public static let historyMismatch = Self("history_mismatch", exitCode: 3)
}
