/// The numeric id that leads a migration file name (`20261124120000_create_users.sql`).
///
/// Ids compare by numeric value, never lexically: `10` comes after `9`, and leading zeros
/// do not matter (`007` equals `7`). Any number of digits is allowed.
///
/// ```swift
/// MigrationID("9")! < MigrationID("10")!   // true
/// ```
public struct MigrationID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The digits as written in the file name (leading zeros kept for display).
    public let rawValue: String
    /// The digits without leading zeros, used for comparison and storage.
    public let normalized: String
    /// The value, when it fits in 64 bits (up to 19 digits: every timestamp id): compared
    /// and hashed instead of the text, as ids are on every command, a thousand at a time.
    package let value: UInt64?

    /// Creates an id from a string of ASCII digits; returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        self.init(String(text))
    }

    /// Creates an id from a string of ASCII digits; returns nil for anything else. (The
    /// `String` form works on its UTF-8 bytes: ids are read for every file and history row.)
    public init?(_ text: String) {
        var leadingZeros = 0
        var sawOther = false
        var isEmpty = true
        var number: UInt64 = 0
        var significantDigits = 0
        for byte in text.utf8 {
            isEmpty = false
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            if byte == 0x30 && !sawOther { leadingZeros += 1 } else { sawOther = true }
            if sawOther {
                significantDigits += 1
                if significantDigits <= 19 { number = number &* 10 &+ UInt64(byte - 0x30) }
            }
        }
        guard !isEmpty else { return nil }
        value = significantDigits <= 19 ? number : nil
        rawValue = text
        if leadingZeros == 0 {
            normalized = text
        } else if !sawOther {
            normalized = "0"
        } else {
            let utf8 = text.utf8
            normalized = String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: leadingZeros)...], as: UTF8.self)
        }
    }

    /// The digits as written in the file name (``rawValue``).
    public var description: String { rawValue }

    public static func == (lhs: MigrationID, rhs: MigrationID) -> Bool {
        if let left = lhs.value, let right = rhs.value { return left == right }
        return lhs.normalized == rhs.normalized
    }

    public func hash(into hasher: inout Hasher) {
        // Equal ids are both short or both long (their normalized digits are the same).
        if let value { hasher.combine(value) } else { hasher.combine(normalized) }
    }

    public static func < (lhs: MigrationID, rhs: MigrationID) -> Bool {
        if let left = lhs.value, let right = rhs.value { return left < right }
        if lhs.normalized.utf8.count != rhs.normalized.utf8.count {
            return lhs.normalized.utf8.count < rhs.normalized.utf8.count
        }
        // Equal-length digit strings: byte order is numeric order (and much cheaper than
        // String's Unicode-aware comparison).
        return lhs.normalized.precedesBytewise(rhs.normalized)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = MigrationID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a migration id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
