extension DurationParser {
    /// Parses an age for retention (`--older-than 30d`): what ``parse(_:)`` accepts, and
    /// whole days (`d`, `day`, `days`) or weeks (`w`, `week`, `weeks`) beyond its 24-day
    /// limit, which concerns timeouts, not ages. Returns nil for anything else.
    ///
    /// ```swift
    /// DurationParser.parseAge("30d")   // .seconds(2_592_000)
    /// ```
    package static func parseAge(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace().lowercased()
        let digits = trimmed.prefix(while: { ("0"..."9").contains($0) || $0 == "." })
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace()
        let days: Double
        switch unit {
        case "d", "day", "days": days = 1
        case "w", "week", "weeks": days = 7
        default: return parse(text)
        }
        guard let value = Double(digits), value.isFinite, value >= 0, value * days <= 36_500 else { return nil }
        return .seconds(Int64((value * days * 86_400).rounded()))
    }
}
