/// Sizes as `cutover.toml` writes them (`[safety] small_table = "10MB"`) and as messages
/// show them (`8 kB`), with PostgreSQL's units: powers of 1024, `B`, `kB`, `MB`, `GB`, `TB`
/// (https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES).
///
/// ```swift
/// ByteSize.parse("10MB")         // 10_485_760
/// ByteSize.formatted(8192)       // "8 kB"
/// ```
public enum ByteSize {
    private static let units: [(name: String, bytes: Int64)] = [
        ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10),
    ]

    /// Parses `10MB`, `512 kB`, `1.5GB`, `0` or a plain number of bytes; units are read
    /// case-insensitively and `KiB`-style spellings are accepted.
    /// - Returns: The size in bytes, or nil for text that is not a size (or above 8 EB).
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { ("0"..."9").contains($0) || $0 == "." }
        guard !digits.isEmpty, let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace().lowercased()
        let scale: Int64
        switch unit {
        case "", "b", "byte", "bytes": scale = 1
        case "k", "kb", "kib": scale = 1 << 10
        case "m", "mb", "mib": scale = 1 << 20
        case "g", "gb", "gib": scale = 1 << 30
        case "t", "tb", "tib": scale = 1 << 40
        default: return nil
        }
        let bytes = (value * Double(scale)).rounded()
        guard bytes < Double(Int64.max) else { return nil }
        return Int64(bytes)
    }

    /// Bytes below 1 kB (`512 bytes`), else the largest unit with at most one decimal:
    /// `8 kB`, `1.5 MB`.
    public static func formatted(_ bytes: Int64) -> String {
        for unit in units where bytes >= unit.bytes {
            let value = Double(bytes) / Double(unit.bytes)
            let rounded = (value * 10).rounded() / 10
            let text = rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
            return "\(text) \(unit.name)"
        }
        return "\(bytes) byte\(bytes == 1 ? "" : "s")"
    }
}
