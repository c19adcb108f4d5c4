import CutoverCore
import Testing

@Suite("the linter knows new tables, transactions, the PostgreSQL version and the dialect")
struct LintAwarenessTests {
    // MARK: - New tables

    @Test("statements on a table created earlier in the migration are fine")
    func newTable() throws {
        let sql = """
            CREATE TABLE IF NOT EXISTS public.invoices (id bigint, total numeric(10,2), email text);
            CREATE INDEX invoices_total ON invoices (total);
            ALTER TABLE invoices ADD COLUMN customer_id bigint NOT NULL, ADD CONSTRAINT invoices_parent_fk FOREIGN KEY (customer_id) REFERENCES invoices (id);
            ALTER TABLE invoices ALTER COLUMN email SET NOT NULL, ADD CONSTRAINT invoices_email_key UNIQUE (email);
            ALTER TABLE invoices ALTER COLUMN total TYPE numeric(8,2), ADD COLUMN token uuid DEFAULT gen_random_uuid();
            ALTER TABLE invoices RENAME TO bills;
            ALTER TABLE bills RENAME COLUMN email TO mail;
            CREATE INDEX bills_mail ON bills (mail);
            DROP INDEX invoices_total;
            ALTER TABLE bills DROP COLUMN mail;
            DROP TABLE bills;
            """
        #expect(try LintFixture.rules(sql, configuration: .init(lockTimeoutConfigured: false)).isEmpty)
    }

