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
    /// Set when the file is not written yet: `migrate` stops before it, `status` lists it as
    /// `draft`. See ``Draft``.
    public let draft: Draft?
    /// True when the down section is marked `-- cutover:down empty`: rolling back runs
    /// nothing, on purpose (the up section's change may stay).
    public let isDownEmptyByIntent: Bool
    /// The 1-based line of `-- cutover:up`, nil when the file has no such marker.
    public let upMarkerLine: Int?
    /// The 1-based line of `-- cutover:down`, nil when the file has no down section.
    public let downMarkerLine: Int?
    /// For a migration registered in Swift (``registered(_:_:)``), its code, run in the
    /// migration's transaction; nil for a file.
    public let body: MigrationBody?

    /// Why a migration file is a draft, and where.
    ///
    /// `cutover new` writes `-- cutover:draft` at the top of a new file; the user deletes
    /// that line once the migration is written. A file whose up section is blank (no
    /// statement and no comment, as older versions of `cutover new` wrote it) is a draft too:
    /// a migration that is meant to run nothing says why in a comment.
    public struct Draft: Sendable, Hashable {
        /// The 1-based line of `-- cutover:draft`, or of `-- cutover:up` (1 without it)
        /// for a blank up section.
        public var line: Int
        /// True for a `-- cutover:draft` marker; false for a blank up section.
        public var isMarked: Bool

        /// Creates a draft description.
        public init(line: Int, isMarked: Bool) {
            self.line = line
            self.isMarked = isMarked
        }

        /// What to do about it, for messages.
        public var fix: String {
            isMarked
                ? "finish the migration and delete the `-- cutover:draft` line (line \(line))"
                : "write the statements below `-- cutover:up`, or, for a migration that intentionally runs nothing, a comment saying why"
        }
    }

    /// Creates a migration.
    public init(
        id: MigrationID, name: String, fileName: String, up: [SQLStatement], down: [SQLStatement]?,
        isTransactional: Bool, checksum: String, allowances: [Int: Set<String>] = [:],
        draft: Draft? = nil, isDownEmptyByIntent: Bool = false, upMarkerLine: Int? = nil, downMarkerLine: Int? = nil,
        body: MigrationBody? = nil
    ) {
        self.id = id
        self.name = name
        self.fileName = fileName
        self.up = up
        self.down = down
        self.isTransactional = isTransactional
        self.checksum = checksum
        self.allowances = allowances
        self.draft = draft
        self.isDownEmptyByIntent = isDownEmptyByIntent
        self.upMarkerLine = upMarkerLine
        self.downMarkerLine = downMarkerLine
        self.body = body
    }

    /// The same migration under another file name (a path for messages).
    public func renamed(to fileName: String) -> Migration {
        Migration(
            id: id, name: name, fileName: fileName, up: up, down: down, isTransactional: isTransactional, checksum: checksum,
            allowances: allowances, draft: draft, isDownEmptyByIntent: isDownEmptyByIntent,
            upMarkerLine: upMarkerLine, downMarkerLine: downMarkerLine, body: body)
    }

    /// A written migration whose up section holds no statement (only comments): applying it
    /// runs nothing and records it as applied.
    public var isNoOp: Bool { draft == nil && up.isEmpty && body == nil }

    /// True when the down section has no statements, though the up section runs some, and
    /// the file does not say `-- cutover:down empty`: `rollback` refuses such a migration,
    /// since it would report success while the up section's change stays.
    public var hasUnmarkedEmptyDown: Bool {
        draft == nil && !up.isEmpty && down?.isEmpty == true && !isDownEmptyByIntent
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
