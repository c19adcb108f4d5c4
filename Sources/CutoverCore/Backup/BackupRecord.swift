/// One backup in the catalog (`<backup dir>/catalog.json`): where the file is, what it
/// holds and how to check it.
///
/// ```json
/// {
///   "id": "20261124T201500Z-production",
///   "env": "production",
///   "database": "postgres://app:***@db.internal/shop",
///   "created_at": "2026-11-24T20:15:00.123Z",
///   "file": "20261124T201500Z-production.dump",
///   "size_bytes": 1048576,
///   "sha256": "…",
///   "last_migration": "20261124120000",
///   …
/// }
/// ```
///
/// Passwords never reach the catalog: ``database`` is the redacted URL.
public struct BackupRecord: Sendable, Equatable, Codable {
    /// `<UTC time>-<env>`, e.g. `20261124T201500Z-production` (a `-2`, `-3`, … suffix when
    /// two backups start in the same second).
    public var id: String
    /// The environment the backup was taken of.
    public var env: String
    /// The database's URL, password replaced by `***`.
    public var database: String
    /// When the backup started, ISO-8601 UTC with milliseconds.
    public var createdAt: String
    /// Why it was taken: `manual`, `before migrate`, `after migrate`, `before restore of ID`.
    public var reason: String
    /// The file name, relative to the catalog's folder.
    public var file: String
    /// ``BackupFormat/name`` of the driver that wrote it.
    public var format: String
    /// The file's size.
    public var sizeBytes: Int64
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// How long taking the backup took, hashing included.
    public var durationMilliseconds: Int
    /// The newest migration applied when the snapshot was taken; nil before any.
    public var lastMigration: String?
    /// The version of Cutover that took it.
    public var toolVersion: String
    /// The program that wrote the file (``BackupFileInfo/tool``).
    public var dumpTool: String
    /// The server or library version of the database.
    public var serverVersion: String?
    /// SHA-256 of the normalised schema (``ContentsSummary/schemaChecksum``).
    public var schemaSHA256: String
    /// Rows per table at the snapshot.
    public var rowCounts: [String: Int]
    /// ``BackupFileInfo/properties``, handed back to the driver on restore.
    public var properties: [String: String]
    /// When `cutover backup verify` last restored it and found it matching; nil if never.
    public var verifiedAt: String?
    /// The first problem the last failed verification found; nil after a successful one.
    public var verificationError: String?

    /// Creates a record.
    public init(
        id: String, env: String, database: String, createdAt: String, reason: String, file: String, format: String,
        sizeBytes: Int64, sha256: String, durationMilliseconds: Int, lastMigration: String?, toolVersion: String,
        dumpTool: String, serverVersion: String?, schemaSHA256: String, rowCounts: [String: Int],
        properties: [String: String] = [:], verifiedAt: String? = nil, verificationError: String? = nil
    ) {
        self.id = id
        self.env = env
        self.database = database
        self.createdAt = createdAt
        self.reason = reason
        self.file = file
        self.format = format
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.durationMilliseconds = durationMilliseconds
        self.lastMigration = lastMigration
        self.toolVersion = toolVersion
        self.dumpTool = dumpTool
        self.serverVersion = serverVersion
        self.schemaSHA256 = schemaSHA256
        self.rowCounts = rowCounts
        self.properties = properties
        self.verifiedAt = verifiedAt
        self.verificationError = verificationError
    }

    /// Whether a verification succeeded.
    public var isVerified: Bool { verifiedAt != nil }

    /// Rows in all tables.
    public var totalRows: Int { rowCounts.values.reduce(0, +) }

    enum CodingKeys: String, CodingKey {
        case id, env, database, reason, file, format, sha256, properties
        case createdAt = "created_at"
        case sizeBytes = "size_bytes"
        case durationMilliseconds = "duration_ms"
        case lastMigration = "last_migration"
        case toolVersion = "tool_version"
        case dumpTool = "dump_tool"
        case serverVersion = "server_version"
        case schemaSHA256 = "schema_sha256"
        case rowCounts = "row_counts"
        case verifiedAt = "verified_at"
        case verificationError = "verification_error"
    }

    /// Encodes every key, optional ones as `null`.
    public func encode(to encoder: any Encoder) throws {
        // Optional keys are written as null rather than left out, so the catalog reads the
        // same for every backup.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(env, forKey: .env)
        try container.encode(database, forKey: .database)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(reason, forKey: .reason)
        try container.encode(file, forKey: .file)
        try container.encode(format, forKey: .format)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(durationMilliseconds, forKey: .durationMilliseconds)
        try container.encode(lastMigration, forKey: .lastMigration)
        try container.encode(toolVersion, forKey: .toolVersion)
        try container.encode(dumpTool, forKey: .dumpTool)
        try container.encode(serverVersion, forKey: .serverVersion)
        try container.encode(schemaSHA256, forKey: .schemaSHA256)
        try container.encode(rowCounts, forKey: .rowCounts)
        try container.encode(properties, forKey: .properties)
        try container.encode(verifiedAt, forKey: .verifiedAt)
        try container.encode(verificationError, forKey: .verificationError)
    }
}

