import Crypto

/// The Swift code of a migration registered in the application rather than written as a
/// file (`Deployment.registerMigration(_:_:)`): it runs in the migration's transaction, on
/// the session that records the migration, so the change and its history row commit
/// together or not at all.
public struct MigrationBody: Sendable {
    /// The code: it receives the session of the run (its statements are in the migration's
    /// transaction; it must not commit or roll back).
    public let run: @Sendable (any Database) async throws -> Void

    /// Wraps `run`.
    public init(_ run: @escaping @Sendable (any Database) async throws -> Void) {
        self.run = run
    }
}

extension Migration {
    /// The prefix of the checksum recorded for a migration registered in Swift: its code
    /// cannot be hashed, so the checksum is that of its identifier, marked so that a history
    /// row without a file can be told apart from one whose file is gone.
    public static let registeredChecksumPrefix = "swift:"

    /// A migration registered in Swift: `identifier` is written as a file name would be
    /// without its extension (`20261124120000_add_phone`: id, underscore, name).
    ///
    /// ```swift
    /// let migration = try Migration.registered("20261124120000_add_phone") { db in
    ///     try await db.execute("ALTER TABLE users ADD COLUMN phone text")
    /// }
    /// ```
    ///
    /// - Throws: `CutoverError` `.invalidMigration` when `identifier` is not `<digits>_<name>`.
    public static func registered(_ identifier: String, _ body: MigrationBody) throws -> Migration {
        guard let (id, name) = MigrationFileParser.parseFileName(identifier + ".sql") else {
            throw CutoverError(
                .invalidMigration, "'\(identifier)' is not a migration identifier",
                hint: "write it as a file name without .sql: digits, an underscore and a name of letters, digits and underscores (e.g. 20261124120000_add_phone)")
        }
        return Migration(
            id: id, name: name, fileName: "\(identifier) (registered in Swift)", up: [], down: nil, isTransactional: true,
            checksum: registeredChecksumPrefix + SHA256.hex(identifier.utf8), body: body)
    }

    /// True for a migration registered in Swift (``body`` is set).
    public var isRegistered: Bool { body != nil }
}

extension HistoryRecord {
    /// True when the row was written by a migration registered in Swift (its checksum has
    /// ``Migration/registeredChecksumPrefix``): a row without a file is then expected.
    public var isRegistered: Bool { checksum.hasPrefix(Migration.registeredChecksumPrefix) }
}
