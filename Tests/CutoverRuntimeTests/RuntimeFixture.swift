import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation

/// A database of one backend with a `.sql` migration `1_users.sql` written (not applied), and
/// a deployment to it.
struct RuntimeFixture {
    let fixture: MigrationFixture
    let deployment: Deployment

    static func make(_ backend: TestBackend) async throws -> RuntimeFixture {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);")
        var config = CutoverCore.Configuration(file: fixture.directory.path("cutover.toml"), baseDirectory: fixture.directory.url.path)
        config.migrations = "migrations"
        config.environments["test"] = .init(name: "test", url: fixture.url.rawText, line: 1)
        let deployment = try Deployment(config: config, environment: "test", drivers: TestBackend.drivers, processEnvironment: [:])
        return RuntimeFixture(fixture: fixture, deployment: deployment)
    }
}

extension RuntimeFixture {
    /// A fixture with `1_users.sql` applied and record history enabled on `users`.
    static func versionedUsers(_ backend: TestBackend) async throws -> (RuntimeFixture, RecordHistory) {
        let fx = try await make(backend)
        _ = try await fx.deployment.migrate()
        let users = RecordHistory(deployment: fx.deployment, table: "users")
        try await users.enable()
        return (fx, users)
    }
}
