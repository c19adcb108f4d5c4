import CutoverCore
import Testing

@Suite struct SQLiteSchemaTextTests {
    @Test("a CREATE TABLE statement gives collations, generated columns, checks and options")
    func parseTable() throws {
        let table = try #require(SQLiteSchemaText.parseTable("""
            CREATE TABLE IF NOT EXISTS "my table" (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                "e,mail" TEXT NOT NULL COLLATE "NOCASE" CHECK (length("e,mail") > 3),
                price NUMERIC(10, 2) DEFAULT (1 + 2),
                note TEXT DEFAULT 'a, (b)', -- a comment, with a comma
                total AS (price * 2) STORED,
                CONSTRAINT positive CHECK (price >= 0),
                UNIQUE (price, note)
            ) WITHOUT ROWID, STRICT
            """))
        #expect(table.columns.map(\.name) == ["id", "e,mail", "price", "note", "total"])
        #expect(table.hasAutoincrement)
        #expect(table.columns[1].collation == "NOCASE")
        #expect(table.columns[1].text == "\"e,mail\" TEXT NOT NULL COLLATE \"NOCASE\" CHECK (length(\"e,mail\") > 3)")
        #expect(table.columns[2].text == "price NUMERIC(10, 2) DEFAULT (1 + 2)")
        #expect(table.columns[3].text == "note TEXT DEFAULT 'a, (b)'")
        #expect(table.columns[4].generated == "price * 2")
        #expect(table.checks == ["length(\"e,mail\") > 3", "price >= 0"])
        #expect(table.isWithoutRowID && table.isStrict)
        #expect(SQLiteSchemaText.parseTable("CREATE VIRTUAL TABLE n USING fts5(body)") == nil)
    }

    @Test("a CREATE INDEX statement gives its key expressions and predicate")
    func parseIndex() {
        let index = SQLiteSchemaText.parseIndex("CREATE UNIQUE INDEX i ON t (lower(a), b DESC) WHERE b > 0 AND a IS NOT NULL")
        #expect(index.columns == ["lower(a)", "b DESC"])
        #expect(index.predicate == "b > 0 AND a IS NOT NULL")
        #expect(index.isUnique)
        #expect(!SQLiteSchemaText.parseIndex("CREATE INDEX i ON t (a)").isUnique)
    }

    @Test("normal form ignores case, quoting, spacing and comments, not literals")
    func normalized() {
        #expect(SQLiteSchemaText.normalized("CREATE VIEW \"v\" AS SELECT [a] FROM `t` -- c\n") == SQLiteSchemaText.normalized("create view v as\n  select a from T"))
        #expect(SQLiteSchemaText.normalized("SELECT 'A'") != SQLiteSchemaText.normalized("SELECT 'a'"))
        #expect(SQLiteSchemaText.normalized("SELECT x'0A', 1.5e-3") == "select x'0A' , 1.5e-3")
        #expect(SQLiteSchemaText.normalized("a <= b") != SQLiteSchemaText.normalized("a < = b"))
    }
}

@Suite struct SQLiteSchemaRendererTests {
    typealias Name = Schema.ObjectName

    static func table(_ sql: String) -> Schema.Table {
        let parsed = SQLiteSchemaText.parseTable(sql)
        let name = sql.split(separator: " ")[2]
        return Schema.Table(
            name: Name(String(name)),
            columns: parsed?.columns.map { Schema.Column(name: $0.name, type: "", definition: $0.text) } ?? [],
            definition: sql)
    }

    @Test("an added nullable column is an ALTER TABLE; anything else rebuilds the table with its indexes")
    func addOrRebuild() throws {
        let before = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")])
        let added = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)")])
        #expect(try SchemaDiff(from: before, to: added).script(for: SQLiteDialect()).statements.map(\.sql) == ["ALTER TABLE \"t\" ADD COLUMN b TEXT"])

        let index = Schema.Index(name: Name("t_a"), table: Name("t"), definition: "CREATE INDEX t_a ON t (a)")
        let before2 = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, gone TEXT)")], indexes: [index])
        let after2 = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")], indexes: [index])
        let script = try SchemaDiff(from: before2, to: after2).script(for: SQLiteDialect())
        #expect(script.statements.map(\.sql) == [
            "PRAGMA foreign_keys = OFF",
            "PRAGMA legacy_alter_table = ON",
            "CREATE TABLE \"_cutover_new_t\" (id INTEGER PRIMARY KEY, a TEXT)",
            "INSERT INTO \"_cutover_new_t\" (\"id\", \"a\") SELECT \"id\", \"a\" FROM \"t\"",
            "DROP TABLE \"t\"",
            "ALTER TABLE \"_cutover_new_t\" RENAME TO \"t\"",
            "CREATE INDEX t_a ON t (a)",
            "PRAGMA legacy_alter_table = OFF",
            "PRAGMA foreign_key_check",
        ])
        let drop = try #require(script.statements.first { $0.sql == "DROP TABLE \"t\"" })
        #expect(drop.dropsData)
        #expect(drop.comments.first?.hasPrefix("WARNING: drops data: column t.gone") == true)
    }

    @Test("a column SQLite cannot add in place (UNIQUE) makes a rebuild")
    func uniqueColumnRebuilds() throws {
        let before = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY)")])
        let after = Schema(dialect: "sqlite", tables: [Self.table("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE)")])
        let script = try SchemaDiff(from: before, to: after).script(for: SQLiteDialect())
        #expect(script.statements.contains { $0.sql.hasPrefix("CREATE TABLE \"_cutover_new_t\"") })
        #expect(!script.statements.contains { $0.sql.hasPrefix("ALTER TABLE \"t\" ADD COLUMN") })
    }
}
