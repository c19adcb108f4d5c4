import CutoverCore
import Testing

/// One positive and at least one negative fixture per rule.
@Suite struct LintRuleFixtureTests {
    static let positives: [RuleFixture] = [
        RuleFixture(rule: "require-concurrent-index-creation", sql: "CREATE INDEX orders_user ON orders (user_id);", line: 2),
        RuleFixture(rule: "require-concurrent-index-deletion", sql: "DROP INDEX orders_user;", line: 2),
        RuleFixture(rule: "concurrently-in-transaction", sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);", line: 2),
        RuleFixture(rule: "concurrently-in-transaction", sql: "SELECT 1;\nVACUUM;", sqlite: true, line: 3),
        RuleFixture(
            rule: "constraint-missing-not-valid",
            sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", line: 2),
        RuleFixture(rule: "constraint-missing-not-valid", sql: "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0);", line: 2),
        RuleFixture(
            rule: "constraint-missing-not-valid",
            sql: "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT positive;",
            line: 3),
        RuleFixture(rule: "disallowed-unique-constraint", sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", line: 2),
        RuleFixture(rule: "disallowed-unique-constraint", sql: "ALTER TABLE users ADD COLUMN handle text UNIQUE;", line: 2),
        RuleFixture(rule: "adding-not-nullable-field", sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", line: 2),
        RuleFixture(rule: "adding-field-with-volatile-default", sql: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", line: 2),
        RuleFixture(rule: "adding-field-with-volatile-default", sql: "ALTER TABLE users ADD COLUMN seq bigserial;", line: 2),
        RuleFixture(rule: "adding-required-field", sql: "ALTER TABLE users ADD COLUMN age int NOT NULL;", line: 2),
        RuleFixture(rule: "adding-required-field", sql: "ALTER TABLE users ADD COLUMN age int NOT NULL;", sqlite: true, line: 2),
        RuleFixture(rule: "changing-column-type", sql: "ALTER TABLE users ALTER COLUMN age TYPE bigint;", line: 2),
        RuleFixture(
            rule: "changing-column-type", sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);",
            earlier: ["CREATE TABLE users (id bigint, name varchar(50));"], line: 2),
        RuleFixture(rule: "renaming-column", sql: "ALTER TABLE users RENAME COLUMN email TO mail;", line: 2),
        RuleFixture(rule: "renaming-column", sql: "ALTER TABLE users RENAME email TO mail;", sqlite: true, line: 2),
        RuleFixture(rule: "renaming-table", sql: "ALTER TABLE users RENAME TO accounts;", line: 2),
        RuleFixture(rule: "renaming-table", sql: "ALTER TABLE users RENAME TO accounts;", sqlite: true, line: 2),
        RuleFixture(rule: "ban-drop-column", sql: "ALTER TABLE users DROP COLUMN email;", line: 2),
        RuleFixture(rule: "ban-drop-column", sql: "ALTER TABLE users DROP COLUMN email;", sqlite: true, line: 2),
        RuleFixture(rule: "ban-drop-table", sql: "DROP TABLE users;", line: 2),
        RuleFixture(rule: "ban-drop-table", sql: "DROP TABLE users;", sqlite: true, line: 2),
        RuleFixture(
            rule: "multiple-strong-locks-in-transaction",
            sql: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE orders ADD COLUMN note text;", line: 3),
        RuleFixture(rule: "require-lock-timeout", sql: "SELECT 1;\nALTER TABLE users ADD COLUMN nick text;", lockTimeoutConfigured: false, line: 3),
    ]

    static let negatives: [RuleFixture] = [
        RuleFixture(rule: "require-concurrent-index-creation", sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);", noTransaction: true),
        RuleFixture(rule: "require-concurrent-index-creation", sql: "CREATE INDEX orders_user ON orders (user_id);", sqlite: true),
        RuleFixture(rule: "require-concurrent-index-deletion", sql: "DROP INDEX CONCURRENTLY orders_user;", noTransaction: true),
        RuleFixture(rule: "concurrently-in-transaction", sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);", noTransaction: true),
        RuleFixture(rule: "concurrently-in-transaction", sql: "VACUUM;", noTransaction: true, sqlite: true),
        RuleFixture(
            rule: "constraint-missing-not-valid",
            sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"),
        RuleFixture(
            rule: "constraint-missing-not-valid", sql: "ALTER TABLE orders VALIDATE CONSTRAINT positive;",
            earlier: ["ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;"]),
        RuleFixture(rule: "disallowed-unique-constraint", sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"),
        RuleFixture(rule: "disallowed-unique-constraint", sql: "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;"),
        RuleFixture(
            rule: "adding-not-nullable-field", sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
            earlier: [
                "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;",
                "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;",
            ]),
        RuleFixture(rule: "adding-field-with-volatile-default", sql: "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();"),
        RuleFixture(rule: "adding-field-with-volatile-default", sql: "ALTER TABLE users ADD COLUMN tags text[] DEFAULT '{}'::text[];"),
        RuleFixture(rule: "adding-required-field", sql: "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;"),
        RuleFixture(rule: "adding-required-field", sql: "ALTER TABLE users ADD COLUMN age int;", sqlite: true),
        RuleFixture(
            rule: "changing-column-type", sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);",
            earlier: ["CREATE TABLE users (id bigint, name varchar(50));"]),
        RuleFixture(
            rule: "changing-column-type", sql: "ALTER TABLE users ALTER COLUMN name TYPE text;",
            earlier: ["CREATE TABLE users (id bigint, name character varying(50));"]),
        RuleFixture(rule: "renaming-column", sql: "CREATE TABLE drafts (id bigint, body text);\nALTER TABLE drafts RENAME COLUMN body TO text_body;"),
        RuleFixture(rule: "renaming-table", sql: "CREATE TABLE drafts (id bigint);\nALTER TABLE drafts RENAME TO notes;", sqlite: true),
        RuleFixture(rule: "ban-drop-column", sql: "ALTER TABLE users DROP CONSTRAINT users_email_check;"),
        RuleFixture(rule: "ban-drop-table", sql: "CREATE TABLE scratch (id bigint);\nDROP TABLE scratch;"),
        RuleFixture(
            rule: "multiple-strong-locks-in-transaction",
            sql: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE orders ADD COLUMN note text;", noTransaction: true),
        RuleFixture(
            rule: "multiple-strong-locks-in-transaction",
            sql: "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users ADD COLUMN bio text;"),
        RuleFixture(rule: "require-lock-timeout", sql: "SET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN nick text;", lockTimeoutConfigured: false),
        RuleFixture(rule: "require-lock-timeout", sql: "ALTER TABLE users ADD COLUMN nick text;", lockTimeoutConfigured: true),
    ]

    @Test("every rule has a positive and a negative fixture")
    func coverage() {
        let ids = Set(Linter.rules.map(\.id))
        #expect(Set(Self.positives.map(\.rule)) == ids)
        #expect(Set(Self.negatives.map(\.rule)) == ids)
    }

    @Test("positive fixture: the rule reports once, on the statement's line, with lock, why and fix", arguments: positives)
    func positive(_ fixture: RuleFixture) throws {
        let all = try fixture.findings()
        let findings = all.filter { $0.rule == fixture.rule }
        try #require(findings.count == 1, "findings: \(all.map(\.rule))")
        let finding = findings[0]
        #expect(finding.line == fixture.line)
        #expect(finding.severity == Linter.rules.first { $0.id == fixture.rule }?.severity)
        #expect(!finding.message.isEmpty && !finding.lock.isEmpty && !finding.why.isEmpty && !finding.safeRewrite.isEmpty)
    }

    @Test("negative fixture: the rule stays silent", arguments: negatives)
    func negative(_ fixture: RuleFixture) throws {
        let findings = try fixture.findings()
        #expect(!findings.contains { $0.rule == fixture.rule }, "unexpected: \(findings.map(\.message))")
    }
}
