import CutoverCore
import Testing

@Suite("statement shapes: quoting, schemas, several actions, comments; never a crash")
struct LintRecognitionTests {
    @Test("every action of one ALTER TABLE is checked, with quoted and schema-qualified names")
    func severalActions() throws {
        let findings = try LintFixture.findings(
            """
            ALTER TABLE IF EXISTS ONLY "Sales"."Order Lines"
              ADD COLUMN qty int NOT NULL,            -- required
              DROP COLUMN IF EXISTS "Legacy" CASCADE,
              ALTER COLUMN price SET DATA TYPE numeric(12, 2) USING price::numeric,
              ADD CONSTRAINT "Lines_Order_FK" FOREIGN KEY (order_id) REFERENCES sales.orders (id) ON DELETE CASCADE;
            """)
        #expect(findings.map(\.rule) == ["constraint-missing-not-valid", "adding-required-field", "changing-column-type", "ban-drop-column"].sorted(by: ruleOrder))
        #expect(findings.allSatisfy { $0.line == 2 })
        // Names keep the quoting they need, so a message or suggestion can be copied back.
        #expect(findings.contains { $0.message == "DROP COLUMN \"Legacy\" from existing table \"Sales\".\"Order Lines\"" })
        #expect(findings.contains { $0.lock.hasPrefix("SHARE ROW EXCLUSIVE on \"Sales\".\"Order Lines\" and on sales.orders") })
    }

    /// Findings for one statement come in rule order.
    private func ruleOrder(_ a: String, _ b: String) -> Bool {
        let ids = Linter.rules.map(\.id)
        return ids.firstIndex(of: a)! < ids.firstIndex(of: b)!
    }

    @Test("unquoted names fold to lower case; quoted ones keep their case")
    func folding() throws {
        let sql = "CREATE TABLE \"Drafts\" (id bigint);\nCREATE INDEX d1 ON drafts (id);\nCREATE INDEX d2 ON \"Drafts\" (id);\nCREATE TABLE Notes (id bigint);\nCREATE INDEX n1 ON NOTES (id);"
        #expect(try LintFixture.findings(sql).map(\.line) == [3])
    }

    @Test("keywords inside strings, comments and function bodies are not statements")
    func hiddenKeywords() throws {
        let sql = """
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN CREATE INDEX i ON orders (a); END $body$;
            COMMENT ON TABLE orders IS 'DROP TABLE orders';
            INSERT INTO audit (note) VALUES (E'ALTER TABLE x DROP COLUMN y \\' quoted');
            /* DROP TABLE users; */ SELECT 1;
            CREATE /* UNIQUE */ INDEX CONCURRENTLY /* x */ i2 ON orders (a);
            """
        #expect(try LintFixture.rules(sql, noTransaction: true).isEmpty)
    }

    @Test("CREATE INDEX forms: unnamed, IF NOT EXISTS, USING, ON ONLY, UNIQUE")
    func createIndexForms() throws {
        #expect(try LintFixture.rules("CREATE INDEX ON orders USING gin (tags);") == ["require-concurrent-index-creation"])
        #expect(try LintFixture.rules("CREATE UNIQUE INDEX IF NOT EXISTS u ON public.orders (a);") == ["require-concurrent-index-creation"])
        #expect(try LintFixture.rules("CREATE INDEX p ON ONLY measurements (at);").isEmpty)
        let finding = try #require(try LintFixture.findings("create unique index orders_a on orders(a) where a > 0;").first)
        #expect(finding.message == "CREATE UNIQUE INDEX orders_a without CONCURRENTLY on existing table orders")
        #expect(finding.safeRewrite.hasPrefix("create unique index CONCURRENTLY orders_a on orders(a) where a > 0;"))
    }

    @Test("DROP INDEX of an index created on a new table in the same migration is fine")
    func dropNewIndex() throws {
        let sql = "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;\nDROP INDEX other_index;"
        #expect(try LintFixture.findings(sql).map { "\($0.rule):\($0.line)" } == ["require-concurrent-index-deletion:5"])
    }

    @Test("unrecognised or truncated statements produce no findings and never crash")
    func robustness() throws {
        let statements = [
            "ALTER", "ALTER TABLE", "ALTER TABLE t", "ALTER TABLE t ADD", "ALTER TABLE t ADD COLUMN", "ALTER TABLE t ALTER COLUMN",
            "ALTER TABLE t ALTER COLUMN c TYPE", "ALTER TABLE t RENAME", "ALTER TABLE t RENAME COLUMN a", "ALTER TABLE t ADD CONSTRAINT",
            "CREATE", "CREATE INDEX", "CREATE INDEX ON", "CREATE TABLE", "CREATE TABLE t (",
            "DROP", "DROP INDEX", "DROP TABLE", "SET", "SET lock_timeout", "SELECT set_config(", "LOCK", "REINDEX",
            "ALTER TABLE t ADD COLUMN c int DEFAULT (", "ALTER TABLE t ADD COLUMN c int DEFAULT $$", "E'", "\"", "[", "ALTER TABLE ,,,",
            "ALTER TABLE t ADD c int[", "GRANT SELECT ON t TO app", "UPDATE t SET a = 1",
        ]
        let migration = Migration(
            id: MigrationID("1")!, name: "x", fileName: "1_x.sql", up: statements.enumerated().map { SQLStatement(sql: $1, line: $0 + 1) },
            down: nil, isTransactional: true, checksum: "")
        for dialect in [PostgresDialect(), SQLiteDialect()] as [any Dialect] {
            let findings = Linter(configuration: .init(lockTimeoutConfigured: true)).lint(migration, dialect: dialect)
            #expect(findings.isEmpty, "\(findings.map { "\($0.line) \($0.rule)" })")
        }
    }

    @Test("every prefix of a long statement lints without crashing")
    func prefixes() {
        let sql = """
            ALTER TABLE "a""b".c ADD COLUMN IF NOT EXISTS d timestamp(3) with time zone[] DEFAULT '{}'::timestamptz[] NOT NULL \
            CHECK (d IS NOT NULL) REFERENCES x.y (z), ALTER d TYPE text USING d::text, RENAME CONSTRAINT k TO l, \
            ADD UNIQUE NULLS NOT DISTINCT (d) USING INDEX TABLESPACE s, VALIDATE CONSTRAINT m, SET (fillfactor = 70)
            """
        let characters = Array(sql)
        var reported = 0
        for length in 0...characters.count {
            let migration = Migration(
                id: MigrationID("1")!, name: "x", fileName: "1_x.sql", up: [SQLStatement(sql: String(characters[..<length]), line: 1)],
                down: nil, isTransactional: true, checksum: "")
            reported += Linter().lint(migration, dialect: PostgresDialect()).count
        }
        #expect(reported > 0)
    }
}
