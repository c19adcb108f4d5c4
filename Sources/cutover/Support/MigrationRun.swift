import Cutover
import CutoverCore

extension CommandContext {
    /// `cutover migrate` for the context's environment (and `promote`'s target): the
    /// library's deploy pipeline, with its events rendered on stderr.
    ///
    /// - Throws: what ``Deployment/migrate(to:options:events:)`` throws.
    func runMigrate(to upTo: MigrationID?, options migrateOptions: Deployment.MigrateOptions) async throws -> DeploymentReport {
        let deployment = try deployment()
        return try await deployment.migrate(to: upTo, options: migrateOptions, events: eventPrinter(rehearsingFirst: deployment.target))
    }
}
