/// Exponential backoff with jitter for lock timeouts.
///
/// The n-th retry waits between half and all of `base · 2^(n-1)`, capped at `cap`
/// ("equal jitter"), so several blocked runners do not retry in lock-step behind the same
/// long transaction.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var retries: Int
    /// The first delay before jitter.
    public var base: Duration
    /// The longest delay.
    public var cap: Duration

    /// A policy.
    ///
    /// ```swift
    /// var configuration = Migrator.Configuration()
    /// configuration.retry = RetryPolicy(retries: 3, base: .milliseconds(100))
    /// ```
    ///
    /// - Parameters:
    ///   - retries: retries after the first attempt (`[safety] lock_retries`).
    ///   - base: the first delay before jitter.
    ///   - cap: the longest delay.
    public init(retries: Int, base: Duration = .milliseconds(250), cap: Duration = .seconds(10)) {
        self.retries = retries
        self.base = base
        self.cap = cap
    }

    /// The delay before retry number `attempt` (1-based).
    /// - Parameter attempt: 1 for the first retry.
    /// - Returns: a random delay between half and all of `base · 2^(attempt-1)`, at most `cap`.
    public func delay(forRetry attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let full = min(base * (1 << exponent), cap)
        let jitter = Double.random(in: 0.5...1.0)
        return full * jitter
    }
}
