import Cutover
import Testing

/// The adaptive part of the default backfill throttle, on readings of the database's
/// transaction counter at chosen instants (no database: the arithmetic alone).
@Suite("PrimaryLoadThrottle's commit-rate window")
struct CommitRateWindowTests {
    let policy = CommitRateWindow.Policy(sharedRatio: 2, maxRatio: 16, slowdownThreshold: 0.75, window: .seconds(2))
    let own = CommitRateWindow.ownTransactionsPerBatch
    let start = ContinuousClock.now

    /// Readings every `step` from `seconds` on, the counter growing by `perSecond` others'
    /// transactions a second plus the backfill's own per reading; returns the last ratio.
    func feed(_ window: CommitRateWindow, from seconds: Double, to end: Double, perSecond: Double, counter: inout Int, step: Double = 0.25) -> CommitRateWindow.Ratio {
        var ratio = CommitRateWindow.Ratio(value: 0, othersCommitted: false)
        var t = seconds
        while t < end {
            t += step
            counter += Int(perSecond * step) + own
            ratio = window.record(transactions: counter, at: start + .milliseconds(Int(t * 1000)), policy: policy)
        }
        return ratio
    }

    @Test("a steady application rate keeps the shared ratio; a fall below 75 % of the best doubles it, up to the maximum; a recovery brings it back down")
    func adapts() {
        let window = CommitRateWindow()
        var counter = 1_000
        #expect(window.record(transactions: counter, at: start, policy: policy) == .init(value: 2, othersCommitted: false))
        #expect(feed(window, from: 0, to: 6, perSecond: 3_000, counter: &counter) == .init(value: 2, othersCommitted: true))
        // Half the rate: one window doubles the ratio, the next doubles it again.
        #expect(feed(window, from: 6, to: 8, perSecond: 1_500, counter: &counter).value == 4)
        #expect(feed(window, from: 8, to: 10, perSecond: 1_500, counter: &counter).value == 8)
        #expect(feed(window, from: 10, to: 16, perSecond: 1_500, counter: &counter).value == 16)
        // Back to the full rate: a fifth off per window, never below the shared ratio.
        #expect(feed(window, from: 16, to: 18, perSecond: 3_000, counter: &counter).value == 16 * 0.8)
        #expect(feed(window, from: 18, to: 60, perSecond: 3_000, counter: &counter).value == 2)
    }

    @Test("the backfill's own transactions are not the application's: alone, it runs without a pause")
    func ownTransactionsAreNotOthers() {
        let window = CommitRateWindow()
        var counter = 0
        _ = window.record(transactions: counter, at: start, policy: policy)
        #expect(feed(window, from: 0, to: 10, perSecond: 0, counter: &counter) == .init(value: 2, othersCommitted: false))
    }

    @Test("after a long silence, or a counter that went back (a stats reset), the window starts over at the shared ratio")
    func startsOver() {
        let window = CommitRateWindow()
        var counter = 0
        _ = window.record(transactions: counter, at: start, policy: policy)
        _ = feed(window, from: 0, to: 4, perSecond: 3_000, counter: &counter)
        #expect(feed(window, from: 4, to: 8, perSecond: 100, counter: &counter).value == 8)
        #expect(window.record(transactions: counter + 10, at: start + .seconds(60), policy: policy) == .init(value: 2, othersCommitted: false))
        _ = feed(window, from: 60, to: 64, perSecond: 100, counter: &counter)
        #expect(window.record(transactions: 5, at: start + .seconds(65), policy: policy) == .init(value: 2, othersCommitted: false))
        #expect(window.record(transactions: nil, at: start + .seconds(66), policy: policy).value == 2)
    }
}
