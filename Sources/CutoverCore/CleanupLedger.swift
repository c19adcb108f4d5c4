import Synchronization

/// What a command made and then tidied away, or had to leave behind: the clone, the scratch
/// database, the unfinished backup file.
///
/// Each clean-up step of the engine records here what it did, so a command stopped by Ctrl-C
/// can end with one line saying what actually happened, not what usually happens. Steps find
/// the ledger of the running command through ``current`` (a task-local value: child tasks see
/// it too); without one, recording does nothing.
///
/// ```swift
/// let ledger = CleanupLedger()
/// try await CleanupLedger.$current.withValue(ledger) { try await deployment.rehearse() }
/// ledger.entries   // [.removed("the rehearsal clone shop_rehearsal_20261206T2301")]
/// ```
public final class CleanupLedger: Sendable {
    /// One thing a clean-up step dealt with.
    public enum Entry: Sendable, Equatable, CustomStringConvertible {
        /// `what` was made by the command and is gone again.
        case removed(String)
        /// `what` is still there; `remedy` says how to remove it.
        case left(String, remedy: String)

        /// `removed the rehearsal clone x` / `left the rehearsal clone x (drop it with …)`.
        public var description: String {
            switch self {
            case .removed(let what): "removed \(what)"
            case .left(let what, let remedy): "left \(what) (\(remedy))"
            }
        }
    }

    /// The ledger of the command running in this task, if any.
    @TaskLocal public static var current: CleanupLedger?

    private let recorded = Mutex<[Entry]>([])

    /// An empty ledger.
    public init() {}

    /// Everything recorded, in order.
    public var entries: [Entry] { recorded.withLock { $0 } }

    /// Adds `entry` to the ledger of the running command; does nothing without one.
    public static func record(_ entry: Entry) {
        current?.recorded.withLock { $0.append(entry) }
    }

    /// Runs `step`, which removes `what`, and records the outcome: removed, or left with
    /// `remedy` when the step throws. Never throws: a clean-up that fails must not hide the
    /// error that made it necessary.
    ///
    /// - Returns: whether `what` was removed.
    @discardableResult
    public static func remove(_ what: String, remedy: String, _ step: () async throws -> Void) async -> Bool {
        do {
            try await step()
            record(.removed(what))
            return true
        } catch {
            record(.left(what, remedy: remedy))
            return false
        }
    }
}
