extension Database {
    /// Runs `body` in one write transaction (the dialect's ``Dialect/beginTransaction``):
    /// committed when it returns, rolled back when it throws (the rollback's own error kept
    /// beside the first, see ``rollBack(after:)``).
    ///
    /// ```swift
    /// try await database.withTransaction {
    ///     try await database.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
    ///     try await database.execute("UPDATE accounts SET balance = balance + 10 WHERE id = 2")
    /// }
    /// ```
    public func withTransaction<T>(_ body: () async throws -> T) async throws -> T {
        try await execute(dialect.beginTransaction)
        let result: T
        do {
            result = try await body()
        } catch {
            throw await rollBack(after: error)
        }
        try await execute("COMMIT")
        return result
    }
}

extension Database {
    /// Runs `body` in one write transaction that first takes the dialect's
    /// ``Dialect/setupLockStatement``: for creating or replacing Cutover's own objects, so that
    /// twenty app instances doing it at once wait for one another instead of failing.
    public func withSetupTransaction<T>(_ body: () async throws -> T) async throws -> T {
        try await withTransaction {
            if let lock = dialect.setupLockStatement { try await execute(lock) }
            return try await body()
        }
    }
}
