import CutoverCore

extension Deployment {
    /// What ``baseline(to:events:)`` did.
    public struct BaselineReport: Sendable {
        /// The migrations recorded as applied, in id order (empty when all already were).
        public var adopted: [MigrationID] = []
        /// The schema file (`[dump] schema`) written afterwards; nil without one, and when
        /// writing it failed.
        public var schemaDump: SchemaDumpResult?
        /// Why the schema file could not be written (the baseline stands).
        public var schemaDumpError: CutoverError?

        /// A report of nothing adopted.
        public init() {}
    }

    /// Adopts an existing database: records every migration up to `id` as applied without
    /// running it (``Migrator/baseline(to:)``), then writes the `[dump] schema` file.
    ///
    /// ```swift
    /// let report = try await deployment.baseline(to: MigrationID("20261124120000")!)
    /// print("adopted \(report.adopted.count)")
    /// ```
    ///
    /// - Parameters:
    ///   - id: the newest migration the database already has.
    ///   - events: the migrator's progress, then ``DeploymentEvent/schemaDumped(_:)``.
    /// - Returns: the ids recorded, and the schema file written.
    /// - Throws: `CutoverError` `.invalidArgument` for an unknown id, `.draftMigration`,
    ///   `.lockNotAcquired`; a failure to write the schema file is in the report instead.
    public func baseline(to id: MigrationID, events: @escaping DeploymentEventHandler = { _ in }) async throws -> BaselineReport {
        var report = BaselineReport()
        report.adopted = try await withMigrator(events: events) { migrator, _ in try await migrator.baseline(to: id) }
        if !report.adopted.isEmpty {
            (report.schemaDump, report.schemaDumpError) = await writeConfiguredSchemaDump(after: "baseline", events: events)
        }
        return report
    }
}
