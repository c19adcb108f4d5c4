import Cutover
import CutoverCore
import Foundation

/// Drift checks for the commands: the live schema of an environment against the schema its
/// applied migrations produce on a scratch database.
extension CommandContext {
    /// The deploy pipeline aimed at `target` (an environment other than the chosen one).
    func deployment(for target: Target) throws -> Deployment {
        try Deployment(config: config, target: target, drivers: Self.linkedDrivers, logger: logger)
    }

    /// Compares `target`'s live schema with its applied migrations
    /// (``Deployment/checkDrift(introspection:events:)``), saying so when the replay needs a
    /// server's scratch database.
    func checkDrift(_ target: Target, introspection: IntrospectionOptions = .init()) async throws -> DriftReport {
        try await deployment(for: target).checkDrift(introspection: introspection, events: eventPrinter())
    }

    /// The drift verdict of `cutover status`, on the session status already has open
    /// (``Deployment/checkDriftForStatus(migrator:history:events:)``).
    func checkDriftForStatus(_ target: Target, migrator: Migrator, history: [MigrationID: HistoryRecord]) async throws -> DriftReport {
        try await deployment(for: target).checkDriftForStatus(migrator: migrator, history: history, events: eventPrinter())
    }

    /// Opens `target`'s database, reads its schema and closes it.
    func introspectSchema(of target: Target) async throws -> Schema {
        try await deployment(for: target).introspectSchema()
    }

    /// The same context aimed at another environment (`promote --to`), as `--env NAME` would.
    func selecting(env name: String) -> CommandContext {
        var options = self.options
        options.env = name
        return CommandContext(options: options, config: config, logger: logger)
    }
}

/// Renderings of a drift report.
enum DriftOutput {
    /// The command that shows a drift in full.
    static func diffCommand(_ target: Target) -> String {
        target.source == "DATABASE_URL" ? "cutover diff --against migrations" : "cutover diff --env \(target.environment) --against migrations"
    }

    /// `drift: none (schema matches the 5 applied migrations)` or
    /// `drift: 2 differences — run cutover diff --env prod --against migrations`.
    static func verdict(_ report: DriftReport, target: Target) -> String {
        let count = report.applied.count
        if let checkedAt = report.cachedCheckedAt {
            return "drift: none (schema unchanged since it was checked at \(checkedAt))"
        }
        if !report.hasDrift {
            return "drift: none (schema matches the \(count) applied migration\(count == 1 ? "" : "s"))"
        }
        let n = report.differenceCount
        return "drift: \(n) difference\(n == 1 ? "" : "s") — run \(diffCommand(target))"
    }

    /// Notes on what the expected schema could not account for.
    static func notes(_ report: DriftReport) -> [String] {
        var notes: [String] = []
        if !report.changed.isEmpty {
            notes.append("\(report.changed.map(\.rawValue).joined(separator: ", ")) changed since applied: the expected schema uses today's file\(report.changed.count == 1 ? "" : "s")")
        }
        if !report.partial.isEmpty {
            notes.append("\(report.partial.map(\.rawValue).joined(separator: ", ")) stopped part-way: statements already run are in the live database only")
        }
        if let reason = report.schemaCheckNotSaved {
            notes.append("the verified schema state was not stored (\(reason)): the next status replays the migrations again")
        }
        return notes
    }

    /// `{"checked": true, "cached", "checked_at", "drift", "differences", "applied", "verdict", "summary", "changes",
    /// "changed_files", "partial"}`; `cached` is true when the verdict came from the stored schema check
    /// (`checked_at` is then when that check ran), false after a replay.
    static func json(_ report: DriftReport, target: Target) -> JSON {
        .object([
            ("checked", .bool(true)), ("cached", .bool(report.isCached)), ("checked_at", .string(report.cachedCheckedAt)),
            ("drift", .bool(report.hasDrift)), ("differences", .int(report.differenceCount)),
            ("applied", .int(report.applied.count)), ("verdict", .string(verdict(report, target: target))),
            ("summary", SchemaDiffOutput.summary(report.diff)), ("changes", SchemaDiffOutput.changes(report.diff)),
            ("changed_files", .array(report.changed.map { .string($0.rawValue) })),
            ("partial", .array(report.partial.map { .string($0.rawValue) })),
        ])
    }

    /// `{"checked": false, "reason"}` or `{"checked": false, "error": {"code", "message", "hint"}}`.
    static func notChecked(reason: String? = nil, error: CutoverError? = nil) -> JSON {
        var members: [(String, JSON)] = [("checked", .bool(false))]
        if let reason { members.append(("reason", .string(reason))) }
        if let error {
            members.append(("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.message)), ("hint", .string(error.hint))])))
        }
        return .object(members)
    }
}
