import CutoverCore
import CutoverOperations
import Foundation

/// Planning an expand/contract migration's start, shared by `start` and by what shows a plan
/// without running it (`cutover plan`, `migrate --dry-run`): the chain of pending migrations
/// started with it, the migrations in flight it layers on, the shape and version schema it
/// plans against.
extension Deployment {
    /// The plan `start` of `id` would run now, as the row it would store; for a migration
    /// already started, the plan it stored. Runs nothing and takes no lock.
    ///
    /// - Parameters:
    ///   - id: the migration (its `.yaml` file in the migrations folder).
    ///   - schema: the schema holding the tables.
    /// - Returns: the row, with ``ExpandContractRecord/plan`` and ``ExpandContractRecord/chain``;
    ///   its phase is `pending` when the migration has not started.
    /// - Throws: as ``startExpandContract(_:schema:backfill:enforcesLint:events:)`` would before running anything.
    public func planExpandContract(_ id: MigrationID, schema: String = "public") async throws -> ExpandContractRecord {
        _ = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        return try await withSession { database in
            guard database.dialect.name == PostgresDialect().name else {
                throw CutoverError(
                    .invalidArgument, "expand/contract migrations are planned for PostgreSQL only in this version",
                    hint: "on SQLite, write the change as a .sql migration")
            }
            let records = try await ExpandContractStore(database: database).records()
            if let own = records.first(where: { $0.id == id }), !own.phase.isUndone {
                return records.first { $0.id == own.leaderID } ?? own
            }
            var planned = try await plannedStart(id, schema: schema, runBy: .start, records: records, database: database)
            planned.phase = ExpandContractPhase("pending")
            return planned
        }
    }

    /// Plans the start of `id` (and the pending migrations right before it, as a chain) on
    /// top of what is in flight; the row to store, phase `expanding`.
    func plannedStart(
        _ id: MigrationID, schema: String, runBy: ExpandContractRecord.RunBy, records: [ExpandContractRecord], database: any Database
    ) async throws -> ExpandContractRecord {
        let file = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
        let chain = try pendingChain(endingAt: id, records: records)
        let chainFile = try ExpandContractFile.load(chain: chain, folder: config.migrationsDirectory)
        // Migrations in flight (their leaders): a new one layers its version on top of the
        // latest, when it changes other tables.
        let inFlight = records.filter { $0.isInFlightLeader && !chain.contains($0.id) }
        try Self.requireCanLayer(id, on: inFlight)
        let latest = inFlight.last
        let previous = latest ?? records.last { $0.phase == .completed && $0.schema == schema && $0.id < id }
        let context = OperationContext(schema: schema, migrationID: id, previousVersionSchema: previous?.versionSchema)
        let shape: VersionShape
        if let layered = latest?.plan.shape { shape = layered } else { shape = try await previousShape(database: database, schema: schema) }
        let plan = try chainFile.migration.plan(shape: shape, context: context)
        let stored = ExpandContractRecord.StoredPlan(start: plan.start, complete: plan.complete, abort: plan.abort, shape: plan.shape)
        try Self.requireDisjoint(id, stored, from: inFlight)
        return ExpandContractRecord(
            id: id, name: file.migration.name, checksum: chainFile.checksum, phase: .expanding, schema: schema,
            versionSchema: context.versionSchema, plan: stored, actionsDone: 0, runBy: runBy, chain: chain.count > 1 ? chain : [])
    }

    /// Refuses to start `id` on top of the migrations in flight unless each is expanded (or
    /// expanding), older than it, and keeps the shape it planned (a later one plans against it).
    static func requireCanLayer(_ id: MigrationID, on inFlight: [ExpandContractRecord]) throws {
        for other in inFlight {
            let hint: String? =
                switch other.phase {
                case .revertible:
                    "finalize it (cutover complete \(other.id) --finalize) or revert it (cutover revert \(other.id)) first; the next run after its window finalizes it"
                case .completing: "finish its complete first: cutover complete \(other.id)"
                case .aborting: "finish its abort first: cutover abort \(other.id)"
                case .reverting: "finish its revert first: cutover revert \(other.id)"
                default:
                    other.id > id
                        ? "migrations start in id order: complete or abort \(other.id) first"
                        : other.plan.shape == nil ? "it was started by an older Cutover: complete it (cutover complete \(other.id)) first" : nil
                }
            if let hint {
                throw CutoverError(
                    .invalidArgument, "migration \(other.id) (\(other.name)) is \(other.phase): \(id) cannot start on top of it", hint: hint, migrationID: id)
            }
        }
    }

