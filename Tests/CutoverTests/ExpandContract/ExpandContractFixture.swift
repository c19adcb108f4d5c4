import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Logging
import Synchronization

/// A PostgreSQL database with a `users` table of `rows` rows and an expand/contract migration
/// `2_reshape.yaml` that renames `name` to `full_name`, turns `price` from integer into
/// numeric, indexes `full_name` and adds a NOT NULL `status` with a default (the index build
/// between the two backfilled operations leaves a long gap between their triggers).
struct ExpandContractFixture {
    let fixture: MigrationFixture
    let deployment: Deployment
    static let id = MigrationID("2")!

    static let reshape = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - alter_column:
              table: users
              column: price
              type: "numeric(12,2)"
              up: "price::numeric(12,2)"
              down: "round(price)::integer"
          - create_index: { name: users_full_name_idx, table: users, columns: [full_name] }
          - add_column:
              table: users
              column: { name: status, type: text, nullable: false, default: "'new'" }
              up: "CASE WHEN price > 100 THEN 'premium' ELSE 'new' END"

        """

    /// - Parameters:
    ///   - rows: the rows of `users`.
    ///   - yaml: the text of `2_reshape.yaml`.
    ///   - setup: SQL run by the `.sql` migration `1_users.sql` after `users` is created and filled.
    static func make(rows: Int = 2_500, yaml: String = reshape, setup: String = "") async throws -> ExpandContractFixture {
        let fixture = try await MigrationFixture.make(.postgres)
        try fixture.write("1_users.sql", """
            CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, price integer NOT NULL);
            INSERT INTO users SELECT g, 'user ' || g, g % 200 FROM generate_series(1, \(rows)) AS g;
            \(setup)
            """)
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "production"

            [safety]
            lock_timeout = "2s"

            [env.production]
            url = "\(fixture.url.rawText)"
            """)
        let config = try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))
        let deployment = try Deployment(config: config, environment: "production", drivers: TestBackend.drivers, processEnvironment: [:])
        _ = try await deployment.migrate()
        // Written after the migrate: `migrate` would run it start to complete.
        try fixture.write("2_reshape.yaml", yaml)
        return ExpandContractFixture(fixture: fixture, deployment: deployment)
    }

    /// Runs `body` on a session whose search_path is `path` (an application version).
    func asVersion<T>(_ path: String, _ body: (any Database) async throws -> T) async throws -> T {
        try await TestBackend.patientPostgres.withSession(fixture.url, logger: Logger(label: "cutover-test")) { database in
            try await database.execute("SET search_path TO \(path)")
            return try await body(database)
        }
    }

    func query(_ sql: String) async throws -> [Row] { try await fixture.query(sql) }

    /// The columns of public.users, in order.
    func columns() async throws -> [String] {
        try await query("SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
            .compactMap { $0.string("attname") }
    }

    func count(_ sql: String) async throws -> Int { try await query(sql).first?.int("n") ?? -1 }
}

/// Collects expand/contract events.
final class ExpandContractEventLog: Sendable {
    private let events = Mutex<[ExpandContractEvent]>([])
    var handler: ExpandContractEventHandler { { event in self.events.withLock { $0.append(event) } } }
    var all: [ExpandContractEvent] { events.withLock { $0 } }
    var progress: [BackfillProgress] {
        all.compactMap { if case .backfillProgress(let progress) = $0 { progress } else { nil } }
    }
}
