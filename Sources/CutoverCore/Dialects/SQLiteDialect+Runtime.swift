extension SQLiteDialect {
    /// `cutover_flags`, with triggers that refuse to enable a switch before the migration it
    /// requires is applied (in `cutover_history`, where `.yaml` migrations are recorded too).
    /// SQLite's `RAISE` takes a constant message, so it cannot name the switch.
    public var flags: FlagsSQL {
        let requirement = { (event: String) in
            """
            CREATE TRIGGER IF NOT EXISTS cutover_flags_require_migration_\(event.lowercased()) BEFORE \(event) ON cutover_flags
            WHEN NEW.enabled AND NEW.requires IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cutover_history WHERE id = NEW.requires AND phase = 'applied')
            BEGIN
              SELECT RAISE(ABORT, 'cutover: a switch cannot be turned on before the migration it requires is applied to this database');
            END
            """
        }
        return FlagsSQL(
            table: "cutover_flags",
            create: [
                """
                CREATE TABLE IF NOT EXISTS cutover_flags (
                    name TEXT PRIMARY KEY CHECK (name <> ''),
                    enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
                    requires TEXT,
                    percent INTEGER CHECK (percent BETWEEN 0 AND 100),
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                    updated_by TEXT NOT NULL DEFAULT ''
                )
                """,
                requirement("INSERT"),
                requirement("UPDATE"),
            ],
            now: "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            updatedAtText: "updated_at")
    }
}

extension SQLiteDialect {
    public func rowFingerprint(_ columns: [String]) -> String {
        columns.isEmpty ? "''" : columns.map { "quote(\($0))" }.joined(separator: " || ',' || ")
    }
}
