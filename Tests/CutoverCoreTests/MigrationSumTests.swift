import CutoverCore
import Testing

@Suite("cutover.sum: the migration list under a hash")
struct MigrationSumTests {
    @Test("lists migration files by numeric id under an h1: hash line; other files are left out")
    func text() {
        let sum = MigrationSum(fileNames: ["10_b.sql", "9_a.sql", "README.md", "cutover.sum", "20261101090000_c.sql"])
        #expect(sum.files == ["9_a.sql", "10_b.sql", "20261101090000_c.sql"])
        let lines = sum.text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("h1:") && lines[0].count == 67)
        #expect(sum.problems(comparedWith: sum.text).isEmpty)
    }

    @Test("a file not listed, a listed file that is gone, another order, and a hand-made merge are each reported")
    func problems() {
        let written = MigrationSum(fileNames: ["1_a.sql", "2_b.sql"]).text
        #expect(MigrationSum(fileNames: ["1_a.sql", "2_b.sql", "3_c.sql"]).problems(comparedWith: written) == ["3_c.sql is not in cutover.sum"])
        #expect(MigrationSum(fileNames: ["1_a.sql"]).problems(comparedWith: written) == ["2_b.sql is listed in cutover.sum but there is no such migration file"])

        // Two branches each added one migration; the conflict was resolved by keeping both
        // lines (and one of the hash lines): the hash gives it away.
        let branchA = MigrationSum(fileNames: ["1_a.sql", "2_b.sql", "3_from_a.sql"]).text
        let merged = branchA + "3_from_b.sql\n"
        let problems = MigrationSum(fileNames: ["1_a.sql", "2_b.sql", "3_from_a.sql", "3_from_b.sql"]).problems(comparedWith: merged)
        #expect(problems.count == 1 && problems[0].contains("edited by hand"), "\(problems)")

        // The right files in the wrong order, with a matching hash (written by something else).
        let swapped = ["2_b.sql", "1_a.sql"]
        let reordered = MigrationSum(fileNames: ["1_a.sql", "2_b.sql"])
        var fake = reordered
        fake.files = swapped
        #expect(reordered.problems(comparedWith: fake.text) == ["cutover.sum lists the migrations in another order than their ids"])

        #expect(MigrationSum(fileNames: []).problems(comparedWith: "1_a.sql\n") == ["cutover.sum has no `h1:` hash line"])
    }
}
