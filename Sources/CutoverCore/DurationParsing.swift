/// Parses the durations used in `cutover.toml`: `"2s"`, `"500ms"`, `"1min"`, `"1h"`, `"0"`.
///
/// A bare number means milliseconds, as in PostgreSQL's `lock_timeout`. `"0"` means
/// "no limit" and parses to `.zero`.
public enum DurationParser {
    /// Parses `text`; returns nil when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace().lowercased()
        guard !trimmed.isEmpty else { return nil }
        let digits = trimmed.prefix(while: { $0.isNumber || $0 == "." })
        guard let value = Double(digits), value >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace()
        let milliseconds: Double
        switch unit {
        case "", "ms": milliseconds = value
        case "s", "sec", "secs", "second", "seconds": milliseconds = value * 1000
        case "m", "min", "mins", "minute", "minutes": milliseconds = value * 60_000
        case "h", "hour", "hours": milliseconds = value * 3_600_000
        default: return nil
        }
        return .milliseconds(Int64(milliseconds.rounded()))
    }
}

extension Duration {
    /// Whole milliseconds in this duration.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
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
