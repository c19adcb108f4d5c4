import CutoverCore
import CutoverSQLite
import CutoverTestSupport
import Foundation
import Testing

/// `SQLiteDialect.schemaFingerprintQuery` on a real SQLite file.
@Suite("SQLite schema fingerprint")
struct SchemaFingerprintTests {
    static func fingerprint(_ db: any Database) async throws -> String {
        let sql = try #require(SQLiteDialect().schemaFingerprintQuery)
        return try #require(try await db.query(sql).first?.string("fingerprint"))
    }

    /// Opens the file, runs `body`, and closes the file also when `body` throws.
    static func with<T>(_ directory: TemporaryDirectory, _ body: (any Database) async throws -> T) async throws -> T {
        let db = try await IntrospectionTests.open(directory, "fp.sqlite3")
        do {
            let result = try await body(db)
            await db.close()
            return result
        } catch {
            await db.close()
            throw error
        }
    }

    @Test("the same twice, different after a column default changes, blind to data and Cutover's tables")
    func stableThenChanged() async throws {
        let directory = try TemporaryDirectory()
        let first = try await Self.with(directory) { db in
            try await IntrospectionTests.run(IntrospectionTests.before, on: db)
            let first = try await Self.fingerprint(db)
            #expect(first.contains("users"))
            #expect(try await Self.fingerprint(db) == first)

            for statement in SQLiteDialect().createHistoryTable { try await db.execute(statement) }
            try await db.execute("INSERT INTO cutover_schema_check VALUES (1, 'd', 'f', 'now')")
            try await db.execute("CREATE INDEX cutover_history_id ON cutover_history (id)")
            try await db.execute("INSERT INTO users (email) VALUES ('someone@example.com')")
            try await db.execute("ANALYZE")
            #expect(try await Self.fingerprint(db) == first, "data, statistics and Cutover's tables leave it alone")

            // A default lives only in the stored CREATE TABLE text (SQLite has no ALTER for it).
            try await db.execute("PRAGMA writable_schema = ON")
            try await db.execute("UPDATE sqlite_schema SET sql = replace(sql, 'legacy INTEGER', 'legacy INTEGER DEFAULT 7') WHERE name = 'users'")
            try await db.execute("PRAGMA writable_schema = OFF")
            return first
        }
        try await Self.with(directory) { db in
            let changed = try await Self.fingerprint(db)
            #expect(changed != first)
            let users = try await db.introspectSchema().tables.first { $0.name.name == "users" }
            #expect(users?.columns.first { $0.name == "legacy" }?.defaultExpression == "7")
            try await db.execute("CREATE INDEX users_legacy ON users (legacy)")
            #expect(try await Self.fingerprint(db) != changed)
        }
    }
}
