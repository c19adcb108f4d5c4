/// Runs `body` in a task of its own that the caller's cancellation does not reach, and waits
/// for it.
///
/// Clean-up after a cancelled command (a SIGINT turned into task cancellation) must still
/// talk to the database: dropping a half-made clone or a scratch database opens a new
/// session, and both connecting and running a statement fail at once in a cancelled task
/// (postgres-nio's `connect` and this project's drivers honour cancellation). An
/// unstructured `Task {}` does not inherit its creator's cancellation, so the work runs to
/// its end; the caller waits for it before going on.
///
/// Keep `body` short and bounded: nothing can cancel it. Short steps that must not be cut in
/// half (create a database *and* mark it as Cutover's) use it too.
///
/// ```swift
/// } catch {
///     try? await withoutCancellation { try await driver.dropClone(clone.url, logger: logger) }
///     throw error
/// }
/// ```
///
/// - Returns: what `body` returns.
/// - Throws: what `body` throws.
public func withoutCancellation<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await body() }.value
}
