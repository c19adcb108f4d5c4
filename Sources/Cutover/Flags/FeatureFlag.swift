import CutoverCore

/// One run-time switch, as the `flags` table holds it.
///
/// A switch is off until set on. With ``percent`` it is on for that stable share of keys
/// (``isEnabled(for:)``); with ``requires`` it cannot be turned on before that migration is
/// applied to the database (a trigger on the table enforces it, whoever writes the row).
public struct FeatureFlag: Sendable, Hashable, Codable {
    /// The switch's name (`new_checkout`).
    public var name: String
    /// Whether it is on.
    public var isEnabled: Bool
    /// The migration that must be applied before it can be turned on, or nil.
    public var requires: MigrationID?
    /// The share of keys (0–100) it is on for, or nil for all of them.
    public var percent: Int?
    /// When it was last changed (ISO 8601, UTC), as the database's clock read it.
    public var updatedAt: String
    /// Who changed it last (`user@host` for the CLI).
    public var updatedBy: String

    /// The built-in switch `cutover maintenance on|off` and `migrate --strategy swap` set, read
    /// like any other so that applications can serve a read-only page meanwhile.
    public static let maintenance = "maintenance"

    /// Creates a switch value.
    public init(name: String, isEnabled: Bool, requires: MigrationID? = nil, percent: Int? = nil, updatedAt: String = "", updatedBy: String = "") {
        self.name = name
        self.isEnabled = isEnabled
        self.requires = requires
        self.percent = percent
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }

    /// Whether the switch is on for `key` (a user id, a tenant): off when the switch is off,
    /// on for every key without ``percent``, else on for a stable ``percent`` share of keys —
    /// the same keys on every node and after every restart (``FlagRollout``).
    public func isEnabled(for key: some StringProtocol) -> Bool {
        guard isEnabled else { return false }
        guard let percent else { return true }
        return FlagRollout.bucket(flag: name, key: key) < percent
    }

    enum CodingKeys: String, CodingKey {
        case name, isEnabled = "enabled", requires, percent, updatedAt = "updated_at", updatedBy = "updated_by"
    }
}

/// The stable bucket (0–99) of a key for a switch: FNV-1a (64 bits) of `flag`, a NUL and `key`,
/// modulo 100. Not Swift's `Hasher`, which is seeded per process: a key must land in the same
/// bucket on every node. The switch's name is part of the input, so the 10 % of one switch are
/// not the 10 % of every other.
public enum FlagRollout {
    /// The bucket of `key` for the switch `flag`.
    public static func bucket(flag: some StringProtocol, key: some StringProtocol) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        for byte in flag.utf8 { mix(byte) }
        mix(0)
        for byte in key.utf8 { mix(byte) }
        return Int(hash % 100)
    }
}
