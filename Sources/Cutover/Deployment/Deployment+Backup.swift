import CutoverCore

extension Deployment {
    /// A backup manager for the target (`[backup]` of the configuration).
    ///
    /// - Throws: `CutoverError` `.invalidArgument` when the target's driver cannot back up.
    package func backupManager(events: @escaping BackupEventHandler = { _ in }) throws -> BackupManager {
        let driver = try targetDriver(as: (any BackupDriver).self, for: "be backed up")
        return BackupManager(
            driver: driver, url: target.url, environment: target.environment, configuration: BackupManager.Configuration(config),
            logger: logger, events: events)
    }

    /// Takes one of the `[backup] mode` backups of a migrate run.
    ///
    /// - Returns: the catalog record, or nil for an in-memory database (nothing to keep).
    /// - Throws: `CutoverError` `.backupFailed` and connection errors; before migrating,
    ///   the caller must then leave the database alone.
    func takeBackup(_ phase: BackupPhase, events: @escaping DeploymentEventHandler) async throws -> BackupRecord? {
        events(.backupStarted(phase))
        if target.url.isInMemory {
            events(.backupFinished(phase, nil))
            return nil
        }
        let record = try await backupManager(events: { events(.backup($0)) }).backup(reason: phase.rawValue).record
        events(.backupFinished(phase, record))
        return record
    }
}
