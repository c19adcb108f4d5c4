import CutoverCore

extension Deployment {
    /// Registers a migration written in Swift, applied by ``migrate(to:options:events:)`` with
    /// the folder's files, in id order, through the same pipeline (run lock, history row,
    /// backups, rehearsal on a clone): as GRDB's `DatabaseMigrator.registerMigration` or a
    /// Fluent migration, with Cutover's guarantees.
    ///
    /// ```swift
    /// var deployment = try Deployment(config: config, drivers: [PostgresDriver(), SQLiteDriver()])
    /// try deployment.registerMigration("20261124120000_add_phone") { db in
    ///     try await db.execute("ALTER TABLE users ADD COLUMN phone text")
    /// }
    /// try await deployment.migrate()   // twenty processes at once: applied exactly once
    /// ```
    ///
    /// `body` runs in the migration's transaction on the run's session, with the history row
    /// written in the same transaction: it must not commit or roll back, and it runs at most
    /// once per database (a failure leaves nothing behind and is retried by the next run).
    /// Its code cannot be checksummed: the history records a checksum of `identifier` (marked
    /// `swift:`), so a changed body is not noticed — register a new migration instead.
    /// `cutover status` (which does not link the app's code) shows such a migration as
    /// `app_applied`; `cutover rollback` cannot undo it (it has no down).
    ///
    /// - Parameters:
    ///   - identifier: `<id>_<name>` as a file name without `.sql` (`20261124120000_add_phone`).
    ///   - body: the change, given the run's session.
    /// - Throws: `CutoverError` `.invalidMigration` for an identifier that is not `<digits>_<name>`,
    ///   or an id already registered.
    public mutating func registerMigration(_ identifier: String, _ body: @escaping @Sendable (any Database) async throws -> Void) throws {
        let migration = try Migration.registered(identifier, MigrationBody(body))
        if let other = registeredMigrations.first(where: { $0.id == migration.id }) {
            throw CutoverError(
                .invalidMigration, "'\(identifier)' has the id of '\(other.id)_\(other.name)', registered before",
                hint: "give each registered migration its own id (e.g. a timestamp: 20261124120000_add_phone)", migrationID: migration.id)
        }
        registeredMigrations.append(migration)
    }

    /// The folder's files and the registered migrations in id order, or an error naming a file
    /// and a registration with the same id.
    static func merging(_ files: [Migration], _ registered: [Migration]) throws -> [Migration] {
        guard !registered.isEmpty else { return files }
        let fileIDs = Dictionary(files.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let clash = registered.first(where: { fileIDs[$0.id] != nil }), let file = fileIDs[clash.id] {
            throw CutoverError(
                .invalidMigration, "'\(file.fileName)' and the migration registered in Swift as '\(clash.id)_\(clash.name)' have the same id \(clash.id)",
                hint: "give one of them another id", file: file.fileName, migrationID: clash.id)
        }
        return (files + registered).sorted { $0.id < $1.id }
    }
}
