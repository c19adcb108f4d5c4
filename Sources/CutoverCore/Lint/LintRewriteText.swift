import Foundation

/// Small text helpers the rules use to show a statement rewritten.
enum LintRewriteText {
    /// `sql` with `word` inserted after the first occurrence of the keyword `keyword`
    /// (`CREATE INDEX i …` → `CREATE INDEX CONCURRENTLY i …`); nil when it is not found.
    static func inserting(_ word: String, after keyword: String, in sql: String) -> String? {
        guard let range = sql.range(of: "\\b\(keyword)\\b", options: [.regularExpression, .caseInsensitive]) else { return nil }
        return String(sql[..<range.upperBound]) + " " + word + String(sql[range.upperBound...])
    }

    /// Where findings send statements that cannot run in a transaction.
    static let noTransactionHint = "in a migration of its own marked `-- cutover:no-transaction` (`cutover new NAME --no-transaction`)"
}
