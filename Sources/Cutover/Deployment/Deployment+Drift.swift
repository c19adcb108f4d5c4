import CutoverCore
import Foundation

/// Drift: the target's live schema against the schema its applied migrations produce on a
/// scratch database.
extension Deployment {
    /// A drift check for the target, with `[safety]`'s timeouts for the replay.
    ///
    /// - Throws: `CutoverError` `.invalidURL` (no driver), `.introspectionUnsupported`.
    package func driftCheck(options: IntrospectionOptions = .init(), migrations: [Migration]? = nil) throws -> DriftCheck {
        try DriftCheck(
            driver: try driver(for: target.url), migrations: try migrations ?? self.migrations(), configuration: migratorConfiguration,
            options: options, expandContractFolder: config.migrationsDirectory, logger: logger)
    }

    /// Compares the target's live schema with its applied migrations, replaying them on a
    /// scratch database.
    ///
    /// ```swift
    /// let drift = try await deployment.checkDrift()
    /// if drift.hasDrift { print(drift.diff.text) }
    /// ```
    ///
    /// - Parameters:
    ///   - introspection: what to compare (e.g. include Cutover's own objects).
    ///   - events: ``DeploymentEvent/replayingMigrations(_:)`` as the replay starts.
    /// - Returns: the differences, empty when the schema matches.
    /// - Throws: `CutoverError` `.unknownDatabase` for a missing SQLite file (opening it
    ///   would create an empty one), and what ``DriftCheck/run(on:)`` throws.
    public func checkDrift(introspection: IntrospectionOptions = .init(), events: DeploymentEventHandler = { _ in }) async throws -> DriftReport {
        let url = target.url
        if url.isLocalFile, !FileManager.default.fileExists(atPath: url.path) {
            throw CutoverError(
                .unknownDatabase, "the SQLite database '\(url.path)' of \(target.environment) does not exist",
                hint: "check the path; relative paths in cutover.toml are relative to the config file's folder")
        }
        try await withSession { try await requireNoExpandContractInFlight(on: $0) }
        let check = try driftCheck(options: introspection)
        events(.replayingMigrations(target))
        return try await check.run(on: url)
    }

    /// The drift verdict of `cutover status`, on the session status already has open:
    /// trusts the stored schema check when the applied migrations and the schema fingerprint
    /// still match it, and otherwise replays, reporting ``DeploymentEvent/replayingMigrations(_:)`` first.
    package func checkDriftForStatus(
        migrator: Migrator, history: [MigrationID: HistoryRecord], events: @escaping DeploymentEventHandler
    ) async throws -> DriftReport {
        let target = self.target
        try await requireNoExpandContractInFlight(on: migrator.database)
        return try await driftCheck(migrations: migrator.migrations).runUsingSchemaCheck(on: migrator.database, url: target.url, history: history) {
            events(.replayingMigrations(target))
        }
    }

    /// Refuses a drift verdict while a `.yaml` migration is in flight (expanded, revertible,
    /// …): the database then holds both versions' shapes, which no replay of the files
    /// produces. Completed ones are replayed with the `.sql` migrations.
    private func requireNoExpandContractInFlight(on database: any Database) async throws {
        let inFlight = try await expandContractStates(on: database).filter { ![.pending, .completed, .applied].contains($0.kind) }
        guard let first = inFlight.first else { return }
        throw CutoverError(
            .introspectionUnsupported,
            "\(first.id)_\(first.name).yaml is \(first.kind): while an expand/contract migration is in flight the database holds both versions' shapes, which the replay cannot produce",
            hint: "check drift once it is completed (cutover complete \(first.id)), or compare with another environment: cutover diff --env A --against B")
    }

    /// The target's schema as it is now: tables, columns, indexes and constraints, without
    /// Cutover's own tables.
    ///
    /// ```swift
    /// let schema = try await deployment.introspectSchema()
    /// print(schema.tables.map(\.name))
    /// ```
    ///
    /// - Returns: the schema, in the dialect-neutral model of `CutoverCore`.
    /// - Throws: `CutoverError` for connection and introspection errors.
    public func introspectSchema() async throws -> Schema {
        try await withSession { try await $0.introspectSchema() }
    }
}
