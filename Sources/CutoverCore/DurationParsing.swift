/// Parses the durations used in `cutover.toml` and on the command line: `"2s"`, `"500ms"`,
/// `"1min"`, `"1h"`, `"0"`.
///
/// A bare number means milliseconds, as in PostgreSQL's `lock_timeout`. `"0"` means
/// "no limit" and parses to `.zero`. Durations longer than ``maximum`` are rejected rather
/// than trapping on overflow later: every duration ends up as a 32-bit millisecond count
/// somewhere (PostgreSQL's `lock_timeout`, SQLite's busy timeout).
///
/// ```swift
/// DurationParser.parse("2s")                   // .seconds(2)
/// DurationParser.parseChecked("9999999999h")   // .failure(.outOfRange)
/// ```
package enum DurationParser {
    /// The longest duration accepted, in milliseconds: 2,147,483,647 (about 24.8 days),
    /// the largest PostgreSQL timeout and SQLite busy timeout.
    package static let maximumMilliseconds: Int64 = 2_147_483_647
    /// The longest duration accepted.
    package static var maximum: Duration { .milliseconds(maximumMilliseconds) }
    /// The accepted range in words, for error messages.
    package static let allowedRange = "0 to 2147483647ms (about 24 days)"

    /// Why a text is not an acceptable duration.
    package enum Problem: Error, Sendable, Equatable {
        /// Not a number with a known unit.
        case notADuration
        /// A duration, but negative or longer than ``DurationParser/maximum``.
        case outOfRange
    }

    /// Parses `text`; nil when it is not a duration or is out of range.
    package static func parse(_ text: String) -> Duration? {
        try? parseChecked(text).get()
    }

    /// Parses `text`, telling a malformed duration from one that is out of range.
    package static func parseChecked(_ text: String) -> Result<Duration, Problem> {
        let trimmed = text.trimmingWhitespace().lowercased()
        guard !trimmed.isEmpty else { return .failure(.notADuration) }
        let digits = trimmed.prefix(while: { ("0"..."9").contains($0) || $0 == "." })
        guard let value = Double(digits), value.isFinite, value >= 0 else { return .failure(.notADuration) }
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace()
        let scale: Double
        switch unit {
        case "", "ms": scale = 1
        case "s", "sec", "secs", "second", "seconds": scale = 1000
        case "m", "min", "mins", "minute", "minutes": scale = 60_000
        case "h", "hour", "hours": scale = 3_600_000
        default: return .failure(.notADuration)
        }
        // Compared as a Double before converting: Int64(_:) traps on values it cannot hold.
        let milliseconds = (value * scale).rounded()
        guard milliseconds.isFinite, milliseconds <= Double(maximumMilliseconds) else { return .failure(.outOfRange) }
        return .success(.milliseconds(Int64(milliseconds)))
    }

    /// `milliseconds` as a duration when it is within 0…``maximumMilliseconds``.
    package static func milliseconds(_ milliseconds: Int64) -> Duration? {
        (0...maximumMilliseconds).contains(milliseconds) ? .milliseconds(milliseconds) : nil
    }
}

extension Duration {
    /// Whole milliseconds in this duration, saturating at `Int64.min`/`Int64.max` instead of
    /// trapping for durations that do not fit.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
