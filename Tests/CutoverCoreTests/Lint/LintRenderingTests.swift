import CutoverCore
import Foundation
import Testing

@Suite struct LintRenderingTests {
    private func finding(file: String = "migrations/2_idx.sql") throws -> LintFinding {
        var finding = try #require(try LintFixture.findings("SELECT 1;\nCREATE INDEX orders_user ON orders (user_id);").first)
        finding.file = file
        return finding
    }

    @Test("text names file:line, severity, rule, statement, lock, why, fix and how to allow")
    func text() throws {
        let lines = try finding().renderedText().split(separator: "\n").map(String.init)
        #expect(lines[0] == "migrations/2_idx.sql:3: error[require-concurrent-index-creation]: CREATE INDEX orders_user without CONCURRENTLY on existing table orders")
        #expect(lines[1] == "  statement: CREATE INDEX orders_user ON orders (user_id)")
        #expect(lines[2] == "  lock: SHARE on orders (blocks writes), for the whole build")
        #expect(lines[3].hasPrefix("  why:  PostgreSQL reads every row of orders"))
        #expect(lines[4].hasPrefix("  fix:  CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);"))
        #expect(lines[5] == "  (to accept it, put `-- cutover:allow require-concurrent-index-creation` above the statement)")
    }

    @Test("GitHub annotation: one line, properties and data escaped")
    func github() throws {
        let annotation = try finding(file: "db/mig,rations/2_idx.sql").githubAnnotation
        #expect(annotation.hasPrefix("::error file=db/mig%2Crations/2_idx.sql,line=3,title=require-concurrent-index-creation::CREATE INDEX orders_user"))
        #expect(!annotation.contains("\n"))
        #expect(annotation.contains("%0AFix: CREATE INDEX CONCURRENTLY"))
        let warning = try #require(try LintFixture.findings("DROP TABLE users;").first)
        #expect(warning.githubAnnotation.hasPrefix("::warning file=1_fixture.sql,line=2,title=ban-drop-table::"))
    }

    @Test("JSON keys are stable snake_case")
    func json() throws {
        let data = try JSONEncoder().encode(try finding())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["rule", "severity", "file", "line", "migration", "statement", "message", "lock", "why", "safe_rewrite"])
        #expect(object["severity"] as? String == "error")
        #expect(object["migration"] as? String == "1")
    }

    @Test("summary counts errors and warnings")
    func summary() throws {
        let findings = try LintFixture.findings("CREATE INDEX i ON t (a);\nDROP TABLE a, b;")
        #expect(LintFinding.summary(of: findings) == "1 error, 2 warnings")
        #expect(LintFinding.summary(of: []) == "no findings")
    }

    @Test("PostgreSQL versions as users write them", arguments: [
        ("15", 15_00_00), ("9.6", 9_06_00), ("15.4", 15_00_04), ("150004", 15_00_04), ("9.6.24", 9_06_24), ("11", 11_00_00),
    ])
    func versions(text: String, number: Int) {
        #expect(Linter.Configuration.postgresVersionNumber(text) == number)
    }

    @Test("a lock timeout is in force unless [safety] lock_timeout turns it off (the default is 2 s)")
    func safety() {
        var safety = Configuration.Safety()
        #expect(Linter.Configuration(safety: safety).lockTimeoutConfigured)
        safety.lockTimeout = nil
        #expect(!Linter.Configuration(safety: safety).lockTimeoutConfigured)
        safety.lockTimeout = .zero
        #expect(!Linter.Configuration(safety: safety).lockTimeoutConfigured)
        safety.lockTimeout = .seconds(2)
        #expect(Linter.Configuration(safety: safety, postgresVersion: 11_00_00) == .init(postgresVersion: 11_00_00, lockTimeoutConfigured: true))
    }

    @Test("not versions", arguments: ["", "x", "15.x", "-1", "3", "1.2.3.4", "16.1.2"])
    func notVersions(text: String) {
        #expect(Linter.Configuration.postgresVersionNumber(text) == nil)
    }
}
