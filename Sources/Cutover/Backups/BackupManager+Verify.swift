import CutoverCore
import Foundation
import Logging

/// What ``BackupManager/verify(_:)`` found.
public struct VerificationReport: Sendable {
    /// The backup, with `verified_at` or `verification_error` as now recorded.
    public var backup: BackupRecord
    /// Differences between the restored copy and the catalog (file checksum, schema lines,
    /// row counts); empty when the backup matches.
    public var problems: [String]
    /// What the restored copy held; nil when the file was not restored (damaged).
    public var restored: ContentsSummary?
    /// Old backups the `keep` rule could remove now that this one is verified.
    public var removed: [BackupRecord]
    /// How long the verification took.
    public var duration: Duration

    /// Whether the backup matches its record.
    public var isMatching: Bool { problems.isEmpty }
}

extension BackupManager {
    /// Checks a backup by restoring it: compares the file's SHA-256 with the catalog,
    /// restores it into a scratch database next to the environment's (PostgreSQL
    /// `<db>_verify_<random>` on the same server; SQLite a file in the same folder), compares
    /// the schema and the row count of every table with what the catalog recorded at the
    /// snapshot, and drops the scratch database.
    ///
    /// The result is recorded in the catalog (`verified_at`, or `verification_error`); a
    /// verified backup lets the `keep` rule remove older ones, which it then does.
    ///
    /// ```swift
    /// let report = try await manager.verify("20261124T201500Z-production")
    /// if !report.isMatching { report.problems.forEach { print($0) } }
    /// ```
    ///
    /// - Parameter id: the backup's id or an unambiguous prefix.
    /// - Returns: the findings; a damaged or mismatching backup is a finding, not an error.
    /// - Throws: `CutoverError` `.invalidArgument` (unknown id, another kind of database),
    ///   `.restoreFailed` (the scratch restore failed: also recorded as the verification
    ///   error), connection errors.
    public func verify(_ id: String) async throws -> VerificationReport {
        let clock = ContinuousClock()
        let start = clock.now
        let record = try catalogFile.read().record(id, env: environment)
        try checkFormat(record, for: url)
        events(.started(operation: "verify", id: record.id, target: url.redacted))
        var problems: [String] = []
        var restored: ContentsSummary?
        do {
            let file = try await checkedFile(record)
            let scratch = driver.siblingURL(of: url, suffix: "verify_" + Self.randomSuffix())
            do {
                try await driver.restore(file, into: scratch, replacing: false, properties: record.properties, progress: reporter, logger: logger)
                let summary = try await summarize(scratch)
                try await driver.dropClone(scratch, logger: logger)
                restored = summary
                problems = compare(summary, with: record)
            } catch {
                await CleanupLedger.drop("the scratch database", scratch) { try await driver.dropClone(scratch, logger: logger) }
                throw error
            }
        } catch let error as CutoverError where error.code == .backupMismatch {
            problems = [error.message]
        } catch let error as CutoverError where error.code == .restoreFailed {
            _ = try? recordVerification(record.id, verifiedAt: nil, error: error.message)
            throw error
        }
        let updated = try recordVerification(record.id, verifiedAt: problems.isEmpty ? Self.isoTimestamp(Date()) : nil, error: problems.first)
        let removed = problems.isEmpty ? try prune().removed : []
        let duration = clock.now - start
        events(.finished(operation: "verify", id: record.id, duration: duration))
        return VerificationReport(backup: updated ?? record, problems: problems, restored: restored, removed: removed, duration: duration)
    }

    /// The summary of the database at `scratch`.
    private func summarize(_ scratch: DatabaseURL) async throws -> ContentsSummary {
        try await driver.withSession(scratch, logger: logger) { session in
            guard let summarizing = session as? any ContentsSummarizing else {
                throw CutoverError(.invalidArgument, "the \(scratch.scheme) driver cannot describe a database's contents", hint: "verification needs a driver that conforms to ContentsSummarizing")
            }
            return try await summarizing.summarizeContents()
        }
    }

    /// Differences between a restored copy and the record: the schema by checksum (and
    /// line by line against `<id>.schema.txt` when it is there), the row counts by table.
    private func compare(_ summary: ContentsSummary, with record: BackupRecord) -> [String] {
        var problems: [String] = []
        if summary.schemaChecksum != record.schemaSHA256 {
            let file = catalogFile.file("\(record.id).schema.txt")
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let expected = ContentsSummary(schema: text.split(separator: "\n").map(String.init), rowCounts: record.rowCounts)
                problems += summary.differences(from: expected).filter { $0.hasPrefix("schema") }
            }
            if problems.isEmpty {
                problems.append("the restored schema's checksum is \(summary.schemaChecksum), the backup recorded \(record.schemaSHA256)")
            }
        }
        problems += ContentsSummary.rowCountDifferences(summary.rowCounts, expected: record.rowCounts)
        return problems
    }

    /// Records the outcome of a verification in the catalog.
    private func recordVerification(_ id: String, verifiedAt: String?, error: String?) throws -> BackupRecord? {
        try catalogFile.update { catalog -> BackupRecord? in
            guard let index = catalog.backups.firstIndex(where: { $0.id == id }) else { return nil }
            if let verifiedAt {
                catalog.backups[index].verifiedAt = verifiedAt
                catalog.backups[index].verificationError = nil
            } else {
                catalog.backups[index].verificationError = error
            }
            return catalog.backups[index]
        }
    }

    static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16).padding(toLength: 12, withPad: "0", startingAt: 0)
    }
}
