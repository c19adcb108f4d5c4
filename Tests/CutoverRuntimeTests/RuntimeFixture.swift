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
        return RuntimeFixture(fixture: fixture, deployment: try deployment(of: fixture))
    }

    /// Another deployment (an app node of its own) of this fixture's database and folder,
    /// with `[safety]` changed by `safety`.
    func node(_ safety: (inout CutoverCore.Configuration.Safety) -> Void) throws -> Deployment {
        try Self.deployment(of: fixture, safety)
    }

    private static func deployment(of fixture: MigrationFixture, _ safety: (inout CutoverCore.Configuration.Safety) -> Void = { _ in }) throws -> Deployment {
        var config = CutoverCore.Configuration(file: fixture.directory.path("cutover.toml"), baseDirectory: fixture.directory.url.path)
        config.migrations = "migrations"
        config.environments["test"] = .init(name: "test", url: fixture.url.rawText, line: 1)
        safety(&config.safety)
        return try Deployment(config: config, environment: "test", drivers: TestBackend.drivers, processEnvironment: [:])
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
