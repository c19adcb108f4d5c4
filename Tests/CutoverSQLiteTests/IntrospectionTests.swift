import CutoverCore
import CutoverSQLite
import CutoverTestSupport
import Foundation
import Logging
import Testing

/// Schema introspection, diff and DDL on real SQLite files.
@Suite("SQLite schema introspection and diff")
struct IntrospectionTests {
    static func open(_ directory: TemporaryDirectory, _ name: String) async throws -> any Database {
        try await SQLiteDriver().open(try DatabaseURL("sqlite:" + directory.path(name)), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    static func run(_ script: String, on db: any Database) async throws {
        for statement in try SQLSplitter().split(script) { try await db.execute(statement.sql) }
    }

    /// Runs the statements one by one outside a transaction (`PRAGMA foreign_keys` only
    /// works there), as `cutover migrate` does with `-- cutover:no-transaction`.
    static func apply(_ script: SchemaScript, to db: any Database) async throws {
        for statement in script.statements { try await db.execute(statement.sql) }
    }

    static let before = """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            email TEXT NOT NULL COLLATE NOCASE,
            legacy INTEGER,
            CHECK (length(email) > 3)
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users (id),
            total REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE tags (name TEXT PRIMARY KEY, color TEXT) WITHOUT ROWID;
        CREATE INDEX orders_user ON orders (user_id);
        CREATE INDEX orders_total ON orders (total);
        CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
        CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 1; END;
        CREATE TABLE cutover_history (id TEXT PRIMARY KEY);
        INSERT INTO users (email, legacy) VALUES ('ann@example.com', 1), ('bob@example.com', 2);
        INSERT INTO orders (user_id, total) VALUES (1, 150), (2, 20);
        """

    static let after = """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            nick TEXT DEFAULT 'anon',
            doubled INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL,
            CHECK (length(email) > 3)
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
            total REAL NOT NULL DEFAULT 0 CHECK (total >= 0),
            note TEXT
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) STRICT;
        CREATE INDEX orders_user ON orders (user_id) WHERE user_id IS NOT NULL;
        CREATE UNIQUE INDEX users_lower_email ON users (lower(email));
        CREATE VIEW big_orders AS SELECT id, total, note FROM orders WHERE total > 100;
        CREATE VIEW busy_users AS SELECT user_id FROM big_orders GROUP BY user_id;
        CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 2; END;
        CREATE TRIGGER users_audit AFTER UPDATE ON users BEGIN SELECT 1; END;
        """

    @Test("reads tables, columns, keys, indexes, views and triggers")
    func readsEveryKind() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.open(directory, "a.sqlite3")
        try await Self.run(Self.before, on: db)
        try await Self.run("CREATE VIRTUAL TABLE notes USING fts5(body)", on: db)
        let schema = try await db.introspectSchema()
        #expect(schema.dialect == "sqlite")
        // sqlite_sequence, cutover_history and the fts5 shadow tables are left out.
        #expect(schema.tables.map(\.name.description) == ["notes", "orders", "tags", "users"])
        let users = try #require(schema.table(.init("users")))
        #expect(users.hasAutoincrement)
        #expect(users.primaryKey?.columns == ["id"])
        #expect(users.column("email")?.collation == "NOCASE")
        #expect(users.column("email")?.isNullable == false)
        #expect(users.column("email")?.definition == "email TEXT NOT NULL COLLATE NOCASE")
        #expect(users.constraints.contains { $0.kind == .check && $0.expression == "length(email) > 3" })
        let orders = try #require(schema.table(.init("orders")))
        #expect(orders.column("total")?.defaultExpression == "0")
        let foreignKey = try #require(orders.foreignKeys.first)
        #expect(foreignKey.references?.table == .init("users"))
        #expect(foreignKey.references?.columns == ["id"])
        #expect(foreignKey.name == "foreign key (user_id) references users (id)")
        #expect(schema.table(.init("tags"))?.isWithoutRowID == true)
        #expect(schema.table(.init("notes"))?.isVirtual == true)
        #expect(schema.indexes.map(\.name.description) == ["orders_total", "orders_user"])
        #expect(schema.indexes.first?.columns == ["total"])
        #expect(schema.views.map(\.name.description) == ["big_orders"])
        #expect(schema.triggers.map(\.name) == ["orders_audit"])
        #expect(schema.triggers.first?.table == .init("orders"))

        let withOwn = try await db.introspectSchema(options: .init(includesCutoverObjects: true))
        #expect(withOwn.tables.contains { $0.name.name == "cutover_history" })

        let after = try await Self.open(directory, "b.sqlite3")
        try await Self.run(Self.after, on: after)
        let b = try await after.introspectSchema()
        let users2 = try #require(b.table(.init("users")))
        #expect(users2.column("doubled")?.generated == .init(expression: "id * 2", isStored: false))
        #expect(users2.constraints.contains { $0.kind == .unique && $0.columns == ["email"] })
        #expect(b.table(.init("settings"))?.isStrict == true)
        let partial = try #require(b.indexes.first { $0.name.name == "orders_user" })
        #expect(partial.predicate == "user_id IS NOT NULL")
        let expression = try #require(b.indexes.first { $0.name.name == "users_lower_email" })
        #expect(expression.isUnique && expression.columns == ["lower(email)"])
        #expect(b.table(.init("orders"))?.foreignKeys.first?.references?.onDelete == .cascade)
        await db.close()
        await after.close()
        directory.remove()
    }

    @Test("every SQLite kind shows in a diff; the DDL rebuilds tables keeping their rows and turns A into B")
    func everyKind() async throws {
        let directory = try TemporaryDirectory()
        let a = try await Self.open(directory, "a.sqlite3")
        let b = try await Self.open(directory, "b.sqlite3")
        try await Self.run(Self.before, on: a)
        try await Self.run(Self.after, on: b)
        let target = try await b.introspectSchema()
        let diff = SchemaDiff(from: try await a.introspectSchema(), to: target)
        let found = diff.changes.map { "\($0.action.symbol) \($0.kind.rawValue) \($0.name)" }
        let kinds = Set(diff.changes.map(\.kind))
        #expect(kinds == [.table, .column, .constraint, .index, .view, .trigger])
        let names = Set(found)
        for expected in [
            "+ table settings", "- table tags", "+ column orders.note", "- column users.legacy", "+ column users.nick",
            "+ column users.doubled", "~ constraint foreign key (user_id) references users (id)", "+ constraint check (total >= 0)",
            "+ constraint unique (email)", "~ index orders_user", "- index orders_total", "+ index users_lower_email",
            "~ view big_orders", "+ view busy_users", "~ trigger orders_audit", "+ trigger users_audit",
        ] {
            #expect(names.contains(expected), "missing \(expected) in \(found)")
        }
        #expect(names.count == 16, "\(found)")

        let script = try diff.script(for: SQLiteDialect())
        #expect(script.isComplete)
        #expect(script.text.contains("-- WARNING: drops data: column users.legacy"))
        #expect(script.text.contains("-- WARNING: drops data: table tags"))
        try await Self.apply(script, to: a)
        let remaining = SchemaDiff(from: try await a.introspectSchema(), to: target).text
        #expect(remaining == "schemas are identical", "script:\n\(script.text)")
        // The rebuilt tables kept their rows.
        let users = try await a.query("SELECT id, email, nick FROM users ORDER BY id")
        #expect(users.map { $0.string("email") } == ["ann@example.com", "bob@example.com"])
        #expect(users.map { $0.string("nick") } == ["anon", "anon"])
        let orders = try await a.query("SELECT user_id, total FROM orders ORDER BY id")
        #expect(orders.map { $0.int("user_id") } == [1, 2])
        await a.close()
        await b.close()
        directory.remove()
    }

    @Test("a column SQLite can add in place is added with ALTER TABLE, without a rebuild")
    func addColumnInPlace() async throws {
        let directory = try TemporaryDirectory()
        let a = try await Self.open(directory, "a.sqlite3")
        let b = try await Self.open(directory, "b.sqlite3")
        try await a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        try await a.execute("INSERT INTO t (name) VALUES ('x')")
        try await b.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score INTEGER NOT NULL DEFAULT 0, memo TEXT COLLATE NOCASE)")
        let target = try await b.introspectSchema()
        let script = try SchemaDiff(from: try await a.introspectSchema(), to: target).script(for: SQLiteDialect())
        #expect(script.statements.map(\.sql) == [
            "ALTER TABLE \"t\" ADD COLUMN score INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE \"t\" ADD COLUMN memo TEXT COLLATE NOCASE",
        ])
        try await Self.apply(script, to: a)
        #expect(SchemaDiff(from: try await a.introspectSchema(), to: target).isEmpty)
        await a.close()
        await b.close()
        directory.remove()
    }

    @Test("a change to a virtual table is reported as unsupported, not rendered")
    func virtualTable() async throws {
        let directory = try TemporaryDirectory()
        let a = try await Self.open(directory, "a.sqlite3")
        let b = try await Self.open(directory, "b.sqlite3")
        try await a.execute("CREATE VIRTUAL TABLE notes USING fts5(body)")
        try await b.execute("CREATE VIRTUAL TABLE notes USING fts5(body, title)")
        let script = try SchemaDiff(from: try await a.introspectSchema(), to: try await b.introspectSchema()).script(for: SQLiteDialect())
        #expect(script.statements.isEmpty)
        #expect(script.unsupported.map(\.change) == ["table notes"])
        #expect(script.text.hasPrefix("-- UNSUPPORTED: table notes: virtual tables"))
        await a.close()
        await b.close()
        directory.remove()
    }

    @Test("random schema pairs: applying the --sql output to A leaves no difference from B")
    func property() async throws {
        let environment = ProcessInfo.processInfo.environment
        let runs = environment["CUTOVER_PROPERTY_RUNS"].flatMap(Int.init) ?? 40
        let seeds = environment["CUTOVER_PROPERTY_SEED"].flatMap(UInt64.init).map { [$0] } ?? (1...UInt64(max(1, runs))).map { $0 * 7919 }
        for seed in seeds {
            var random = SeededGenerator(seed: seed)
            let schemaA = RandomSchema.random(.sqlite, using: &random)
            let schemaB = schemaA.mutated(changes: Int.random(in: 1...6, using: &random), using: &random)
            let directory = try TemporaryDirectory()
            let a = try await Self.open(directory, "a.sqlite3")
            let b = try await Self.open(directory, "b.sqlite3")
            for statement in schemaA.statements() { try await a.execute(statement) }
            for statement in schemaB.statements() { try await b.execute(statement) }
            let target = try await b.introspectSchema()
            let diff = SchemaDiff(from: try await a.introspectSchema(), to: target)
            #expect(!diff.isEmpty, "seed \(seed): the mutations do not show in the diff")
            let script = try diff.script(for: SQLiteDialect())
            #expect(script.isComplete, "seed \(seed): \(script.unsupported)")
            do {
                try await Self.apply(script, to: a)
                let remaining = SchemaDiff(from: try await a.introspectSchema(), to: target).text
                #expect(remaining == "schemas are identical", "seed \(seed)\ndiff:\n\(diff.text)\nscript:\n\(script.text)")
            } catch {
                Issue.record("seed \(seed): \(error)\nscript:\n\(script.text)")
            }
            await a.close()
            await b.close()
            directory.remove()
        }
    }
}
