/// One migration file, parsed: its id, name, the statements of its `up` and `down`
/// sections, and the checksum of its content.
///
/// Created by ``MigrationFileParser``; the engine never reads files itself.
public struct Migration: Sendable, Identifiable {
    /// The numeric id from the file name.
    public let id: MigrationID
    /// The descriptive part of the file name (`create_users`).
    public let name: String
    /// The file name (`20261124120000_create_users.sql`), used in messages.
    public let fileName: String
    /// Statements of the `-- cutover:up` section, in order.
    public let up: [SQLStatement]
    /// Statements of the `-- cutover:down` section, in order; nil when the file has no down section.
    public let down: [SQLStatement]?
    /// False when the file carries `-- cutover:no-transaction`: statements then run one by one,
    /// with progress recorded after each.
    public let isTransactional: Bool
    /// SHA-256 of the file with line endings normalised, as lowercase hex.
    public let checksum: String
    /// Lint rule ids silenced by `-- cutover:allow RULE` comments, keyed by the
    /// ``SQLStatement/line`` of the statement directly below them (see ``MigrationFileParser``).
    public let allowances: [Int: Set<String>]

    /// Creates a migration.
    public init(
        id: MigrationID, name: String, fileName: String, up: [SQLStatement], down: [SQLStatement]?,
        isTransactional: Bool, checksum: String, allowances: [Int: Set<String>] = [:]
    ) {
        self.id = id
        self.name = name
        self.fileName = fileName
        self.up = up
        self.down = down
        self.isTransactional = isTransactional
        self.checksum = checksum
        self.allowances = allowances
    }
}

/// One SQL statement cut out of a migration file by ``SQLSplitter``.
public struct SQLStatement: Sendable, Hashable {
    /// The statement text without the terminating semicolon, trimmed.
    public let sql: String
    /// The 1-based line in the file where the statement starts.
    public let line: Int

    /// Creates a statement.
    public init(sql: String, line: Int) {
        self.sql = sql
        self.line = line
    }
}
