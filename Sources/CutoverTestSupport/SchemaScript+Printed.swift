import CutoverCore

extension SchemaScript {
    /// What happened when the printed text of a script was run.
    public struct PrintedRun: Sendable {
        /// Whether the text, split again by ``SQLSplitter``, gave exactly the script's statements.
        public var splitMatches: Bool
        /// The first statement that failed and its error, or nil when every one ran.
        public var failure: String?
    }

    /// Splits ``text`` as psql or a migration file would and runs each statement on
    /// `database`, stopping at the first that fails: what a user who pipes `cutover diff
    /// --sql` into the database gets, as opposed to ``statements``, which the script meant.
    public func runPrinted(on database: any Database) async throws -> PrintedRun {
        let split = try SQLSplitter().split(text)
        var run = PrintedRun(splitMatches: split.map(\.sql) == statements.map(\.sql))
        for statement in split {
            do {
                try await database.execute(statement.sql)
            } catch {
                run.failure = "\(statement.sql.debugDescription) failed: \(error)"
                break
            }
        }
        return run
    }
}
