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
        for byte in text.utf8 {
            isEmpty = false
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            if byte == 0x30 && !sawOther { leadingZeros += 1 } else { sawOther = true }
        }
        guard !isEmpty else { return nil }
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

    public var description: String { rawValue }

    public static func == (lhs: MigrationID, rhs: MigrationID) -> Bool { lhs.normalized == rhs.normalized }
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    public static func < (lhs: MigrationID, rhs: MigrationID) -> Bool {
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
