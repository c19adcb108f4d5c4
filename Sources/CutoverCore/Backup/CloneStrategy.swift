/// How ``DatabaseCloning/makeClone(of:name:strategy:logger:)`` copies a database. An open set.
///
/// ```swift
/// let clone = try await driver.makeClone(of: url, name: "shop_rehearsal", strategy: .automatic, logger: logger)
/// print(clone.strategy)   // "template" when nobody was connected to shop, else "dump"
/// ```
public struct CloneStrategy: Hashable, Sendable, CustomStringConvertible, Codable {
    /// A stable identifier: `template`, `dump`, `automatic`, `snapshot`.
    public let rawValue: String

    /// Creates a strategy from its identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The identifier.
    public var description: String { rawValue }

    /// PostgreSQL `CREATE DATABASE clone TEMPLATE source`: a file-level copy, fast, but only
    /// possible while no other session is connected to the source.
    public static let template = CloneStrategy("template")
    /// PostgreSQL `pg_dump | pg_restore` into a new database: slower, safe while the
    /// application is live (it reads one consistent snapshot and blocks no writer).
    public static let dump = CloneStrategy("dump")
    /// ``template`` when no other session is connected to the source, else ``dump``.
    public static let automatic = CloneStrategy("automatic")
    /// SQLite `VACUUM INTO`: a consistent copy while writers continue. Reported for every
    /// SQLite clone whatever was asked.
    public static let snapshot = CloneStrategy("snapshot")

    /// The strategies a caller may ask for, by identifier (for parsing `--strategy`).
    public static let requestable: [CloneStrategy] = [.template, .dump, .automatic]

    /// Decodes the identifier from a string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the identifier as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A database made by ``DatabaseCloning/makeClone(of:name:strategy:logger:)``.
public struct DatabaseClone: Sendable, Hashable {
    /// Where the clone is; open it with the same driver. Keeps the source's credentials.
    public var url: DatabaseURL
    /// The strategy actually used (``CloneStrategy/automatic`` resolves to one of the others).
    public var strategy: CloneStrategy
    /// How long the copy took.
    public var duration: Duration

    /// Creates a clone description.
    public init(url: DatabaseURL, strategy: CloneStrategy, duration: Duration) {
        self.url = url
        self.strategy = strategy
        self.duration = duration
    }
}