    /// Refuses a migration that changes a table a migration in flight changes in a way the
    /// two cannot share. On a shared table:
    ///
    /// - Its expand actions that lock the table may add columns, indexes and constraints,
    ///   and Cutover's own dual-write triggers and backfill; a rename, a drop, a type change
    ///   in place or a trigger of the user's is refused (the other's triggers and views read
    ///   those columns).
    /// - Each one's trigger functions may read no column the other converts, renames or drops
    ///   (the other's old and shadow columns): a function names the columns it reads, and
    ///   the other's `complete` removes them from under it; and two triggers of one write
    ///   fire in name order, so one would read the other's column before it is set. A backfill
    ///   touches only its own flag column, and the other's trigger functions skip its writes
    ///   (they check `cutover.backfill`; functions of an older Cutover do not, and are refused).
    /// - Its contract actions run after the other's `complete` (versions complete in order),
    ///   which renames the other's shadow columns and renames or drops columns: refused when
    ///   they name one of those.
    ///
    /// What remains binds to columns, not their names (shadow columns, indexes, constraints,
    /// views), so it follows the other's `complete`; its `abort` runs before the other's.
    /// Different tables are always fine: each trigger converts the writes of its version and
    /// every later one.
    static func requireDisjoint(_ id: MigrationID, _ plan: ExpandContractRecord.StoredPlan, from inFlight: [ExpandContractRecord]) throws {
        for other in inFlight {
            let mine = plan.changedTables, theirs = other.plan.changedTables
            guard let mine, let theirs else {
                throw notTogether(id, other, "one of them has an `sql` operation, which may change any table")
            }
            for table in mine.intersection(theirs).sorted() {
                let theirNames = namesChangedByComplete(of: other.plan, on: table)
                let myNames = namesChangedByComplete(of: plan, on: table)
                if let conflicting = plan.start.first(where: { $0.table == table && takesStrongLock($0) && !canShareTable($0) }) {
                    throw notTogether(id, other, "both change \(table), and \(id) runs `\(String(conflicting.sql.prefix(90)))…` on it\(sharingRule)")
                }
                let theirFunctions = triggerFunctions(in: other.plan, on: table)
                if plan.start.contains(where: { $0.table == table && $0.kind == .backfill }),
                    let old = theirFunctions.first(where: { !$0.contains(ShadowNames.backfillSetting) }) {
                    throw notTogether(
                        id, other,
                        "both change \(table), and \(other.id) was started by an older Cutover whose trigger \(functionName(old)) would convert \(id)'s backfill as writes\(sharingRule)")
                }
                for (reader, function, names, owner) in
                    triggerFunctions(in: plan, on: table).map({ (id, $0, theirNames, other.id) }) + theirFunctions.map({ (other.id, $0, myNames, id) }) {
                    if let read = columnsRead(by: function).intersection(names).sorted().first {
                        throw notTogether(
                            id, other,
                            "both change \(table), and the trigger \(functionName(function)) of \(reader) reads \"\(read)\", which \(owner) converts\(sharingRule)")
                    }
                }
                if let conflicting = plan.complete.first(where: { $0.table == table && takesStrongLock($0) && !quotedNames(in: $0.sql).isDisjoint(with: theirNames) }) {
                    throw notTogether(
                        id, other,
                        "both change \(table), and \(id)'s complete runs `\(String(conflicting.sql.prefix(90)))…` on a column \(other.id)'s complete renames or drops\(sharingRule)")
                }
            }
        }
    }

    private static let sharingRule =
        " (two migrations in flight may share a table when the later one adds columns, indexes or constraints to it, or converts columns the earlier one does not touch, with `up`/`down` that read none of the earlier one's columns)"

    private static func takesStrongLock(_ action: PlannedAction) -> Bool {
        action.lock != .accessShare && action.lock != .none
    }

    /// Whether a later migration's expand action on a table an earlier migration in flight
    /// changes leaves that one's triggers and backfill alone: additions, Cutover's own
    /// triggers and the backfill (checked against the other's columns apart).
    static func canShareTable(_ action: PlannedAction) -> Bool {
        if action.kind == .backfill { return true }
        let upper = action.sql.uppercased()
        if action.sql.hasPrefix("CREATE OR REPLACE TRIGGER \"_cutover_") { return true }
        return !["TRIGGER", "RENAME", "DROP COLUMN", " TYPE "].contains { upper.contains($0) }
    }

