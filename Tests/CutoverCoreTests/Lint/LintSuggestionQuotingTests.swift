import CutoverCore
import Foundation
import Testing

/// Lint messages and suggested statements name tables and columns as SQL: quoted when the
/// name needs it, so a suggestion for `"x'y;z"` can be copied back and does what it says.
@Suite struct LintSuggestionQuotingTests {
    @Test("a suggestion for a table named x'y;z keeps its quotes")
    func quotedTable() throws {
        let findings = try LintFixture.findings(#"ALTER TABLE "x'y;z" ALTER COLUMN "a""b" SET NOT NULL;"#)
        let finding = try #require(findings.first { $0.rule == "adding-not-nullable-field" })
        #expect(finding.safeRewrite.contains(#"ALTER TABLE "x'y;z" ADD CONSTRAINT "x'y;z_a""b_not_null" CHECK ("a""b" IS NOT NULL) NOT VALID;"#), "\(finding.safeRewrite)")
        #expect(finding.safeRewrite.contains(#"ALTER TABLE "x'y;z" ALTER COLUMN "a""b" SET NOT NULL;"#))
        #expect(!finding.safeRewrite.contains("ALTER TABLE x'y;z"))
        #expect(finding.message == #"SET NOT NULL on column "a""b" of existing table "x'y;z""#)
    }

    @Test("GitHub annotations escape every line break, CRLF included, so a name cannot start a workflow command")
    func githubAnnotation() throws {
        var finding = try #require(try LintFixture.findings("ALTER TABLE \"a\nb\" ALTER COLUMN c SET NOT NULL;").first)
        finding.message += " x\r\n::set-output name=x::y"
        let annotation = finding.githubAnnotation
        #expect(!annotation.unicodeScalars.contains("\r") && !annotation.unicodeScalars.contains("\n"), "\(annotation.debugDescription)")
        #expect(annotation.contains("x%0D%0A::set-output"))
    }

    @Test("plain names stay bare; capitals and keywords are quoted")
    func plainNames() throws {
        let plain = try #require(try LintFixture.findings("ALTER TABLE users ALTER COLUMN email SET NOT NULL;").first)
        #expect(plain.safeRewrite.hasPrefix("ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;"))
        let mixed = try #require(try LintFixture.findings(#"ALTER TABLE app."Users" ALTER COLUMN "order" SET NOT NULL;"#).first)
        #expect(mixed.safeRewrite.hasPrefix(#"ALTER TABLE app."Users" ADD CONSTRAINT "Users_order_not_null" CHECK ("order" IS NOT NULL) NOT VALID;"#), "\(mixed.safeRewrite)")
    }

    /// No CR: migration files have their line endings normalised (CRLF → LF) before linting.
    static let pieces = ["'", "\"", "\u{1B}", "\t", "\n", "*/", "/*", "$$", "--", ";", "\\", "é", "🙂", " ", "DROP TABLE canary;", "Y", "x"]

    /// Every CR and LF of a text sits inside a `"…"` identifier.
    static func lineBreaksOutsideIdentifiers(_ text: String) -> Bool {
        var inside = false
        for character in text {
            if character == "\"" { inside.toggle() } else if !inside && (character == "\r" || character == "\n" || character == "\r\n") { return true }
        }
        return false
    }

    @Test("random hostile names: every rule's suggestion quotes them, and no line break escapes a quote")
    func hostileNames() throws {
        var random = SplitMix64(seed: 42)
        for round in 0..<60 {
            func name() -> String {
                (0..<Int.random(in: 1...5, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined() + "_\(round)"
            }
            let (table, column) = (name(), name())
            let t = SQLText.quotedIdentifier(table)
            let written = SQLText.identifier(table)
            let c = SQLText.quotedIdentifier(column)
            let statements = [
                "ALTER TABLE \(t) ALTER COLUMN \(c) SET NOT NULL;", "ALTER TABLE \(t) ADD COLUMN \(c) bigserial;",
                "ALTER TABLE \(t) ADD COLUMN \(c) int NOT NULL;", "ALTER TABLE \(t) ADD CONSTRAINT \(c) CHECK (true);",
                "ALTER TABLE \(t) ADD CONSTRAINT \(c) UNIQUE (id);", "ALTER TABLE \(t) ADD COLUMN \(c) int UNIQUE;",
                "ALTER TABLE \(t) RENAME TO \(c);", "ALTER TABLE \(t) RENAME COLUMN \(c) TO x;", "ALTER TABLE \(t) DROP COLUMN \(c);",
                "ALTER TABLE \(t) ALTER COLUMN \(c) TYPE bigint;", "DROP TABLE \(t);", "DROP INDEX \(t);",
                "ALTER TABLE \(t) ADD CONSTRAINT \(c) FOREIGN KEY (a) REFERENCES \(t) (id);",
            ]
            for sql in statements {
                let findings = try LintFixture.findings(sql)
                #expect(!findings.isEmpty, "round \(round): no finding for \(sql.debugDescription)")
                for finding in findings {
                    for text in [finding.safeRewrite, finding.message, finding.lock, finding.why] {
                        #expect(!Self.lineBreaksOutsideIdentifiers(text), "round \(round), \(finding.rule): \(text.debugDescription)")
                    }
                    if written != table {
                        #expect(!finding.safeRewrite.contains("ALTER TABLE \(table)"), "round \(round), \(finding.rule): \(finding.safeRewrite.debugDescription)")
                    }
                    if finding.safeRewrite.contains("ALTER TABLE ") && sql.hasPrefix("ALTER TABLE") {
                        #expect(finding.safeRewrite.contains("ALTER TABLE \(written)"), "round \(round), \(finding.rule): \(finding.safeRewrite.debugDescription)")
                    }
                }
            }
        }
    }
}