    @Test("a table created by an earlier migration is not new: it may hold rows by now")
    func earlierMigrationTable() throws {
        #expect(
            try LintFixture.rules("CREATE INDEX invoices_total ON invoices (total);", earlier: ["CREATE TABLE invoices (id bigint, total numeric);"])
                == ["require-concurrent-index-creation"])
    }

    @Test("another schema's table of the same name is not the new one")
    func otherSchema() throws {
        let sql = "CREATE TABLE audit.orders (id bigint);\nCREATE INDEX orders_id ON orders (id);\nCREATE INDEX audit_orders_id ON audit.orders (id);"
        #expect(try LintFixture.findings(sql).map(\.line) == [3])
    }

    @Test("a new table referencing an existing one locks it: SHARE ROW EXCLUSIVE, which needs a lock_timeout")
    func newTableReferences() throws {
        let findings = try LintFixture.findings(
            "CREATE TABLE payments (id bigint, order_id bigint REFERENCES orders (id));", configuration: .init(lockTimeoutConfigured: false))
        #expect(findings.map(\.rule) == ["require-lock-timeout"])
        #expect(findings.first?.lock.contains("SHARE ROW EXCLUSIVE on orders") == true)
    }

    // MARK: - Transactions

    @Test("VALIDATE in the transaction that added NOT VALID is reported; in a no-transaction migration it is not")
    func validateInSameTransaction() throws {
        let sql = """
            ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
            ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
            """
        #expect(try LintFixture.findings(sql).map { "\($0.rule):\($0.line)" } == ["constraint-missing-not-valid:3"])
        #expect(try LintFixture.rules(sql, noTransaction: true).isEmpty)
    }

    @Test("in a no-transaction migration SET LOCAL lock_timeout ends with its statement; SET lasts")
    func lockTimeoutInNoTransaction() throws {
        let configuration = Linter.Configuration(lockTimeoutConfigured: false)
        let alter = "\nALTER TABLE users ADD COLUMN nick text;"
        #expect(try LintFixture.rules("SET LOCAL lock_timeout = '1s';" + alter, noTransaction: true, configuration: configuration) == ["require-lock-timeout"])
        #expect(try LintFixture.rules("SET lock_timeout TO '1s';" + alter, noTransaction: true, configuration: configuration).isEmpty)
        #expect(try LintFixture.rules("SELECT set_config('lock_timeout', '1s', false);" + alter, noTransaction: true, configuration: configuration).isEmpty)
        #expect(try LintFixture.rules("SET lock_timeout = 0;" + alter, configuration: configuration) == ["require-lock-timeout"])
        #expect(try LintFixture.rules("SET lock_timeout = 0;" + alter, configuration: .init(lockTimeoutConfigured: true)) == ["require-lock-timeout"])
    }

    @Test("CREATE INDEX CONCURRENTLY is not a strong lock; a plain one is")
    func weakLocksNeedNoTimeout() throws {
        let configuration = Linter.Configuration(lockTimeoutConfigured: false)
        #expect(try LintFixture.rules("CREATE INDEX CONCURRENTLY i ON orders (a);", noTransaction: true, configuration: configuration).isEmpty)
        #expect(try LintFixture.rules("ALTER TABLE orders VALIDATE CONSTRAINT c;", configuration: configuration).isEmpty)
        #expect(
            try LintFixture.rules("CREATE INDEX i ON orders (a);", configuration: configuration)
                == ["require-concurrent-index-creation", "require-lock-timeout"])
    }

    @Test("several strong locks: reported once, naming both tables")
    func multipleLocks() throws {
        let sql = "DROP TABLE a;\nTRUNCATE b;\nLOCK TABLE c;\nALTER TABLE d RENAME COLUMN x TO y;"
        let findings = try LintFixture.findings(sql).filter { $0.rule == "multiple-strong-locks-in-transaction" }
        #expect(findings.map(\.line) == [3])
        #expect(findings.first?.message.contains("a and then on b") == true)
    }

    // MARK: - PostgreSQL version

    @Test("before PostgreSQL 11 any default rewrites; from 11 only volatile ones do")
    func defaultsByVersion() throws {
        let sql = "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;"
        #expect(try LintFixture.rules(sql, configuration: .init(postgresVersion: 10_00_05, lockTimeoutConfigured: true)) == ["adding-field-with-volatile-default"])
        #expect(try LintFixture.rules(sql, configuration: .init(postgresVersion: 11_00_00, lockTimeoutConfigured: true)).isEmpty)
        #expect(try LintFixture.rules(sql).isEmpty)
    }

    @Test("volatile, stable and unknown functions in defaults")
    func volatility() throws {
        func rules(_ expression: String) throws -> [String] {
            try LintFixture.rules("ALTER TABLE t ADD COLUMN c text DEFAULT \(expression);")
        }
        #expect(try rules("clock_timestamp()") == ["adding-field-with-volatile-default"])
        #expect(try rules("public.make_token()") == ["adding-field-with-volatile-default"])
        #expect(try rules("(random() * 10)::int") == ["adding-field-with-volatile-default"])
        #expect(try rules("CURRENT_TIMESTAMP").isEmpty)
        #expect(try rules("'0'::numeric(10, 2)").isEmpty)
        #expect(try rules("CAST('a' AS varchar(10))").isEmpty)
        #expect(try rules("lower('A') || 'b'").isEmpty)
        let finding = try #require(try LintFixture.findings("ALTER TABLE t ADD COLUMN c text DEFAULT make_token();").first)
        #expect(finding.message.contains("make_token()"))
        #expect(finding.message.contains("does not know"))
    }

    @Test("SET NOT NULL uses a validated CHECK only from PostgreSQL 12")
    func setNotNullByVersion() throws {
        let earlier = ["ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;", "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;"]
        let sql = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"
        #expect(try LintFixture.rules(sql, earlier: earlier, configuration: .init(postgresVersion: 12_00_00, lockTimeoutConfigured: true)).isEmpty)
        let old = try LintFixture.findings(sql, earlier: earlier, configuration: .init(postgresVersion: 11_00_09, lockTimeoutConfigured: true))
        #expect(old.map(\.rule) == ["adding-not-nullable-field"])
        #expect(old.first?.safeRewrite.contains("Before PostgreSQL 12") == true)
        // The check must be validated: NOT VALID alone proves nothing.
        #expect(try LintFixture.rules(sql, earlier: [earlier[0]]) == ["adding-not-nullable-field"])
        // In the same transaction: validated earlier in this migration counts too.
        #expect(try LintFixture.rules("ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n" + sql, earlier: [earlier[0]]).isEmpty)
    }

    @Test("timestamp to timestamptz is safe only with TimeZone UTC, from PostgreSQL 12")
    func timestampToTimestamptz() throws {
        let earlier = ["CREATE TABLE events (id bigint, at timestamp(3) without time zone);"]
        let change = "ALTER TABLE events ALTER COLUMN at TYPE timestamptz(3);"
        #expect(try LintFixture.rules(change, earlier: earlier) == ["changing-column-type"])
        #expect(try LintFixture.rules("SET LOCAL TimeZone = 'UTC';\n" + change, earlier: earlier).isEmpty)
        #expect(try LintFixture.rules("SET TIME ZONE 'Etc/UTC';\n" + change, earlier: earlier).isEmpty)
        #expect(
            try LintFixture.rules("SET timezone = 'UTC';\n" + change, earlier: earlier, configuration: .init(postgresVersion: 11_00_00, lockTimeoutConfigured: true))
                == ["changing-column-type"])
    }

    @Test("type changes: the safe ones pass, rewrites and USING are reported, an unknown old type says so")
    func typeChanges() throws {
        let earlier = ["CREATE TABLE t (a varchar(10), b numeric(10,2), c text, d cidr, e integer, f timestamp(3));"]
        for safe in ["a TYPE varchar(20)", "a TYPE varchar", "a TYPE text", "b TYPE numeric(12,2)", "b TYPE numeric", "c TYPE varchar", "d TYPE inet", "f TYPE timestamp(6)", "e SET DATA TYPE int4"] {
            #expect(try LintFixture.rules("ALTER TABLE t ALTER COLUMN \(safe);", earlier: earlier).isEmpty, "\(safe)")
        }
        for rewrite in ["a TYPE varchar(5)", "b TYPE numeric(12,3)", "c TYPE varchar(50)", "e TYPE bigint", "a TYPE text USING upper(a)", "f TYPE timestamp(0)"] {
            #expect(try LintFixture.rules("ALTER TABLE t ALTER COLUMN \(rewrite);", earlier: earlier) == ["changing-column-type"], "\(rewrite)")
        }
        let renamed = ["CREATE TABLE t (a varchar(10));", "ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t RENAME TO u;"]
        #expect(try LintFixture.rules("ALTER TABLE u ALTER COLUMN b TYPE text;", earlier: renamed).isEmpty)
        let unknown = try #require(try LintFixture.findings("ALTER TABLE x ALTER COLUMN y TYPE text;").first)
        #expect(unknown.why.contains("cannot tell"))
    }

    // MARK: - Dialects

    @Test("SQLite runs only the rules about old code and failing statements")
    func sqliteRules() throws {
        let sql = """
            CREATE INDEX i ON orders (a);
            DROP INDEX i;
            ALTER TABLE orders ADD COLUMN token text DEFAULT (random());
            ALTER TABLE orders ADD COLUMN note text;
            ALTER TABLE [Orders] RENAME COLUMN `Note` TO remark;
            """
        let findings = try LintFixture.findings(sql, dialect: SQLiteDialect(), configuration: .init(lockTimeoutConfigured: false))
        #expect(findings.map(\.rule) == ["renaming-column"])
        #expect(findings.first?.message == "RENAME COLUMN note TO remark on existing table orders")
        #expect(findings.first?.lock.contains("SQLite") == true)
        #expect(Set(Linter.rules.filter(\.appliesToSQLite).map(\.id)) == [
            "concurrently-in-transaction", "adding-required-field", "renaming-column", "renaming-table", "ban-drop-column", "ban-drop-table",
        ])
    }

    @Test("SQLite refuses ADD COLUMN NOT NULL without a default even on a new table")
    func sqliteRequiredFieldOnNewTable() throws {
        let sql = "CREATE TABLE t (id integer);\nALTER TABLE t ADD COLUMN c text NOT NULL;"
        #expect(try LintFixture.rules(sql, dialect: SQLiteDialect()) == ["adding-required-field"])
        #expect(try LintFixture.rules(sql).isEmpty)
    }
}
