import CutoverCore
import CutoverOperations
import CutoverPostgres
import Testing

/// Runs planned expand/contract SQL on a real PostgreSQL: the old and the new version write
/// through their own shapes while a migration is expanded, and nothing is lost by complete or
/// abort. The backfill is not built yet: the test touches every row with a no-op update,
/// which is what it will do in batches.
@Suite("expand/contract plans run on PostgreSQL with both versions writing")
struct ExpandContractPlanTests {
    static let id = MigrationID("20261201120000")!
    static let yaml = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
          - add_column:
              table: users
              column: { name: status, type: text, nullable: false, default: "'active'" }
              up: "CASE WHEN nickname = '' THEN 'new' ELSE 'active' END"
          - create_index: { name: users_status_idx, table: users, columns: [status] }
        """
    static let shape = VersionShape(tables: [
        TableShape(name: "users", columns: [
            ColumnShape(name: "id", type: "bigint", isNullable: false), ColumnShape(name: "name", type: "text"),
            ColumnShape(name: "nickname", type: "text", isNullable: false, defaultExpression: "''"),
        ]),
        TableShape(name: "products", columns: [ColumnShape(name: "id", type: "bigint", isNullable: false), ColumnShape(name: "price", type: "integer", isNullable: false)]),
    ])

    static func plan() throws -> ExpandContractPlan {
        try OperationsFileParser.parse(yaml, fileName: "20261201120000_combined.yaml").plan(shape: shape, context: OperationContext(migrationID: id))
    }

    /// Runs the statements; a backfill marker becomes one no-op update of the rows still flagged.
    static func run(_ actions: [PlannedAction], on db: PostgresDatabase) async throws {
        try await db.execute("SET search_path TO public")
        for action in actions {
            switch action.kind {
            case .statement: try await db.execute(action.sql)
            case .backfill: try await db.execute("UPDATE \(action.table!) SET id = id WHERE \(action.flagColumn)")
            }
        }
    }

    static func setUp(_ db: PostgresDatabase) async throws {
        try await db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text, nickname text NOT NULL DEFAULT '')")
        try await db.execute("CREATE TABLE products (id bigint PRIMARY KEY, price integer NOT NULL)")
        try await db.execute("INSERT INTO users VALUES (1, 'Ann', 'a'), (2, NULL, '')")
        try await db.execute("INSERT INTO products VALUES (1, 10), (2, 20)")
    }

    /// Writes from the old version (the tables) and the new version (the version schema), while expanded.
    static func writeFromBothVersions(_ db: PostgresDatabase) async throws {
        try await db.execute("SET search_path TO public")
        try await db.execute("INSERT INTO products (id, price) VALUES (3, 30)")
        try await db.execute("UPDATE products SET price = 11 WHERE id = 1")
        try await db.execute("INSERT INTO users (id, name, nickname) VALUES (3, 'Old', '')")
        try await db.execute("SET search_path TO public_20261201120000, public")
        try await db.execute("INSERT INTO products (id, price) VALUES (4, 40)")
        try await db.execute("INSERT INTO users (id, full_name, status) VALUES (4, 'New', 'vip')")
        // Updates of rows the backfill has not reached: one leaves the converted column alone
        // (so `up` fills it), one sets it (and the backfill must not overwrite it).
        try await db.execute("UPDATE users SET full_name = 'Ann2' WHERE id = 1")
        try await db.execute("UPDATE users SET status = 'gold' WHERE id = 2")
        try await db.execute("UPDATE products SET id = id WHERE id = 2")
    }

    static func texts(_ db: PostgresDatabase, _ sql: String) async throws -> [String] {
        try await db.query(sql).map { row in row.values.map { "\($0)" }.joined(separator: "|") }
    }

    @Test("start, writes from both versions, backfill, complete: every write arrives in the final shape")
    func startAndComplete() async throws {
        let plan = try Self.plan()
        try await withSession { db, _ in
            try await Self.setUp(db)
            try await Self.run(plan.start.filter { $0.kind == .statement }, on: db)
            try await Self.writeFromBothVersions(db)
            try await Self.run(plan.start.filter { $0.kind == .backfill }, on: db)
            // Each version reads its own shape, including the other version's writes.
            try await db.execute("SET search_path TO public")
            let oldPrices = try await Self.texts(db, "SELECT price FROM products ORDER BY id")
            try await db.execute("SET search_path TO public_20261201120000, public")
            let newNames = try await Self.texts(db, "SELECT full_name FROM users WHERE id IN (1, 3) ORDER BY id")
            #expect(newNames == ["Ann2", "Old"])
            #expect(oldPrices == ["11", "20", "30", "40"])

            try await Self.run(plan.complete, on: db)
            let users = try await Self.texts(db, "SELECT id, full_name, status FROM public.users ORDER BY id")
            let products = try await Self.texts(db, "SELECT id, price FROM public.products ORDER BY id")
            #expect(users.count == 4)
            #expect(users.map { $0.split(separator: "|").last.map(String.init) } == ["active", "gold", "new", "vip"])
            #expect(products.map { $0.split(separator: "|").last.map(String.init) } == ["11", "20", "30", "40"])
            let type = try await Self.texts(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'products' AND column_name = 'price'")
            #expect(type == ["bigint"])
            let leftovers = try await Self.texts(db, "SELECT proname FROM pg_proc WHERE proname LIKE '\\_cutover%'")
            #expect(leftovers.isEmpty)
        }
    }

    @Test("abort after writes from both versions restores the old shape, keeps the old version's data, and can run twice")
    func abortTwice() async throws {
        let plan = try Self.plan()
        try await withSession { db, _ in
            try await Self.setUp(db)
            try await Self.run(plan.start, on: db)
            try await Self.writeFromBothVersions(db)
            try await Self.run(plan.abort, on: db)
            try await Self.run(plan.abort, on: db)
            let columns = try await Self.texts(
                db, "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
            #expect(columns == ["products.id", "products.price", "users.id", "users.name", "users.nickname"])
            #expect(try await Self.texts(db, "SELECT price FROM products ORDER BY id").count == 4)
            #expect(try await Self.texts(db, "SELECT name FROM users WHERE id = 4").count == 1)
            #expect(try await Self.texts(db, "SELECT nspname FROM pg_namespace WHERE nspname = 'public_20261201120000'").isEmpty)
        }
    }
}
