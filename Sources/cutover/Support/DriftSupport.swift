import Cutover
import CutoverCore
import Foundation

/// Drift checks for the commands: the live schema of an environment against the schema its
/// applied migrations produce on a scratch database.
extension CommandContext {
    /// A drift check for `target`'s database, with `[safety]`'s timeouts for the replay.
    ///
    /// - Throws: ``CutoverError`` `.invalidURL` (no driver), `.introspectionUnsupported`.
    func driftCheck(for target: Target, options: IntrospectionOptions = .init()) throws -> DriftCheck {
        try DriftCheck(
            driver: try driver(for: target.url), migrations: try migrations(), configuration: Migrator.Configuration(safety: config.safety),
            options: options, logger: logger)
    }

    /// Compares `target`'s live schema with its applied migrations.
    ///
    /// - Throws: ``CutoverError`` `.unknownDatabase` for a missing SQLite file (opening it
    ///   would create an empty one), and what ``DriftCheck/run(on:)`` throws.
    func checkDrift(_ target: Target, introspection: IntrospectionOptions = .init()) async throws -> DriftReport {
        let url = target.url
        if url.scheme.hasPrefix("sqlite") || url.scheme == "file", !url.isInMemory, !FileManager.default.fileExists(atPath: url.path) {
            throw CutoverError(
                .unknownDatabase, "the SQLite database '\(url.path)' of \(target.environment) does not exist",
                hint: "check the path; relative paths in cutover.toml are relative to the config file's folder")
        }
        if !options.quiet && !url.scheme.hasPrefix("sqlite") {
            Terminal.err(Terminal.dim("replaying the applied migrations of \(target.environment) on a scratch database to check drift…"))
        }
        return try await driftCheck(for: target, options: introspection).run(on: url)
    }

    /// Opens `target`'s database, reads its schema and closes it.
    func introspectSchema(of target: Target) async throws -> Schema {
        let database = try await open(target)
        do {
            let schema = try await database.introspectSchema()
            await database.close()
            return schema
        } catch {
            await database.close()
            throw error
        }
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
        return notes
    }

    /// `{"checked": true, "drift", "differences", "applied", "verdict", "summary", "changes", "changed_files", "partial"}`.
    static func json(_ report: DriftReport, target: Target) -> JSON {
        .object([
            ("checked", .bool(true)), ("drift", .bool(report.hasDrift)), ("differences", .int(report.differenceCount)),
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
