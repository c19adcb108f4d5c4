import CutoverCore
import Testing

@Suite struct PostgresSchemaRendererTests {
    typealias Name = Schema.ObjectName

    static let users = Schema.Table(
        name: Name("users", schema: "public"),
        columns: [.init(name: "id", type: "bigint", isNullable: false), .init(name: "mood", type: "public.mood", defaultExpression: "'ok'::public.mood")],
        constraints: [.init(name: "users_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)")])

    static let orders = Schema.Table(
        name: Name("orders", schema: "public"),
        columns: [.init(name: "id", type: "bigint", isNullable: false), .init(name: "user_id", type: "bigint")],
        constraints: [
            .init(name: "orders_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)"),
            .init(
                name: "orders_user_id_fkey", kind: .foreignKey, columns: ["user_id"],
                definition: "FOREIGN KEY (user_id) REFERENCES public.users(id)",
                references: .init(table: Name("users", schema: "public"), columns: ["id"])),
        ])

    static let mood = Schema.EnumType(name: Name("mood", schema: "public"), labels: ["sad", "ok"])
    static let index = Schema.Index(
        name: Name("orders_user_idx", schema: "public"), table: Name("orders", schema: "public"), columns: ["user_id"],
        definition: "CREATE INDEX orders_user_idx ON public.orders USING btree (user_id)")
    static let view = Schema.View(
        name: Name("user_orders", schema: "public"), definition: "SELECT orders.id FROM public.orders",
        dependsOn: [Name("orders", schema: "public")])
    static let full = Schema(dialect: "postgresql", enumTypes: [mood], tables: [users, orders], indexes: [index], views: [view])

    static func position(_ script: SchemaScript, _ prefix: String) -> Int {
        script.statements.firstIndex { $0.sql.hasPrefix(prefix) } ?? -1
    }

    @Test("creates types before tables, tables before keys and indexes, foreign keys after the keys they need, views last")
    func createOrder() throws {
        let script = try SchemaDiff(from: Schema(dialect: "postgresql"), to: Self.full).script(for: PostgresDialect())
        let order = [
            "CREATE TYPE \"public\".\"mood\" AS ENUM ('sad', 'ok')",
            "CREATE TABLE \"public\".\"orders\"", "CREATE TABLE \"public\".\"users\"",
            "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_pkey\"",
            "CREATE INDEX orders_user_idx",
            "ALTER TABLE \"public\".\"orders\" ADD CONSTRAINT \"orders_user_id_fkey\" FOREIGN KEY",
            "CREATE VIEW \"public\".\"user_orders\"",
        ].map { Self.position(script, $0) }
        #expect(!order.contains(-1), "\(script.text)")
        #expect(order == order.sorted(), "\(script.text)")
        #expect(!script.dropsData)
    }

    @Test("drops run the other way round, and every DROP says so; data drops say so loudly")
    func dropOrder() throws {
        let script = try SchemaDiff(from: Self.full, to: Schema(dialect: "postgresql")).script(for: PostgresDialect())
        let order = [
            "DROP VIEW \"public\".\"user_orders\"",
            "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT \"orders_user_id_fkey\"",
            "DROP TABLE \"public\".\"orders\"",
            "DROP TYPE \"public\".\"mood\"",
        ].map { Self.position(script, $0) }
        #expect(!order.contains(-1), "\(script.text)")
        #expect(order == order.sorted(), "\(script.text)")
        // Indexes go with their tables.
        #expect(Self.position(script, "DROP INDEX") == -1)
        for statement in script.statements where statement.sql.hasPrefix("DROP") || statement.sql.contains(" DROP ") {
            #expect(statement.comments.contains { $0.hasPrefix("WARNING: drops") }, "\(statement.sql)")
        }
        let tableDrop = try #require(script.statements.first { $0.sql == "DROP TABLE \"public\".\"users\"" })
        #expect(tableDrop.dropsData)
        #expect(tableDrop.comments == ["WARNING: drops data: table public.users and all its rows"])
        #expect(script.text.contains("-- WARNING: drops data: table public.users and all its rows\nDROP TABLE \"public\".\"users\";"))
    }

