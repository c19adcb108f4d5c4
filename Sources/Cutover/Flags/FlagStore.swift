import CutoverCore

/// Reads and writes the `flags` table on one session, in the database's dialect
/// (`Dialect.flags`).
package struct FlagStore {
    let database: any Database
    var sql: FlagsSQL { database.dialect.flags }

    package init(database: any Database) { self.database = database }

    /// Creates the table and its triggers when missing (and Cutover's history, which the
    /// `requires` trigger reads).
    package func prepare() async throws {
        try await database.withSetupTransaction {
            for statement in database.dialect.createHistoryTable + sql.create { try await database.execute(statement) }
        }
    }

    /// Every switch, by name; empty when the table does not exist yet.
    package func all() async throws -> [FeatureFlag] {
        do {
            return try await database.query(
                "SELECT name, CASE WHEN enabled THEN 1 ELSE 0 END AS enabled, requires, percent, \(sql.updatedAtText) AS updated_at, updated_by FROM \(sql.table) ORDER BY name"
            ).map(Self.flag)
        } catch let error as CutoverError where error.sqlState == .undefinedTable || error.message.contains("no such table") {
            return []
        }
    }

    /// Sets a switch, creating it when missing. `requires` and `percent` keep their stored
    /// values when nil (`clearRequires` removes the requirement).
    ///
    /// - Throws: `CutoverError` `.flagRequirementNotMet` when the database's trigger refuses
    ///   to turn the switch on before the migration it requires is applied.
    package func set(
        _ name: String, enabled: Bool, requires: MigrationID?, clearRequires: Bool, percent: Int?, by updatedBy: String
    ) async throws -> FeatureFlag {
        let dialect = database.dialect
        let p = dialect.placeholder
        let requiresValue: SQLValue = requires.map { .text($0.normalized) } ?? .null
        let requiresUpdate = clearRequires ? "NULL" : "COALESCE(excluded.requires, f.requires)"
        let statement = """
            INSERT INTO \(sql.table) AS f (name, enabled, requires, percent, updated_at, updated_by)
            VALUES (\(p(1)), (\(p(2)) = 1), \(p(3)), \(p(4)), \(sql.now), \(p(5)))
            ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled,
                requires = \(requiresUpdate),
                percent = COALESCE(excluded.percent, f.percent),
                updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """
        do {
            try await database.execute(statement, [.text(name), .integer(enabled ? 1 : 0), requiresValue, percent.map { .integer(Int64($0)) } ?? .null, .text(updatedBy)])
        } catch let error as CutoverError where Self.isRequirementRefusal(error) {
            var required = requires?.rawValue
            if required == nil { required = (try? await flag(name))?.requires?.rawValue }
            throw CutoverError(
                .flagRequirementNotMet, "the switch \"\(name)\" requires migration \(required ?? "(unknown)"), which is not applied to this database",
                hint: "apply it first (`cutover migrate`, or `cutover start` for a .yaml migration), then turn the switch on", underlying: error)
        }
        guard let flag = try await flag(name) else {
            throw CutoverError(.ioFailed, "the switch \"\(name)\" was written but cannot be read back")
        }
        return flag
    }

    /// The switch named `name`, or nil.
    package func flag(_ name: String) async throws -> FeatureFlag? {
        try await all().first { $0.name == name }
    }

    /// Removes the switch named `name`; returns whether there was one.
    package func delete(_ name: String) async throws -> Bool {
        guard try await flag(name) != nil else { return false }
        try await database.execute("DELETE FROM \(sql.table) WHERE name = \(database.dialect.placeholder(1))", [.text(name)])
        return true
    }

    /// The trigger's refusal: PostgreSQL's `check_violation` raised by it, SQLite's `RAISE(ABORT, …)` text.
    static func isRequirementRefusal(_ error: CutoverError) -> Bool {
        (error.sqlState == .checkViolation && error.message.contains("requires migration"))
            || error.message.contains("cutover: a switch cannot be turned on")
    }

    static func flag(_ row: Row) -> FeatureFlag {
        FeatureFlag(
            name: row.string("name") ?? "", isEnabled: row.int("enabled") == 1, requires: row.string("requires").flatMap(MigrationID.init),
            percent: row.int("percent"), updatedAt: row.string("updated_at") ?? "", updatedBy: row.string("updated_by") ?? "")
    }
}
