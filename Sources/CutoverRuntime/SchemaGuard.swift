import Cutover
import CutoverCore
import Logging

/// What one version of an application needs from the database, checked at start-up (or at
/// any time): the migrations it was built with and, on PostgreSQL during an expand/contract
/// deploy, the version schema it reads through.
///
/// ```swift
/// let guard = SchemaGuard(deployment: deployment, requires: ["20261124130000", "20261201120000"], versionSchema: "public_20261201120000")
/// try await guard.enforce(.wait(timeout: .seconds(120)))      // or .failFast, .apply
/// // on every new connection of this version:
/// if let sql = guard.searchPathSQL { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
/// ```
public struct SchemaGuard: Sendable {
    /// What to do when the database is not compatible.
    public enum Policy: Sendable, Equatable {
        /// Throw at once.
        case failFast
        /// Check again every `every` until compatible or `timeout` has passed (another node or a
        /// deploy job is applying the migrations). A database that is too new fails at once.
        case wait(timeout: Duration, every: Duration = .seconds(1))
        /// Apply the missing migrations (`Deployment.migrate(to:)`, under the run lock: twenty
        /// nodes starting at once apply each exactly once). A node that finds the lock held for
        /// longer than `[safety] lock_wait` (another node applying a long migration) checks
        /// again and, while the migrations are still missing, waits again: at most
        /// ``applyLockRounds`` waits in all. A database that is too new fails.
        case apply
    }

    /// How many times ``Policy/apply`` waits `[safety] lock_wait` for the run lock before it
    /// gives up (the other node's error then names the holder).
    public static let applyLockRounds = 3

    /// The migrations this version needs.
    public let requires: [MigrationID]
    /// The version schema it reads through, or nil for the base tables.
    public let versionSchema: String?
    private let deployment: Deployment
    private let logger: Logger

    /// Creates a guard.
    /// - Parameters:
    ///   - deployment: the database and its migrations folder.
    ///   - requires: the migrations this version needs (every migration it was built with).
    ///   - versionSchema: on PostgreSQL, the version schema it reads through (`public_<id>`).
    ///   - logger: where waiting and applying are logged.
    public init(deployment: Deployment, requires: [MigrationID], versionSchema: String? = nil, logger: Logger = Logger(label: "cutover.guard")) {
        self.deployment = deployment
        self.requires = requires
        self.versionSchema = versionSchema
        self.logger = logger
    }

    /// `SET search_path TO "<version schema>", "<schema>"` for each new connection of this
    /// version, or nil when it reads the base tables.
    public var searchPathSQL: String? {
        guard let versionSchema, let underscore = versionSchema.lastIndex(of: "_") else { return nil }
        let base = String(versionSchema[..<underscore])
        return "SET search_path TO \(SQLText.quotedIdentifier(versionSchema)), \(SQLText.quotedIdentifier(base))"
    }

    /// Sets ``searchPathSQL`` on a session of Cutover's `Database` (nothing for the base tables).
    public func configure(_ database: any Database) async throws {
        if let searchPathSQL { try await database.execute(searchPathSQL) }
    }

    /// The verdict now, and the columns a pending contract will remove (stop selecting them
    /// before it runs).
    public func check() async throws -> SchemaCompatibility {
        try await deployment.checkCompatibility(requires: requires, versionSchema: versionSchema)
    }

    /// Checks, and by `policy` waits or applies until compatible.
    /// - Returns: the compatible report.
    /// - Throws: `CutoverError` `.schemaIncompatible` naming the missing migrations or saying
    ///   why the database is too new; the error of a failed `migrate` under ``Policy/apply``.
    @discardableResult
    public func enforce(_ policy: Policy) async throws -> SchemaCompatibility {
        var report = try await check()
        switch (report.verdict, policy) {
        case (.compatible, _):
            return report
        case (.tooNew(let reason), _):
            throw CutoverError(.schemaIncompatible, reason, hint: "roll out the application version that matches the database")
        case (.missing(let ids), .failFast):
            throw Self.missingError(ids)
        case (.missing(let ids), .apply):
            logger.notice("applying the migrations this version needs", metadata: ["missing": "\(ids.map(\.rawValue))"])
            return try await apply(upTo: ids.max())
        case (.missing(let ids), .wait(let timeout, let every)):
            logger.notice("waiting for the migrations this version needs", metadata: ["missing": "\(ids.map(\.rawValue))"])
            let deadline = ContinuousClock.now + timeout
            while !report.isCompatible {
                if case .tooNew = report.verdict { throw Self.error(report.verdict) }
                guard ContinuousClock.now < deadline else { throw Self.error(report.verdict, waited: timeout) }
                try await Task.sleep(for: min(every, ContinuousClock.now.duration(to: deadline)))
                report = try await check()
            }
            return report
        }
    }

    /// ``Policy/apply``: migrates up to `target`; when another node holds the run lock for
    /// longer than lock_wait, checks again, and waits again while the migrations are missing.
    private func apply(upTo target: MigrationID?) async throws -> SchemaCompatibility {
        for round in 1...Self.applyLockRounds {
            do {
                _ = try await deployment.migrate(to: target)
                break
            } catch let error as CutoverError where error.code == .lockNotAcquired {
                let report = try await check()
                if report.isCompatible { return report }
                guard round < Self.applyLockRounds, case .missing(let ids) = report.verdict else { throw error }
                logger.notice(
                    "another node is still applying migrations; waiting for the lock again",
                    metadata: ["missing": "\(ids.map(\.rawValue))", "round": "\(round + 1) of \(Self.applyLockRounds)", "holder": "\(error.message)"])
            }
        }
        let report = try await check()
        guard report.isCompatible else { throw Self.error(report.verdict) }
        return report
    }

    private static func error(_ verdict: SchemaCompatibility.Verdict, waited: Duration? = nil) -> CutoverError {
        switch verdict {
        case .compatible: CutoverError(.schemaIncompatible, "compatible")
        case .tooNew(let reason): CutoverError(.schemaIncompatible, reason, hint: "roll out the application version that matches the database")
        case .missing(let ids): missingError(ids, waited: waited)
        }
    }

    private static func missingError(_ ids: [MigrationID], waited: Duration? = nil) -> CutoverError {
        let list = ids.map(\.rawValue).joined(separator: ", ")
        return CutoverError(
            .schemaIncompatible,
            "this version of the application needs migration\(ids.count == 1 ? "" : "s") \(list), not applied to the database"
                + (waited.map { " after waiting \($0)" } ?? ""),
            hint: "run `cutover migrate` (or `cutover start` for a .yaml migration), or start the app with the policy .apply")
    }
}