    @Test("a foreign key that depends on a replaced primary key is dropped first and added back")
    func foreignKeyAroundKeyChange() throws {
        // users.id goes from PRIMARY KEY to UNIQUE: the foreign key from orders depends on
        // the primary key's index, so it must go first and come back after the new key.
        var users = Self.users
        users.constraints = [.init(name: "users_id_key", kind: .unique, columns: ["id"], definition: "UNIQUE (id)")]
        let from = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [Self.users, Self.orders])
        let to = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [users, Self.orders])
        let script = try SchemaDiff(from: from, to: to).script(for: PostgresDialect())
        #expect(script.statements.map(\.sql) == [
            "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT \"orders_user_id_fkey\"",
            "ALTER TABLE \"public\".\"users\" DROP CONSTRAINT \"users_pkey\"",
            "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_id_key\" UNIQUE (id)",
            "ALTER TABLE \"public\".\"orders\" ADD CONSTRAINT \"orders_user_id_fkey\" FOREIGN KEY (user_id) REFERENCES public.users(id)",
        ])
        #expect(script.statements.first?.comments.first?.contains("depends on a key that is replaced") == true)
    }

    @Test("a view over a column whose type changes is dropped and created again around the change")
    func viewAroundTypeChange() throws {
        var orders = Self.orders
        orders.columns[1].type = "integer"
        let from = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [Self.users, Self.orders], views: [Self.view])
        let to = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [Self.users, orders], views: [Self.view])
        let script = try SchemaDiff(from: from, to: to).script(for: PostgresDialect())
        #expect(script.statements.map(\.sql) == [
            "DROP VIEW \"public\".\"user_orders\"",
            "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"user_id\" TYPE integer USING \"user_id\"::integer",
            "CREATE VIEW \"public\".\"user_orders\" AS\nSELECT orders.id FROM public.orders",
        ])
    }

    @Test("an enum label is added in place and must be committed before use; removing one is unsupported")
    func enumLabels() throws {
        var added = Self.mood
        added.labels = ["sad", "meh", "ok", "happy"]
        let script = try SchemaDiff(from: Schema(dialect: "postgresql", enumTypes: [Self.mood]), to: Schema(dialect: "postgresql", enumTypes: [added])).script(for: PostgresDialect())
        #expect(script.statements.map(\.sql) == [
            "ALTER TYPE \"public\".\"mood\" ADD VALUE 'meh' AFTER 'sad'",
            "ALTER TYPE \"public\".\"mood\" ADD VALUE 'happy' AFTER 'ok'",
        ])
        #expect(script.statements.allSatisfy { $0.needsCommitAfter })
        #expect(script.transactions.count == 2)

        var removed = Self.mood
        removed.labels = ["ok"]
        let refused = try SchemaDiff(from: Schema(dialect: "postgresql", enumTypes: [Self.mood]), to: Schema(dialect: "postgresql", enumTypes: [removed])).script(for: PostgresDialect())
        #expect(refused.statements.isEmpty)
        #expect(!refused.isComplete)
        #expect(refused.unsupported.first?.reason.contains("cannot remove or reorder enum labels") == true)
    }

    @Test("the annotate hook adds comment lines above each statement")
    func annotate() throws {
        var configuration = SchemaScript.Configuration()
        configuration.annotate = { statement in statement.sql.hasPrefix("CREATE INDEX") ? ["lint: use CREATE INDEX CONCURRENTLY"] : [] }
        let from = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [Self.users, Self.orders])
        let to = Schema(dialect: "postgresql", enumTypes: [Self.mood], tables: [Self.users, Self.orders], indexes: [Self.index])
        let script = try SchemaDiff(from: from, to: to).script(for: PostgresDialect(), configuration: configuration)
        #expect(script.statements.first?.comments == ["lint: use CREATE INDEX CONCURRENTLY"])
        #expect(script.text == "-- lint: use CREATE INDEX CONCURRENTLY\nCREATE INDEX orders_user_idx ON public.orders USING btree (user_id);\n")
    }

    @Test("a comment-only change is a COMMENT ON, nothing dropped")
    func commentOnly() throws {
        var commented = Self.users
        commented.comment = "it's people"
        commented.columns[0].comment = "key"
        let script = try SchemaDiff(
            from: Schema(dialect: "postgresql", tables: [Self.users]), to: Schema(dialect: "postgresql", tables: [commented])
        ).script(for: PostgresDialect())
        #expect(script.statements.map(\.sql) == [
            "COMMENT ON TABLE \"public\".\"users\" IS 'it''s people'",
            "COMMENT ON COLUMN \"public\".\"users\".\"id\" IS 'key'",
        ])
    }

    @Test("schemas of another dialect than the renderer's are a typed error", arguments: ["mysql", "sqlite"])
    func otherDialect(schemaDialect: String) {
        let diff = SchemaDiff(from: Schema(dialect: schemaDialect), to: Schema(dialect: schemaDialect))
        let error = #expect(throws: CutoverError.self) { try diff.script(for: PostgresDialect()) }
        #expect(error?.code == .renderingUnsupported)
        #expect(error?.message.contains(schemaDialect) == true)
        #expect(error?.hint != nil)
    }

    @Test("each dialect supplies the renderer of its own schemas", arguments: [PostgresDialect(), SQLiteDialect()] as [any Dialect])
    func dialectRenderer(dialect: any Dialect) throws {
        #expect(dialect.schemaRenderer.dialect == dialect.name)
        let table = Schema.Table(name: .init("t"), columns: [Schema.Column(name: "id", type: "integer")])
        let script = try SchemaDiff(from: Schema(dialect: dialect.name), to: Schema(dialect: dialect.name, tables: [table])).script(for: dialect)
        #expect(script.statements.first?.sql.hasPrefix("CREATE TABLE") == true)
    }
}
