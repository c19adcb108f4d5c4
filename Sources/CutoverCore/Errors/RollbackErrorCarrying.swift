/// An error that can keep, beside itself, the error of the `ROLLBACK` that followed it, as
/// postgres-nio's `PostgresTransactionError` keeps `closureError` and `rollbackError`.
///
/// ``CutoverError`` conforms; ``Database/rollBack(after:)`` sets ``rollbackError`` on any
/// error that conforms, so an engine type wrapping a ``CutoverError`` conforms by
/// forwarding to it.
public protocol RollbackErrorCarrying: Error {
    /// The error of the rollback that followed this error; nil when the rollback succeeded.
    var rollbackError: (any Error)? { get set }
}

extension CutoverError: RollbackErrorCarrying {}

extension Database {
    /// Rolls back the open transaction after `error` and returns the error to throw:
    /// `error` itself when the rollback succeeded, and otherwise `error` with the rollback's
    /// error kept in its ``RollbackErrorCarrying/rollbackError``, so neither is lost (a
    /// session that died mid-transaction fails both the statement and the `ROLLBACK`).
    ///
    /// ```swift
    /// try await database.execute(database.dialect.beginTransaction)
    /// do {
    ///     try await work()
    ///     try await database.execute("COMMIT")
    /// } catch {
    ///     throw await database.rollBack(after: error)
    /// }
    /// ```
    ///
    /// An error that does not conform to ``RollbackErrorCarrying`` (a `CancellationError`)
    /// is returned unchanged: its type is what its callers test for.
    ///
    /// - Parameter error: what made the transaction fail.
    /// - Returns: `error`, with the rollback's error beside it when there was one.
    public func rollBack(after error: any Error) async -> any Error {
        do {
            try await execute("ROLLBACK")
            return error
        } catch let rollbackError {
            guard var carrier = error as? any RollbackErrorCarrying else { return error }
            carrier.rollbackError = rollbackError
            return carrier
        }
    }
}
