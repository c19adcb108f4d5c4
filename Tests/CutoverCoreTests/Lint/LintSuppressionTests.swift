import CutoverCore
import Foundation
import Testing

@Suite("-- cutover:allow RULE silences one rule for the statement below it")
struct LintSuppressionTests {
    @Test("the parser records allowances by the line of the statement below")
    func parserRecordsAllowances() throws {
        let migration = try MigrationFileParser().parse(
            fileName: "1_x.sql",
            contents: """
                -- cutover:up
                -- cutover:allow ban-drop-table, renaming-column
                -- (the table was unused since 2024)
                DROP TABLE old_things;

                -- cutover:allow ban-drop-column

                ALTER TABLE users DROP COLUMN legacy;
                -- cutover:allow Renaming-Table ban-drop-table
                ALTER TABLE users
                  RENAME TO accounts;
                -- cutover:down
                -- cutover:allow ban-drop-table
                DROP TABLE accounts;
                """)
        #expect(migration.allowances == [4: ["ban-drop-table", "renaming-column"], 10: ["renaming-table", "ban-drop-table"], 14: ["ban-drop-table"]])
    }

    @Test("an allow above the statement silences that rule only")
    func silencesOneRule() throws {
        let sql = """
            -- cutover:allow changing-column-type
            ALTER TABLE users ALTER COLUMN age TYPE bigint, DROP COLUMN legacy;
            """
        #expect(try LintFixture.rules(sql) == ["ban-drop-column"])
        #expect(try LintFixture.rules(sql.replacingOccurrences(of: "-- cutover:allow changing-column-type\n", with: "")) == ["changing-column-type", "ban-drop-column"])
    }

    @Test("the allow applies to the next statement only, and not across a blank line")
    func scope() throws {
        let sql = """
            -- cutover:allow ban-drop-table
            DROP TABLE a;
            DROP TABLE b;
            -- cutover:allow ban-drop-table

            DROP TABLE c;
            """
        #expect(try LintFixture.findings(sql).map { "\($0.rule):\($0.line)" } == ["ban-drop-table:4", "multiple-strong-locks-in-transaction:4", "ban-drop-table:7"])
    }

    @Test("a misspelt rule id silences nothing")
    func misspelt() throws {
        #expect(try LintFixture.rules("-- cutover:allow ban-drop-tables\nDROP TABLE a;") == ["ban-drop-table"])
    }

    @Test("require-lock-timeout is reported once per migration; allowing it there accepts it for the migration")
    func lockTimeoutOnce() throws {
        let configuration = Linter.Configuration(lockTimeoutConfigured: false)
        let sql = "ALTER TABLE a ADD COLUMN x int;\nALTER TABLE a ADD COLUMN y int;"
        #expect(try LintFixture.rules(sql, configuration: configuration) == ["require-lock-timeout"])
        #expect(try LintFixture.rules("-- cutover:allow require-lock-timeout\n" + sql, configuration: configuration).isEmpty)
    }
}
