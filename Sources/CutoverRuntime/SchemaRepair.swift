import Cutover
import CutoverCore
import Logging
import Metrics
import Synchronization

/// Runs database work and, when it fails because the schema is older than the code (an
/// unknown column or table, or PostgreSQL's "cached plan must not change result type"),
/// applies the pending migrations once and runs the work again, once.
///
/// ```swift
/// let repair = SchemaRepair(deployment: deployment)
/// let phones = try await repair.run {
///     try await connection.query("SELECT phone FROM users", logger: logger)   // postgres-nio, SQLiteNIO, or Cutover's Database
/// }
/// ```
///
/// - The error is recognised by the target's driver (`MissingSchemaRecognizing` in `CutoverCore`), whatever
///   client the work used: postgres-nio's `PSQLError` (42703, 42P01, the stale plan), SQLite's
///   "no such column" / "no such table", or a `CutoverError`. Any other error passes through
///   unchanged, and nothing is applied.
/// - The repair is `Deployment.migrate()` — the same pipeline as `cutover migrate`, under the
///   run lock — so twenty nodes meeting the error at once apply each migration exactly once: the
///   first applies, the others wait for the lock and find nothing pending. Callers of one
///   `SchemaRepair` that fail together share one repair.
/// - The work is then run again once. If it fails again for a missing column or table, the
///   original error is thrown (the pending migrations did not add what the code needs); if the
///   repair itself fails, the original error is thrown and the repair's error logged.
/// - Repairs are counted (``repairs``, and the swift-metrics counter
///   `cutover_schema_repairs_total` with a `result` dimension: `applied`, `none_pending`, `failed`).
///
/// Write the migrations it may apply idempotently (`ADD COLUMN IF NOT EXISTS`): a node may
/// reach the repair after another applied them. Pending expand/contract (`.yaml`) migrations are
/// run start to complete, like `cutover migrate`; keep those for deploy time.
public final class SchemaRepair: Sendable {
    private let deployment: Deployment
    private let options: Deployment.MigrateOptions
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var repairing: Task<Int, any Error>?
        var repairs = 0
    }

    /// Creates a repairer for the target of `deployment`.
    /// - Parameters:
    ///   - deployment: the database and its migrations folder.
    ///   - options: the options of the `migrate` a repair runs.
    ///   - logger: where repairs are logged.
    public init(deployment: Deployment, options: Deployment.MigrateOptions = .init(), logger: Logger = Logger(label: "cutover.repair")) {
        self.deployment = deployment
        self.options = options
        self.logger = logger
    }

    /// The repairs of this instance that applied at least one migration.
    public var repairs: Int { state.withLock { $0.repairs } }

    /// Runs `operation`; after a missing-schema error, repairs and runs it once more.
    /// - Returns: what `operation` returned.
    /// - Throws: the original error when it is not a missing-schema one, when the repair fails,
    ///   or when the operation still misses a column or table after it; else what the second run threw.
    public func run<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            guard let missing = recognizer?.missingSchema(in: error) else { throw error }
            logger.notice("the schema lacks what the code needs; applying the pending migrations", metadata: ["missing": "\(missing.rawValue)"])
            let applied: Int
            do {
                applied = try await repairOnce()
            } catch let repairError {
                Counter(label: "cutover_schema_repairs_total", dimensions: [("result", "failed")]).increment()
                logger.error("the repair failed; the original error is thrown", metadata: ["error": "\(repairError)"])
                throw error
            }
            Counter(label: "cutover_schema_repairs_total", dimensions: [("result", applied > 0 ? "applied" : "none_pending")]).increment()
            // Run again even when nothing was pending here: another node may have applied it.
            do {
                return try await operation()
            } catch let again where recognizer?.missingSchema(in: again) != nil {
                throw error
            }
        }
    }

    private var recognizer: (any MissingSchemaRecognizing)? {
        try? deployment.driver(for: deployment.target.url) as? any MissingSchemaRecognizing
    }

    /// One `migrate` for every caller failing meanwhile; the number of migrations it applied.
    private func repairOnce() async throws -> Int {
        let (task, started) = state.withLock { state -> (Task<Int, any Error>, Bool) in
            if let repairing = state.repairing { return (repairing, false) }
            let repairing = Task { [deployment, options] in try await deployment.migrate(options: options).applied.count }
            state.repairing = repairing
            return (repairing, true)
        }
        defer { if started { state.withLock { $0.repairing = nil } } }
        let applied = try await task.value
        if started, applied > 0 { state.withLock { $0.repairs += 1 } }
        return applied
    }
}
