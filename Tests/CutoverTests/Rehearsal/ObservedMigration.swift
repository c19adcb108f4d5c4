import Cutover
import CutoverCore
import CutoverTestSupport

extension MigrationFixture {
    /// Applies the pending migrations with a ``LockObserver`` watching from a second
    /// session, as a rehearsal does on its clone, and returns what it saw.
    func migrateObservingLocks() async throws -> [StatementObservation] {
        let migrating = try await TestBackend.open(url)
        let watching = try await TestBackend.open(url)
        let observer = try await LockObserver(migrating: migrating, observer: watching)
        var configuration = Migrator.Configuration()
        configuration.observer = observer
        let migrator = Migrator(database: migrating, migrations: try MigrationDirectory(path: migrationsPath).load(), configuration: configuration)
        _ = try await migrator.migrate()
        let seen = await observer.statements()
        await migrating.close()
        await watching.close()
        return seen
    }
}