/// The contents of `catalog.json`: every backup in one folder, oldest first.
public struct BackupCatalog: Sendable, Equatable, Codable {
    /// The layout version of the file; 1.
    public var formatVersion: Int
    /// The backups, oldest first.
    public var backups: [BackupRecord]

    /// Creates a catalog.
    public init(backups: [BackupRecord] = []) {
        formatVersion = 1
        self.backups = backups
    }

    /// The backup with `id`, or the only one whose id starts with `id`; with `env`, only
    /// among that environment's backups, so a short id never reaches another environment's.
    ///
    /// - Parameters:
    ///   - id: a full id or an unambiguous prefix.
    ///   - env: the environment the backup must be of; nil accepts any.
    /// - Returns: the record.
    /// - Throws: ``CutoverError`` `.invalidArgument` naming the known ids, or the environment
    ///   a full id belongs to.
    public func record(_ id: String, env: String? = nil) throws -> BackupRecord {
        let candidates = env.map { env in backups.filter { $0.env == env } } ?? backups
        if let exact = candidates.first(where: { $0.id == id }) { return exact }
        if let env, let other = backups.first(where: { $0.id == id }) {
            throw CutoverError(
                .invalidArgument, "backup \(id) is a backup of env \(other.env), not of \(env)",
                hint: "pass --env \(other.env) to restore or verify it there; `cutover backups --env \(env)` lists the backups of \(env)")
        }
        let matches = id.isEmpty ? [] : candidates.filter { $0.id.hasPrefix(id) }
        if matches.count == 1 { return matches[0] }
        let scope = env.map { " of env \($0)" } ?? ""
        let hint = matches.count > 1
            ? "'\(id)' matches \(matches.count) backups\(scope) (\(matches.prefix(3).map(\.id).joined(separator: ", "))…); give more of the id"
            : candidates.isEmpty ? "no backups\(scope) yet; take one with `cutover backup`" : "see `cutover backups` for the ids"
        throw CutoverError(.invalidArgument, "no backup\(scope) has the id '\(id)'", hint: hint)
    }

    /// The backups of one environment, newest first.
    public func backups(of env: String) -> [BackupRecord] {
        backups.filter { $0.env == env }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// An id for a backup of `env` started at `timestamp` (`20261124T201500Z`), unique in
    /// this catalog.
    public func newID(timestamp: String, env: String) -> String {
        let safeEnv = String(env.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") ? $0 : "_" })
        let base = "\(timestamp)-\(safeEnv.isEmpty ? "db" : safeEnv)"
        var candidate = base
        var counter = 2
        while backups.contains(where: { $0.id == candidate }) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case backups
    }
}

/// Which old backups `keep = N` may remove.
///
/// Backups beyond the newest `keep` of an environment are removed only when a newer backup
/// of that environment has been verified: an unverified backup is not trusted to replace
/// the ones before it, so the newest verified backup is never removed.
///
/// ```swift
/// let plan = BackupRetention(keep: 5).plan(catalog.backups(of: "production"))
/// for record in plan.remove { try FileManager.default.removeItem(atPath: dir + "/" + record.file) }
/// ```
public struct BackupRetention: Sendable, Equatable {
    /// How many of the newest backups to keep regardless of verification.
    public var keep: Int

    /// Creates a rule.
    /// - Precondition: `keep` ≥ 1.
    public init(keep: Int) {
        precondition(keep >= 1, "keep must be at least 1")
        self.keep = keep
    }

    /// What to remove and what to hold back.
    public struct Plan: Sendable, Equatable {
        /// Backups beyond `keep` with a verified newer one: safe to delete.
        public var remove: [BackupRecord]
        /// Backups beyond `keep` kept because no newer backup is verified.
        public var heldBack: [BackupRecord]
    }

    /// Decides, for the backups of one environment.
    ///
    /// - Parameter backups: the backups of one environment, in any order.
    /// - Returns: the plan; backups within the newest `keep` appear in neither list.
    public func plan(_ backups: [BackupRecord]) -> Plan {
        let newestFirst = backups.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        var plan = Plan(remove: [], heldBack: [])
        var newerVerified = false
        for (index, record) in newestFirst.enumerated() {
            if index >= keep {
                if newerVerified { plan.remove.append(record) } else { plan.heldBack.append(record) }
            }
            if record.isVerified { newerVerified = true }
        }
        return plan
    }
}
