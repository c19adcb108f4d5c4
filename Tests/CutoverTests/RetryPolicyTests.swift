import Cutover
import CutoverCore
import Testing

@Suite struct RetryPolicyTests {
    @Test("delays grow exponentially with jitter and stop at the cap")
    func delays() {
        let policy = RetryPolicy(retries: 8, base: .milliseconds(100), cap: .seconds(1))
        for attempt in 1...8 {
            let full = min(Duration.milliseconds(100) * (1 << (attempt - 1)), .seconds(1))
            let delay = policy.delay(forRetry: attempt)
            #expect(delay >= full / 2 && delay <= full, "attempt \(attempt): \(delay)")
        }
    }
}
