import Cutover
import CutoverCore
import CutoverPostgres
import CutoverSQLite
import CutoverTestSupport
import Foundation
import Logging

/// A migrated "shop" database of one backend with a backup folder, for backup tests.
///
/// Both backends get users (200 rows), orders (400 rows) with a foreign key, an index and a
/// view; PostgreSQL adds an identity column, a sequence-backed `serial`, an enum, a function,
/// a trigger and a second schema; SQLite an `AUTOINCREMENT` table and a trigger.
struct BackupFixture {
    let fixture: MigrationFixture
    let backupDirectory: String
    var backend: TestBackend { fixture.backend }
    var url: DatabaseURL { fixture.url }

    static let logger = Logger(label: "cutover-test") { _ in SwiftLogNoOpLogHandler() }

    static func make(_ backend: TestBackend, migrate: Bool = true) async throws -> BackupFixture {
        let fixture = try await MigrationFixture.make(backend)
        try fixture.write("1_shop.sql", """
            CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text);
            CREATE TABLE orders (
                id integer PRIMARY KEY,
                user_id integer NOT NULL REFERENCES users (id),
                total numeric(10, 2) NOT NULL DEFAULT 0,
                note text
            );
            CREATE INDEX orders_user ON orders (user_id);
            CREATE VIEW big_orders AS SELECT id, user_id FROM orders WHERE total > 100;
            """)
        try fixture.write("2_data.sql", """
            INSERT INTO users (id, email, name)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
            SELECT i, 'user' || i || '@example.com', 'User ' || i FROM n;
            INSERT INTO orders (id, user_id, total, note)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
            SELECT i, 1 + i % 200, i * 0.75, CASE WHEN i % 7 = 0 THEN NULL ELSE 'it''s order ' || i END FROM n;
            """)
        if backend.name == "postgres" {
            try fixture.write("3_postgres.sql", """
                CREATE TYPE mood AS ENUM ('happy', 'sad');
                CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, mood mood);
                INSERT INTO events (kind, mood) SELECT 'kind ' || g, CASE WHEN g % 2 = 0 THEN 'happy' ELSE 'sad' END::mood FROM generate_series(1, 30) g;
                CREATE TABLE tickets (id serial PRIMARY KEY, title text);
                INSERT INTO tickets (title) SELECT 'ticket ' || g FROM generate_series(1, 12) g;
                CREATE SCHEMA audit;
                CREATE TABLE audit.log (at timestamptz NOT NULL DEFAULT now(), message text);
                CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO audit.log (message) VALUES (TG_OP || ' ' || NEW.title);
                  RETURN NEW;
                END
                $$;
                CREATE TRIGGER tickets_audit AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION audit.record();
                INSERT INTO tickets (title) VALUES ('audited');
                """)
        } else {
            try fixture.write("3_sqlite.sql", """
                CREATE TABLE events (id integer PRIMARY KEY AUTOINCREMENT, kind text NOT NULL);
                INSERT INTO events (kind) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) SELECT 'kind ' || i FROM n;
                DELETE FROM events WHERE id > 25;
                CREATE TABLE log (message text);
                CREATE TRIGGER events_log AFTER INSERT ON events BEGIN INSERT INTO log VALUES ('event ' || NEW.kind); END;
                PRAGMA user_version = 7;
                """)
        }
        if migrate {
            _ = try await fixture.withMigrator { try await $0.migrate() }
        } else {
            // Opening creates the SQLite file: an empty database, not a missing one.
            _ = try await fixture.query("SELECT 1 AS x")
        }
        // The sessions used above are closed; their backends end a moment later, and tests
        // that count connected sessions (a template clone) must not see them.
        if backend.name == "postgres" { try await PostgresCluster.shared.waitUntilNoSessions(on: fixture.url) }
        return BackupFixture(fixture: fixture, backupDirectory: fixture.directory.path("backups"))
    }

    var driver: any BackupDriver {
        backend.name == "postgres" ? PostgresDriver() : SQLiteDriver()
    }

    func manager(keep: Int? = nil, progressInterval: Duration = .seconds(1), events: @escaping BackupEventHandler = { _ in }) -> BackupManager {
        var configuration = BackupManager.Configuration(directory: backupDirectory, keep: keep)
        configuration.progressInterval = progressInterval
        configuration.lockWait = .seconds(10)
        return BackupManager(driver: driver, url: url, environment: "test", configuration: configuration, logger: Self.logger, events: events)
    }

    /// The schema and row counts of the database at `url` (default: the fixture's).
    func summary(of other: DatabaseURL? = nil) async throws -> ContentsSummary {
        let database = try await TestBackend.open(other ?? url)
        do {
            let summary = try await (database as! any ContentsSummarizing).summarizeContents()
            await database.close()
            return summary
        } catch {
            await database.close()
            throw error
        }
    }

    /// Rows of a query on the database at `url` (default: the fixture's), as values.
    func rows(_ sql: String, in other: DatabaseURL? = nil) async throws -> [[SQLValue]] {
        let database = try await TestBackend.open(other ?? url)
        do {
            let rows = try await database.query(sql)
            await database.close()
            return rows.map(\.values)
        } catch {
            await database.close()
            throw error
        }
    }

    /// Runs statements on the fixture's database.
    func execute(_ statements: String..., in other: DatabaseURL? = nil) async throws {
        let database = try await TestBackend.open(other ?? url)
        do {
            for statement in statements { try await database.execute(statement) }
            await database.close()
        } catch {
            await database.close()
            throw error
        }
    }

    /// The catalog as the engine wrote it.
    func catalog() throws -> BackupCatalog {
        try BackupManager.catalog(in: backupDirectory)
    }

    /// Drops databases made by a test (PostgreSQL) and the folder.
    func cleanUp(alsoDropping others: [DatabaseURL] = []) async {
        if backend.name == "postgres" {
            for other in others { await PostgresCluster.shared.dropDatabase(other) }
        }
        await fixture.cleanUp()
    }
}
