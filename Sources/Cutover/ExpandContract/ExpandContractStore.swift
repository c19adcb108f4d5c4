import CutoverCore
import Foundation

/// Reads and writes `cutover.expand_contract` (one row per expand/contract migration) and
/// `cutover.backfills` (one row per table a migration backfills). PostgreSQL only: SQLite
/// applies operations at once and keeps no phases.
struct ExpandContractStore {
    let database: any Database

    static let createTables = [
        "CREATE SCHEMA IF NOT EXISTS cutover",
        """
        CREATE TABLE IF NOT EXISTS cutover.expand_contract (
            id text PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            phase text NOT NULL,
            schema_name text NOT NULL,
            version_schema text NOT NULL,
            plan text NOT NULL,
            actions_done integer NOT NULL DEFAULT 0,
            run_by text NOT NULL DEFAULT 'start',
            started_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            started_by text,
            revertible_until timestamptz,
            chain text
        )
        """,
        // Tables made before the revert window and chains existed.
        "ALTER TABLE cutover.expand_contract ADD COLUMN IF NOT EXISTS revertible_until timestamptz",
        "ALTER TABLE cutover.expand_contract ADD COLUMN IF NOT EXISTS chain text",
        """
        CREATE TABLE IF NOT EXISTS cutover.backfills (
            migration_id text NOT NULL,
            table_name text NOT NULL,
            key_columns text NOT NULL,
            last_key text,
            high_water text,
            rows_done bigint NOT NULL DEFAULT 0,
            rows_total bigint,
            state text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (migration_id, table_name)
        )
        """,
    ]

    /// Creates the tables when missing (and adds columns later versions need).
    func prepare() async throws {
        let present = try await database.query(
            """
            SELECT count(*)::int AS n FROM pg_attribute
            WHERE attrelid = to_regclass('cutover.expand_contract') AND attname = 'chain' AND NOT attisdropped
            """)
        // Nothing to create: skip the ALTER, which would lock the table on every run.
        guard present.first?.int("n") != 1 else { return }
        for statement in Self.createTables { try await database.execute(statement) }
    }

    /// Every migration's row, in id order (the tables need not exist).
    func records() async throws -> [ExpandContractRecord] {
        let exists = try await database.query(
            """
            SELECT (to_regclass('cutover.expand_contract') IS NOT NULL)::int AS present,
                   (SELECT count(*)::int FROM pg_attribute WHERE attrelid = to_regclass('cutover.expand_contract') AND attname = 'chain') AS has_window
            """)
        guard exists.first?.int("present") == 1 else { return [] }
        // A table made before the revert window and chains existed lacks their columns until the next phase runs.
        let window = exists.first?.int("has_window") == 1
            ? "extract(epoch FROM revertible_until)::float8::text AS revertible_until, (revertible_until <= now())::int AS window_ended, chain"
            : "NULL::text AS revertible_until, 0 AS window_ended, NULL::text AS chain"
        let rows = try await database.query(
            "SELECT id, name, checksum, phase, schema_name, version_schema, plan, actions_done, run_by, \(window) FROM cutover.expand_contract ORDER BY id")
        return try rows.map(Self.record)
    }

    /// Each migration's backfills (by migration id), in table order.
    func backfills() async throws -> [String: [BackfillStatus]] {
        let rows = try await database.query(
            "SELECT migration_id, table_name, rows_done, rows_total, state FROM cutover.backfills ORDER BY migration_id, table_name")
        var result: [String: [BackfillStatus]] = [:]
        for row in rows {
            let status = BackfillStatus(
                table: row.string("table_name") ?? "", rowsDone: row.int("rows_done") ?? 0, rowsTotal: row.int("rows_total"), isDone: row.string("state") == "done")
            result[row.string("migration_id") ?? "", default: []].append(status)
        }
        return result
    }

    /// The row of `id`, or nil.
    func record(_ id: MigrationID) async throws -> ExpandContractRecord? {
        try await records().first { $0.id == id }
    }

