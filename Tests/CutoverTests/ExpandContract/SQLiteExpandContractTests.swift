import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `.yaml` migrations on SQLite: applied directly in one transaction, recorded in the history.
/// Each test has its own database file (``MigrationFixture``).
@Suite("SQLite applies .yaml migrations directly")
struct SQLiteExpandContractTests {
    static let schema = """
        CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price TEXT NOT NULL);
        INSERT INTO users VALUES (1, 'ann', '120'), (2, 'bob', '7');
        CREATE INDEX users_price_idx ON users (price);
        CREATE TABLE audit (users_id INTEGER, note TEXT);
        CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (new.id, 'inserted'); END;
        CREATE VIEW cheap_users AS SELECT id FROM users WHERE CAST(price AS INTEGER) < 100;
        CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
        INSERT INTO orders VALUES (10, 1), (11, 2);
        """

    static let reshape = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - alter_column:
              table: users
              column: price
              type: INTEGER
              up: "CAST(price AS INTEGER)"
              down: "CAST(price AS TEXT)"
          - add_column:
              table: users
              column: { name: status, type: TEXT, nullable: false, default: "'new'" }
              up: "CASE WHEN CAST(price AS INTEGER) > 100 THEN 'premium' || '-' || name ELSE 'new' END"
          - create_index: { name: users_full_name_idx, table: users, columns: [full_name] }

        """

    /// A SQLite database with ``schema`` applied by `1_setup.sql`, and `2_reshape.yaml`.
    static func make(yaml: String = reshape) async throws -> (MigrationFixture, Deployment) {
        let fixture = try await MigrationFixture.make(.sqlite)
        try fixture.write("1_setup.sql", "-- cutover:up\n\(schema)\n-- cutover:down\nDROP TABLE orders;\n")
        try fixture.write("2_reshape.yaml", yaml)
        try fixture.directory.write("cutover.toml", """
            migrations = "migrations"
            default_env = "dev"

            [env.dev]
            url = "\(fixture.url.rawText)"
            """)
        let config = try ConfigurationLoader().load(explicitPath: fixture.directory.path("cutover.toml"))
        let deployment = try Deployment(config: config, environment: "dev", drivers: TestBackend.drivers, processEnvironment: [:])
        return (fixture, deployment)
    }

    /// Runs `statements` in one session on the fixture's database.
    static func execute(_ fixture: MigrationFixture, _ statements: String...) async throws {
        let database = try await TestBackend.open(fixture.url)
        do {
            for statement in statements { try await database.execute(statement) }
            await database.close()
        } catch {
            await database.close()
            throw error
        }
    }

    @Test("migrate converts the data; indexes, triggers, views and foreign keys survive the rebuild; applied once")
    func migrateApplies() async throws {
        let (fixture, deployment) = try await Self.make()
        let report = try await deployment.migrate()
        #expect(report.migrate.applied.map(\.id.rawValue) == ["1", "2"])

        let rows = try await fixture.query("SELECT id, full_name, price, typeof(price) AS t, status FROM users ORDER BY id")
        #expect(rows.map { $0.string("full_name") } == ["ann", "bob"])
        #expect(rows.map { $0.int("price") } == [120, 7])
        #expect(rows.map { $0.string("t") } == ["integer", "integer"])
        // `up` reads the row by the names before the migration (`name`, not `full_name`).
        #expect(rows.map { $0.string("status") } == ["premium-ann", "new"])

        let objects = try await fixture.query("SELECT name FROM sqlite_schema WHERE tbl_name IN ('users', 'cheap_users') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        #expect(objects.compactMap { $0.string("name") } == ["cheap_users", "users", "users_audit", "users_full_name_idx", "users_price_idx"])
        #expect(try await fixture.query("SELECT id FROM cheap_users").compactMap { $0.int("id") } == [2])
        try await Self.execute(fixture, "INSERT INTO users (id, full_name, price) VALUES (3, 'cy', 5)")
        #expect(try await fixture.query("SELECT count(*) AS n FROM audit").first?.int("n") == 1)
        #expect(try await fixture.query("SELECT status FROM users WHERE id = 3").first?.string("status") == "new")
        // The foreign key from orders still holds and is still enforced.
        #expect(try await fixture.query("PRAGMA foreign_key_check").isEmpty)
        await #expect(throws: (any Error).self) {
            try await Self.execute(fixture, "PRAGMA foreign_keys = ON", "INSERT INTO orders VALUES (12, 99)")
        }

        let states = try await deployment.withSession { try await deployment.expandContractStates(on: $0) }
        #expect(states.map(\.kind.rawValue) == ["applied"])
        let again = try await deployment.migrate()
        #expect(again.migrate.applied.isEmpty)
        #expect(try await fixture.query("SELECT count(*) AS n FROM users").first?.int("n") == 3)
        await fixture.cleanUp()
    }

    @Test("a failing up rolls everything back: table unchanged, migration pending, error at file:line")
    func failureRollsBack() async throws {
        let yaml = """
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - add_column:
                  table: users
                  column: { name: code, type: TEXT, nullable: false }
                  up: "no_such_function(price)"

            """
        let (fixture, deployment) = try await Self.make(yaml: yaml)
        let error = await #expect(throws: CutoverError.self) { _ = try await deployment.migrate() }
        #expect(error?.file?.hasSuffix("2_reshape.yaml") == true, "\(String(describing: error))")
        #expect(error?.line == 3, "\(String(describing: error))")
        #expect(error?.message.contains("add_column") == true, "\(String(describing: error))")
        let columns = try await fixture.query("SELECT name FROM pragma_table_info('users') ORDER BY cid").compactMap { $0.string("name") }
        #expect(columns == ["id", "name", "price"])
        let states = try await deployment.withSession { try await deployment.expandContractStates(on: $0) }
        #expect(states.map(\.kind.rawValue) == ["pending"])
        await fixture.cleanUp()
    }

    @Test("replace_function is refused naming file:line; a rebuild that breaks a foreign key is rolled back")
    func refusals() async throws {
        let yaml = """
            operations:
              - create_index: { name: users_name_idx, table: users, columns: [name] }
              - replace_function:
                  name: label
                  returns: text
                  body: "SELECT 1"

            """
        let (fixture, deployment) = try await Self.make(yaml: yaml)
        let error = await #expect(throws: CutoverError.self) { _ = try await deployment.migrate() }
        #expect(error?.code == .invalidMigration)
        #expect(error?.line == 3 && error?.file?.hasSuffix("2_reshape.yaml") == true, "\(String(describing: error))")
        #expect(error?.message.contains("replace_function") == true && error?.message.contains("SQLite") == true, "\(String(describing: error))")
        #expect(try await fixture.query("SELECT name FROM sqlite_schema WHERE name = 'users_name_idx'").isEmpty)
        await fixture.cleanUp()

        let dangling = """
            operations:
              - sql: { up: "DELETE FROM users WHERE id = 2" }
              - alter_column: { table: users, column: price, default: "'0'" }

            """
        let (other, otherDeployment) = try await Self.make(yaml: dangling)
        let broken = await #expect(throws: CutoverError.self) { _ = try await otherDeployment.migrate() }
        #expect(broken?.message.contains("foreign key") == true && broken?.message.contains("orders") == true, "\(String(describing: broken))")
        #expect(try await other.query("SELECT count(*) AS n FROM users").first?.int("n") == 2)
        await other.cleanUp()
    }
}
