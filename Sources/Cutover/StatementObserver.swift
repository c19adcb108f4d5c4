import CutoverCore

/// Watches a run statement by statement, with the chance to do async work (such as
/// sampling `pg_locks` from another session) before and after each one. Rehearsal uses it
/// to report how long each statement took and which locks it held.
///
/// All methods are called on the migrating task, in order; keep them quick: the migration
/// waits for them.
public protocol StatementObserver: Sendable {
    /// Before the first statement of `migration` (inside its transaction, if it has one).
    func migrationWillStart(_ migration: Migration) async
    /// Just before `statement` is sent.
    func statementWillRun(_ statement: SQLStatement, index: Int, in migration: Migration) async
    /// Just after `statement` finished (before COMMIT for a transactional migration);
    /// `rowsTouched` is the row count the database reported for it
    /// (`Database.executeCountingRows(_:_:)`; nil when it gave none or the statement
    /// failed); `error` is set when it failed.
    func statementDidRun(_ statement: SQLStatement, index: Int, in migration: Migration, duration: Duration, rowsTouched: Int?, error: CutoverError?) async
    /// After `migration` committed (or was rolled back, `committed == false`).
    func migrationDidFinish(_ migration: Migration, committed: Bool) async
}
