import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

/// `PostgresDialect.schemaFingerprintQuery` on a real server: stable while the schema is,
/// different after any change introspection sees, blind to data and to Cutover's own schema.
@Suite("PostgreSQL schema fingerprint")
struct SchemaFingerprintTests {
    static func fingerprint(_ db: any Database) async throws -> String {
        let sql = try #require(PostgresDialect().schemaFingerprintQuery)
        return try #require(try await db.query(sql).first?.string("fingerprint"))
    }

    @Test("the same twice, different after a column default changes")
    func stableThenChanged() async throws {
        try await withSession(prefix: "fp") { db, _ in
            try await IntrospectionTests.run(IntrospectionTests.before, on: db)
            let first = try await Self.fingerprint(db)
            #expect(first.count == 64)
            #expect(try await Self.fingerprint(db) == first)
            try await db.execute("ALTER TABLE users ALTER COLUMN mood SET DEFAULT 'sad'")
            #expect(try await Self.fingerprint(db) != first)
        }
    }

    @Test("data, statistics, temporary tables and Cutover's schema leave it alone")
    func blindToData() async throws {
        try await withSession(prefix: "fp") { db, _ in
            try await IntrospectionTests.run(IntrospectionTests.before, on: db)
            let first = try await Self.fingerprint(db)
            for statement in PostgresDialect().createHistoryTable { try await db.execute(statement) }
            try await db.execute("INSERT INTO cutover.history (id, name, checksum, phase) VALUES ('1', 'x', 'c', 'applied')")
            try await db.execute("INSERT INTO cutover.schema_check VALUES (1, 'd', 'f', now())")
            try await db.execute("CREATE TABLE cutover.extra (id integer)")
            try await db.execute("INSERT INTO users (email) VALUES ('a@example.com')")
            try await db.execute("SELECT nextval('ticket_seq')")
            try await db.execute("REFRESH MATERIALIZED VIEW order_totals")
            try await db.execute("ANALYZE")
            try await db.execute("CREATE TEMPORARY TABLE scratch (id integer)")
            #expect(try await Self.fingerprint(db) == first)
        }
    }

    /// Each change alters what introspection reads, so it must alter the fingerprint.
    static let changes = [
        "ALTER TABLE users ADD COLUMN nickname text",
        "ALTER TABLE users ALTER COLUMN legacy TYPE bigint",
        "ALTER TABLE users ALTER COLUMN legacy SET NOT NULL",
        "ALTER TABLE users ALTER COLUMN name TYPE text COLLATE \"POSIX\"",
        "ALTER TABLE users ALTER COLUMN id SET GENERATED ALWAYS",
        "ALTER TABLE orders DROP COLUMN doubled",
        "ALTER TABLE users RENAME COLUMN legacy TO old",
        "CREATE INDEX users_email_idx ON users (email)",
        "ALTER INDEX orders_user_idx RENAME TO orders_by_user",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_max CHECK (total < 1000000) NOT VALID",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_max",
        "ALTER TABLE audit SET (fillfactor = 70)",
        "ALTER TABLE audit SET UNLOGGED",
        "COMMENT ON TABLE users IS 'customers'",
        "COMMENT ON COLUMN users.email IS 'login'",
        "COMMENT ON CONSTRAINT audit_pkey ON audit IS 'the key'",
        "COMMENT ON SCHEMA public IS 'the app'",
        "ALTER TYPE mood ADD VALUE 'happy'",
        "ALTER SEQUENCE ticket_seq INCREMENT BY 5",
        "CREATE OR REPLACE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 200",
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email = lower(NEW.email); RETURN NEW; END $$",
        "ALTER TABLE users DISABLE TRIGGER users_touch",
        "CREATE SCHEMA reports",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
    ]

    @Test("every change introspection sees changes the fingerprint")
    func everyChange() async throws {
        try await withSession(prefix: "fp") { db, _ in
            try await IntrospectionTests.run(IntrospectionTests.before, on: db)
            var previous = try await Self.fingerprint(db)
            var schema = try await db.introspect(options: .init())
            for change in Self.changes {
                try await db.execute(change)
                let next = try await Self.fingerprint(db)
                let introspected = try await db.introspect(options: .init())
                #expect(introspected != schema, "introspection sees: \(change)")
                #expect(next != previous, "the fingerprint sees: \(change)")
                previous = next
                schema = introspected
            }
        }
    }
}
