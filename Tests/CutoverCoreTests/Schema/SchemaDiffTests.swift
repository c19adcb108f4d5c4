import CutoverCore
import Foundation
import Testing

@Suite struct SchemaDiffTests {
    typealias Name = Schema.ObjectName

    static func users(_ columns: [Schema.Column], comment: String? = nil) -> Schema.Table {
        Schema.Table(
            name: Name("users", schema: "public"), columns: columns,
            constraints: [.init(name: "users_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)")],
            comment: comment)
    }

    static let id = Schema.Column(name: "id", type: "bigint", isNullable: false)
    static let email = Schema.Column(name: "email", type: "text", isNullable: false)

    @Test("identical schemas give no changes; column order does not count")
    func identical() {
        let a = Schema(dialect: "postgresql", tables: [Self.users([Self.id, Self.email])])
        let b = Schema(dialect: "postgresql", tables: [Self.users([Self.email, Self.id])])
        let diff = SchemaDiff(from: a, to: b)
        #expect(diff.isEmpty)
        #expect(diff.text == "schemas are identical")
        #expect(diff.summary == .init(added: 0, removed: 0, changed: 0))
    }

    @Test("a changed column lists each changed property with both values")
    func columnProperties() {
        let a = Schema(dialect: "postgresql", tables: [Self.users([Self.id, Self.email])])
        var changed = Self.email
        changed.type = "character varying(200)"
        changed.isNullable = true
        changed.defaultExpression = "''::character varying"
        let b = Schema(dialect: "postgresql", tables: [Self.users([Self.id, changed], comment: "people")])
        let diff = SchemaDiff(from: a, to: b)
        #expect(diff.changes.map(\.name) == ["public.users", "public.users.email"])
        #expect(diff.changes[1].properties == [
            PropertyChange("type", from: "text", to: "character varying(200)"),
            PropertyChange("nullability", from: "NOT NULL", to: "NULL"),
            PropertyChange("default", from: nil, to: "''::character varying"),
        ])
        #expect(diff.text == """
            ~ table public.users
                comment: (none) → people
            ~ column public.users.email
                type: text → character varying(200)
                nullability: NOT NULL → NULL
                default: (none) → ''::character varying
            """)
    }

    @Test("changes come in a fixed order: schemas, extensions, types, sequences, functions, tables with their parts, views")
    func order() {
        let table = Schema.Table(name: Name("t", schema: "app"), columns: [Self.id])
        let b = Schema(
            dialect: "postgresql", namespaces: [.init(name: "app")], extensions: [.init(name: "citext", schema: "public", version: "1.6")],
            enumTypes: [.init(name: Name("mood", schema: "app"), labels: ["ok"])],
            sequences: [.init(name: Name("s", schema: "app"))], tables: [table],
            indexes: [.init(name: Name("t_id", schema: "app"), table: table.name, definition: "CREATE INDEX t_id ON app.t USING btree (id)")],
            views: [.init(name: Name("v", schema: "app"), definition: "SELECT 1")],
            functions: [.init(name: Name("f", schema: "app"), arguments: "", language: "sql", definition: "CREATE FUNCTION app.f() …")],
            triggers: [.init(name: "tr", table: table.name, definition: "CREATE TRIGGER tr …")])
        let diff = SchemaDiff(from: Schema(dialect: "postgresql"), to: b)
        #expect(diff.changes.map { "\($0.kind) \($0.name)" } == [
            "schema app", "extension citext", "enum type app.mood", "sequence app.s", "function app.f()",
            "table app.t", "index app.t_id", "trigger tr", "view app.v",
        ])
        #expect(diff.summary.added == 9)
        // Building the same diff again gives the same text.
        #expect(SchemaDiff(from: Schema(dialect: "postgresql"), to: b).text == diff.text)
    }

    @Test("schemas and diffs encode to JSON and back")
    func codable() throws {
        let a = Schema(dialect: "postgresql", tables: [Self.users([Self.id])])
        let b = Schema(dialect: "postgresql", tables: [Self.users([Self.id, Self.email])])
        let diff = SchemaDiff(from: a, to: b)
        let data = try JSONEncoder().encode(diff)
        let decoded = try JSONDecoder().decode(SchemaDiff.self, from: data)
        #expect(decoded == diff)
        #expect(try JSONDecoder().decode(Schema.self, from: JSONEncoder().encode(b)) == b)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.first?["kind"] as? String == "column")
        #expect(changes.first?["action"] as? String == "added")
    }

    @Test("SQLite statements compare token by token: case, quoting and spacing do not count")
    func sqliteNormalised() {
        let table = Schema.Table(name: Name("t"), columns: [.init(name: "a", type: "INTEGER")])
        func schema(_ index: String) -> Schema {
            Schema(dialect: "sqlite", tables: [table], indexes: [.init(name: Name("i"), table: Name("t"), definition: index)])
        }
        #expect(SchemaDiff(from: schema("CREATE INDEX i ON t(a)"), to: schema("create index \"i\" on [T] ( a )")).isEmpty)
        #expect(!SchemaDiff(from: schema("CREATE INDEX i ON t(a)"), to: schema("CREATE INDEX i ON t(a) WHERE a > 0")).isEmpty)
        // String literals keep their case.
        #expect(!SchemaDiff(from: schema("CREATE INDEX i ON t(a) WHERE a = 'x'"), to: schema("CREATE INDEX i ON t(a) WHERE a = 'X'")).isEmpty)
    }
}
