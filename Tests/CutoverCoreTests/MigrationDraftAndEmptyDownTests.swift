import Foundation
import CutoverCore
import Testing

@Suite("migration files: drafts, no-ops and empty down sections")
struct MigrationDraftAndEmptyDownTests {
    private let parser = MigrationFileParser()

    @Test("`-- cutover:draft` marks a draft at its line, written or not")
    func draftMarker() throws {
        let unwritten = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:draft\n-- cutover:up\n\n-- cutover:down\n")
        #expect(unwritten.draft == Migration.Draft(line: 1, isMarked: true))
        let halfWritten = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nCREATE TABLE t (id int);\n  -- CUTOVER:draft\n")
        #expect(halfWritten.draft?.line == 3)
        #expect(halfWritten.up.count == 1)
        #expect(!halfWritten.isNoOp && !halfWritten.hasUnmarkedEmptyDown)
        #expect(halfWritten.draft?.fix.contains("line 3") == true)
    }

    @Test("the template of `cutover new` is a draft, and the same file written is not")
    func newTemplate() throws {
        let template = """
            -- cutover:draft
            -- Delete the line above once the migration is written: until then `cutover migrate` stops
            -- before this file and `cutover status` lists it as a draft.
            -- cutover:up


            -- cutover:down
            -- Undo the up section here. If rolling back should intentionally run nothing, write the
            -- line above as `-- cutover:down empty` (otherwise `cutover rollback` refuses an empty one).


            """
        #expect(try parser.parse(fileName: "1_x.sql", contents: template).draft?.isMarked == true)
        let written = template.replacingOccurrences(of: "-- cutover:draft\n", with: "")
            .replacingOccurrences(of: "-- cutover:up\n\n", with: "-- cutover:up\nALTER TABLE users ADD COLUMN email text;\n")
        let migration = try parser.parse(fileName: "1_x.sql", contents: written)
        #expect(migration.draft == nil)
        #expect(migration.up.count == 1)
        // The down section is still only the template's comment: rollback would refuse it.
        #expect(migration.hasUnmarkedEmptyDown)
        #expect(migration.downMarkerLine == 6)
    }

    @Test("`-- cutover:down empty` marks an intentionally empty down section")
    func downEmpty() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nCREATE TABLE t (id int);\n-- cutover:down EMPTY\n-- kept\n")
        #expect(migration.isDownEmptyByIntent)
        #expect(migration.down == [])
        #expect(!migration.hasUnmarkedEmptyDown)
        let unmarked = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nCREATE TABLE t (id int);\n-- cutover:down\n")
        #expect(unmarked.hasUnmarkedEmptyDown)
        // Nothing to undo for a no-op.
        let noOp = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\n-- nothing\n-- cutover:down\n")
        #expect(!noOp.hasUnmarkedEmptyDown)
    }

    @Test("statements below `-- cutover:down empty`, or other text after it, are errors at their line")
    func downEmptyErrors() {
        #expect(throws: CutoverError.self) { try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nSELECT 1;\n-- cutover:down empty\n\nDROP TABLE t;\n") }
        do {
            _ = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nSELECT 1;\n-- cutover:down empty\n\nDROP TABLE t;\n")
        } catch let error as CutoverError {
            #expect(error.line == 5 && error.file == "1_x.sql")
            #expect(error.hint?.contains("line 3") == true)
        } catch {}
        do {
            _ = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nSELECT 1;\n-- cutover:down nothing\n")
            Issue.record("expected an error")
        } catch let error as CutoverError {
            #expect(error.line == 3)
            #expect(error.hint?.contains("-- cutover:down empty") == true)
        } catch {}
        #expect(throws: CutoverError.self) { try parser.parse(fileName: "1_x.sql", contents: "-- cutover:draft now\n-- cutover:up\n") }
    }

    @Test("file checks: a warning for a draft and an empty down section, a note for a no-op")
    func fileChecks() throws {
        let draft = try parser.parse(fileName: "1_draft.sql", contents: "-- cutover:draft\n-- cutover:up\n\n-- cutover:down\n")
        #expect(MigrationFileChecks.findings(for: draft).map(\.rule) == ["draft-migration"])
        #expect(MigrationFileChecks.findings(for: draft).map(\.severity) == [.warning])
        #expect(MigrationFileChecks.findings(for: draft).first?.file == "1_draft.sql")

        let noOp = try parser.parse(fileName: "2_noop.sql", contents: "-- cutover:up\n-- done in code\n-- cutover:down\n")
        let note = try #require(MigrationFileChecks.findings(for: noOp).first)
        #expect(note.severity == .note && note.rule == "no-statements" && note.line == 1)
        #expect(note.message == "no statements: recorded as applied without running anything")
        #expect(!note.renderedText().contains("cutover:allow"))
        #expect(note.githubAnnotation.hasPrefix("::notice "))

        let emptyDown = try parser.parse(fileName: "3_email.sql", contents: "-- cutover:up\nALTER TABLE users ADD COLUMN email text;\n-- cutover:down\n")
        let warning = try #require(MigrationFileChecks.findings(for: emptyDown).first)
        #expect(warning.rule == "empty-down" && warning.severity == .warning && warning.line == 3)
        #expect(LintFinding.summary(of: [note, warning]) == "1 warning, 1 note")
    }

    @Test("down sections are linted: findings say so, are warnings at most, and dropping what the up section made is fine")
    func downSectionLint() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: """
            -- cutover:up
            CREATE TABLE t (id int);
            ALTER TABLE users ADD COLUMN email text;
            -- cutover:down
            DROP TABLE t;
            ALTER TABLE users DROP COLUMN email;
            CREATE INDEX users_name ON users (name);
            DROP TABLE orders;
            """)
        let findings = Linter(configuration: .init(lockTimeoutConfigured: true)).lint(migration, dialect: PostgresDialect())
        let down = findings.filter { $0.line >= 5 }
        #expect(down.contains { $0.rule == "require-concurrent-index-creation" && $0.line == 7 })
        #expect(down.contains { $0.rule == "ban-drop-table" && $0.line == 8 })
        #expect(!down.contains { ($0.line == 5 || $0.line == 6) && $0.rule.hasPrefix("ban-drop") })
        #expect(down.allSatisfy { $0.message.hasPrefix("down section: ") && $0.severity == .warning })
        #expect(findings.filter { $0.line < 5 }.allSatisfy { !$0.message.hasPrefix("down section") })
    }
}