    /// The trigger functions `plan` creates that read `table` (their declarations name it).
    private static func triggerFunctions(in plan: ExpandContractRecord.StoredPlan, on table: String) -> [String] {
        plan.start.map(\.sql).filter { $0.hasPrefix("CREATE OR REPLACE FUNCTION") && $0.contains("RETURNS trigger") && $0.contains("\(table).") }
    }

    /// The columns a trigger function of Cutover's reads or writes: its `NEW."…"` and
    /// `OLD."…"` (its declarations name every column it reads that way).
    private static func columnsRead(by function: String) -> Set<String> {
        quotedNames(after: ["NEW.\"", "OLD.\""], in: function)
    }

    /// The double-quoted names right after any of `markers` (each marker ends with the opening quote).
    private static func quotedNames(after markers: [String], in sql: String) -> Set<String> {
        var names = Set<String>()
        for marker in markers {
            for piece in sql.components(separatedBy: marker).dropFirst() {
                if let end = piece.firstIndex(of: "\"") { names.insert(String(piece[..<end])) }
            }
        }
        return names
    }

    /// The function's name, from its `CREATE OR REPLACE FUNCTION name()`.
    private static func functionName(_ sql: String) -> String {
        let rest = sql.dropFirst("CREATE OR REPLACE FUNCTION ".count)
        return String(rest.prefix { $0 != "(" })
    }

    /// The physical column names of `table` that `plan`'s `complete` renames or drops, and its
    /// shadow and backfill columns there (the `_cutover_…` names it adds).
    private static func namesChangedByComplete(of plan: ExpandContractRecord.StoredPlan, on table: String) -> Set<String> {
        // Its own: what its statements that lock the table add (not what its views select).
        var names = Set(plan.start.filter { $0.table == table && takesStrongLock($0) }.flatMap { quotedNames(in: $0.sql) }.filter { $0.hasPrefix("_cutover_") })
        for action in plan.complete where action.table == table {
            names.formUnion(quotedNames(after: ["RENAME COLUMN \"", "DROP COLUMN IF EXISTS \"", "DROP COLUMN \""], in: action.sql))
        }
        return names
    }

    /// The double-quoted identifiers in `sql` (between every other double quote).
    private static func quotedNames(in sql: String) -> Set<String> {
        let parts = sql.split(separator: "\"", omittingEmptySubsequences: false)
        return Set(stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) })
    }

    private static func notTogether(_ id: MigrationID, _ other: ExpandContractRecord, _ what: String) -> CutoverError {
        CutoverError(
            .invalidArgument, "migration \(id) cannot be in flight together with \(other.id) (\(other.name), \(other.phase)): \(what)",
            hint: "complete \(other.id) first (cutover complete \(other.id)), or abort it and start both as one step (cutover start \(id))",
            migrationID: id)
    }

    /// The pending `.yaml` migrations that `start` of `id` expands as one step: `id` and the
    /// ones right before it, in id order, that have not started (or were undone).
    /// - Throws: `.invalidArgument` when a `.sql` migration lies between two of them.
    func pendingChain(endingAt id: MigrationID, records: [ExpandContractRecord]) throws -> [MigrationID] {
        let isPending = { (candidate: MigrationID) in records.first { $0.id == candidate }.map(\.phase.isUndone) ?? true }
        var chain = [id]
        for earlier in expandContractIDs(upTo: id).reversed() where earlier < id {
            guard isPending(earlier) else { break }
            chain.insert(earlier, at: 0)
        }
        guard chain.count > 1 else { return chain }
        if let between = try migrations().first(where: { $0.id > chain[0] && $0.id < id }) {
            throw CutoverError(
                .invalidArgument,
                "cutover start \(id) would expand the pending .yaml migrations \(chain.map(\.rawValue).joined(separator: ", ")) as one step, but \(between.fileName) lies between them: a .sql migration cannot run inside an expand phase",
                hint: "start and complete \(chain[0]) first (cutover start \(chain[0]); cutover complete \(chain[0])), then `cutover migrate` runs \(between.fileName)",
                migrationID: id)
        }
        return chain
    }

}
