import CutoverCore

/// Tells the statements that leave row locks on rows other sessions can see: UPDATE, DELETE
/// and MERGE, `INSERT … ON CONFLICT … DO UPDATE` (the rows it updates), `SELECT … FOR
/// UPDATE / NO KEY UPDATE / SHARE / KEY SHARE`, and a `WITH` query around any of these.
/// A plain INSERT locks only the rows it adds, which nobody else sees before COMMIT.
///
/// Read from the statement's words (comments, strings and quoted names skipped); a statement
/// that changes rows out of sight (a `DO` block, a function call) is not recognised, and its
/// row locks go unreported rather than guessed.
package enum RowLockingStatement: Equatable {
    /// The database's row count for the statement is the number of rows it locked
    /// (`UPDATE 500`; for `INSERT … ON CONFLICT DO UPDATE`, rows inserted and updated: at most).
    case countedByTag
    /// A `WITH` query: the command tag counts the rows of its main statement, not those the
    /// data-modifying parts locked.
    case notCounted

    /// How `sql` keeps locks on existing rows; nil when it keeps none.
    package init?(_ sql: String, configuration: SQLLexer.Configuration) {
        let lexer = SQLLexer(sql, configuration: configuration, includesWhitespace: false)
        var words: [String] = []
        for token in lexer where token.kind == .word {
            words.append(lexer.text(of: token).uppercased())
        }
        guard let first = words.first else { return nil }
        let pairs = zip(words, words.dropFirst()).map { "\($0) \($1)" }
        let locksForUpdate = pairs.contains { ["FOR UPDATE", "FOR NO", "FOR SHARE", "FOR KEY"].contains($0) }
        switch first {
        case "UPDATE", "DELETE", "MERGE": self = .countedByTag
        case "INSERT" where pairs.contains("DO UPDATE"): self = .countedByTag
        case "SELECT" where locksForUpdate, "TABLE" where locksForUpdate: self = .countedByTag
        case "WITH" where locksForUpdate || words.contains(where: { ["UPDATE", "DELETE", "MERGE"].contains($0) }): self = .notCounted
        default: return nil
        }
    }
}
