import CutoverCore
import CutoverOperations
import Testing

/// `VersionShape(schema:named:)` records each table's indexes, constraints and the foreign keys
/// that refer to it, with the columns each reads.
@Suite("the shape introspected from a schema knows the indexes and constraints of each column")
struct VersionShapeSchemaTests {
    static func schema(dialect: String) -> Schema {
        let users = Schema.Table(
            name: .init("users", schema: "public"),
            columns: [.init(name: "id", type: "bigint", isNullable: false), .init(name: "email", type: "text"), .init(name: "deleted_at", type: "timestamptz")],
            constraints: [
                .init(name: "users_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)"),
                .init(name: "users_email_check", kind: .check, columns: ["email"], definition: "CHECK (email <> '')", expression: "email <> ''"),
            ])
        let orders = Schema.Table(
            name: .init("orders", schema: "public"), columns: [.init(name: "user_id", type: "bigint")],
            constraints: [.init(
                name: "orders_user_fk", kind: .foreignKey, columns: ["user_id"], definition: "FOREIGN KEY (user_id) REFERENCES public.users(id)",
                references: .init(table: .init("users", schema: "public"), columns: ["id"]))])
        let index = Schema.Index(
            name: .init("users_email_idx", schema: "public"), table: .init("users", schema: "public"), columns: ["lower(email)"], isUnique: true,
            predicate: "deleted_at IS NULL",
            definition: "CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (lower(email)) WHERE (deleted_at IS NULL)")
        return Schema(dialect: dialect, tables: [users, orders], indexes: [index])
    }

    @Test("PostgreSQL: indexes with the columns their expressions and predicate read, constraints, incoming foreign keys")
    func postgres() throws {
        let shape = VersionShape(schema: Self.schema(dialect: "postgresql"), named: "public")
        let users = try #require(shape.tables.first { $0.name == "users" })
        #expect(users.indexes?.map(\.name) == ["users_email_idx"])
        #expect(users.indexes?.first?.columns == ["email", "deleted_at"])
        #expect(users.constraints?.map(\.name) == ["users_email_check", "users_pkey"])
        #expect(users.referencedBy == [IncomingForeignKey(name: "orders_user_fk", table: "public.orders", columns: ["id"])])
        #expect(shape.tables.first { $0.name == "orders" }?.constraints?.first?.kind == .foreignKey)
    }

    @Test("SQLite rebuilds tables instead: nothing recorded")
    func sqlite() {
        let shape = VersionShape(schema: Self.schema(dialect: "sqlite"), named: "public")
        #expect(shape.tables.allSatisfy { $0.indexes == [] && $0.constraints == [] && $0.referencedBy == [] })
    }
}