    /// Inserts or replaces the row of a migration that starts (again, after an abort).
    func begin(_ record: ExpandContractRecord) async throws {
        let plan = String(decoding: try JSONEncoder().encode(record.plan), as: UTF8.self)
        try await database.execute(
            """
            WITH changed AS (
            INSERT INTO cutover.expand_contract (id, name, checksum, phase, schema_name, version_schema, plan, actions_done, run_by, started_by, chain)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, current_user || '@' || coalesce(inet_client_addr()::text, 'local'), $9)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, phase = EXCLUDED.phase,
                schema_name = EXCLUDED.schema_name, version_schema = EXCLUDED.version_schema, plan = EXCLUDED.plan,
                actions_done = 0, run_by = EXCLUDED.run_by, started_at = now(), updated_at = now(), started_by = EXCLUDED.started_by,
                revertible_until = NULL
            RETURNING id, phase) \(Self.notifyChanged)
            """,
            [.text(record.id.normalized), .text(record.name), .text(record.checksum), .text(record.phase.rawValue), .text(record.schema),
             .text(record.versionSchema), .text(plan), .text(record.runBy.rawValue),
             record.chain.isEmpty ? .null : .text(record.chain.map(\.normalized).joined(separator: ","))])
    }

    /// The statement that records `done` actions of the current phase: run in the same
    /// transaction as the action, so progress and work commit together.
    static let recordProgress = "UPDATE cutover.expand_contract SET actions_done = $2, updated_at = now() WHERE id = $1"

    /// Records `done` actions of the current phase.
    func setActionsDone(_ id: MigrationID, _ done: Int) async throws {
        try await database.execute(Self.recordProgress, [.text(id.normalized), .integer(done)])
    }

    /// Sends a schema-change notice (``SchemaChangeNotice``) per row of the `changed` CTE
    /// (`id`, `phase`): delivered when the phase change commits, so app nodes listening on
    /// `cutover_schema` learn at once that a migration was started, completed, aborted or reverted.
    private static let notifyChanged = "SELECT pg_catalog.pg_notify('\(SchemaChangeNotice.channel)', id || ':' || phase) FROM changed"

    /// The rows of migration `$1` and of the migrations of its chain, whose phases follow it.
    private static let leaderAndFollowers = "id = $1 OR $1 = ANY(string_to_array(chain, ','))"

    /// The row holding the plan for `id`: its own, or its chain's leader's.
    func leaderRecord(_ id: MigrationID) async throws -> ExpandContractRecord? {
        let records = try await records()
        guard let record = records.first(where: { $0.id == id }) else { return nil }
        return records.first { $0.id == record.leaderID } ?? record
    }

    /// Moves the migration to `phase`, with no action of it done yet (or all, for an end phase).
    func setPhase(_ id: MigrationID, _ phase: ExpandContractPhase, actionsDone: Int = 0) async throws {
        try await database.execute(
            """
            WITH changed AS (UPDATE cutover.expand_contract SET phase = $2, actions_done = $3, updated_at = now() WHERE \(Self.leaderAndFollowers)
            RETURNING id, phase) \(Self.notifyChanged)
            """,
            [.text(id.normalized), .text(phase.rawValue), .integer(actionsDone)])
    }

    /// Moves an expanded migration to ``ExpandContractPhase/revertible`` until `window` from
    /// now (the database's clock).
    func setRevertible(_ id: MigrationID, window: Duration) async throws {
        let milliseconds = window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000
        try await database.execute(
            """
            WITH changed AS (UPDATE cutover.expand_contract SET phase = $2, actions_done = 0, updated_at = now(),
                revertible_until = now() + make_interval(secs => $3::float8 / 1000) WHERE \(Self.leaderAndFollowers)
            RETURNING id, phase) \(Self.notifyChanged)
            """,
            [.text(id.normalized), .text(ExpandContractPhase.revertible.rawValue), .integer(Int(milliseconds))])
    }

    private static func record(_ row: Row) throws -> ExpandContractRecord {
        guard let idText = row.string("id"), let id = MigrationID(idText), let planText = row.string("plan") else {
            throw CutoverError(.statementFailed, "cutover.expand_contract holds a row that cannot be read", hint: "check the table by hand")
        }
        let plan = try JSONDecoder().decode(ExpandContractRecord.StoredPlan.self, from: Data(planText.utf8))
        return ExpandContractRecord(
            id: id, name: row.string("name") ?? "", checksum: row.string("checksum") ?? "", phase: ExpandContractPhase(row.string("phase") ?? ""),
            schema: row.string("schema_name") ?? "public", versionSchema: row.string("version_schema") ?? "", plan: plan,
            actionsDone: row.int("actions_done") ?? 0, runBy: ExpandContractRecord.RunBy(rawValue: row.string("run_by") ?? "") ?? .start,
            revertibleUntil: row.string("revertible_until").flatMap(Double.init).map { Date(timeIntervalSince1970: $0) },
            chain: (row.string("chain") ?? "").split(separator: ",").compactMap { MigrationID(String($0)) },
            revertWindowEnded: row.int("window_ended") == 1)
    }
}
