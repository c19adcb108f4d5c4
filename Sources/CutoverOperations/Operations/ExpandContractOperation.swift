import CutoverCore

/// One operation of an expand/contract migration (`add_column`, `rename_column`, …): one type
/// per operation, as pgroll's `pkg/migrations/op_*.go`.
///
/// An operation never touches a database. It plans three phases:
///
/// - ``start(in:context:)``, the expand phase: additive, short-lock changes only (shadow
///   columns, dual-write triggers, `NOT VALID` checks, concurrent indexes). It also changes
///   `shape`, the new version's view of the tables, which becomes the version schema's views;
///   and it validates the operation against the shape, throwing ``CutoverError`` with the
///   line of the operation in the migration file.
/// - ``complete(before:context:)``, the contract phase: validate constraints, drop what the
///   old version needed, rename shadow columns into place.
/// - ``abort(before:context:)``: undo the expand phase; every statement is safe to run again
///   (`IF EXISTS`), so an interrupted abort can be repeated.
///
/// `before` is the shape as it was before this operation's ``start(in:context:)`` ran.
///
/// Two more hooks, empty by default, place actions at fixed points of a phase rather than
/// at the operation's place: ``startInVersionSchema(context:)`` (objects created in the version
/// schema, after its table views) and ``completeUnderFinalNames(before:final:context:)``
/// (objects over the final names, after every table drop and rename).
///
/// Re-running: abort is idempotent. Start and complete are not entirely (`ADD CONSTRAINT`
/// and `RENAME COLUMN` have no `IF NOT EXISTS`): the engine records each finished action and
/// resumes after the last one, as it does for `-- cutover:no-transaction` migrations.
///
/// ```swift
/// var shape = VersionShape(tables: [users])
/// let before = shape
/// let expand = try operation.start(in: &shape, context: context)
/// let contract = operation.complete(before: before, context: context)
/// ```
public protocol ExpandContractOperation: Sendable {
    /// The operation's key in a migration file (`add_column`).
    static var name: String { get }
    /// The 1-based line of the operation in its migration file, for messages.
    var line: Int { get }
    /// The file the operation was read from, for messages.
    var file: String { get }

    /// Plans the expand phase and applies the operation to the new version's shape.
    /// - Parameters:
    ///   - shape: the new version's tables; changed in place.
    ///   - context: the schema and version schemas.
    /// - Returns: the actions, in order.
    /// - Throws: ``CutoverError`` (`invalid_migration`) when the operation names a table or
    ///   column the version does not have, or one that already exists.
    func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction]

    /// Plans the contract phase.
    /// - Parameters:
    ///   - before: the shape before this operation's start.
    ///   - context: the schema and version schemas.
    /// - Returns: the actions, in order.
    func complete(before: VersionShape, context: OperationContext) -> [PlannedAction]

    /// Plans the undoing of the expand phase.
    /// - Parameters:
    ///   - before: the shape before this operation's start.
    ///   - context: the schema and version schemas.
    /// - Returns: the actions, in order; each may run again after an interruption.
    func abort(before: VersionShape, context: OperationContext) -> [PlannedAction]

    /// Plans the expand phase's actions that need the version schema's table views: objects
    /// the operation creates in the version schema (a view, a function). The planner runs them
    /// after those views, in the operations' order. Abort needs no counterpart: it drops the
    /// version schema with everything in it. The default plans none.
    /// - Parameter context: the schema and version schemas.
    /// - Returns: the actions, in order.
    func startInVersionSchema(context: OperationContext) -> [PlannedAction]

    /// Plans the contract phase's actions that need every table under its final name: objects
    /// created over the new version's names (a view, a function, a trigger). The planner runs
    /// them last, after every operation's ``complete(before:context:)``, the tables' drops and
    /// renames, in the operations' order. The default plans none.
    /// - Parameters:
    ///   - before: the shape before this operation's start.
    ///   - final: the new version's shape, after the migration's last operation.
    ///   - context: the schema and version schemas.
    /// - Returns: the actions, in order.
    func completeUnderFinalNames(before: VersionShape, final: VersionShape, context: OperationContext) -> [PlannedAction]
}

extension ExpandContractOperation {
    public func startInVersionSchema(context: OperationContext) -> [PlannedAction] { [] }

    public func completeUnderFinalNames(before: VersionShape, final: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}

extension ExpandContractOperation {
    /// An `invalid_migration` error at this operation's line.
    func invalid(_ message: String, hint: String? = nil) -> CutoverError {
        CutoverError(.invalidMigration, "\(Self.name): \(message)", hint: hint, file: file, line: line)
    }

    /// The table named `name` in `shape`, or an error naming the tables there are.
    func table(_ name: String, in shape: VersionShape) throws -> (index: Int, table: TableShape) {
        guard let index = shape.tableIndex(name) else {
            let known = shape.tables.map(\.name).sorted().joined(separator: ", ")
            throw invalid("table \"\(name)\" does not exist in this version", hint: known.isEmpty ? "create it first with create_table" : "tables: \(known)")
        }
        return (index, shape.tables[index])
    }

    /// The column named `name` of `table`, or an error naming the columns there are.
    func column(_ name: String, of table: TableShape) throws -> ColumnShape {
        guard let column = table.column(name) else {
            throw invalid(
                "column \"\(name)\" does not exist in table \"\(table.name)\"",
                hint: "columns: \(table.columns.map(\.name).joined(separator: ", "))")
        }
        return column
    }

    /// Throws when `name` is taken in the new version's schema (by a table or a view of
    /// `shape`) or in the database during the expand phase (by a table the old version has,
    /// which keeps its name until `complete`).
    func requireNoRelation(_ name: String, in shape: VersionShape, context: OperationContext) throws {
        if shape.tableIndex(name) != nil || shape.views.contains(name) {
            throw invalid("\"\(name)\" already exists in this version", hint: "choose another name")
        }
        let physical = shape.tables.map(\.physicalName) + (context.oldVersionShape?.tables.map(\.physicalName) ?? [])
        if physical.contains(name) {
            throw invalid(
                "the table \"\(name)\" keeps that name in the database until `complete`",
                hint: "choose another name, or reuse it in a migration after this one is completed")
        }
    }

    /// Throws when `table` already has a column called `name`.
    func requireNoColumn(_ name: String, in table: TableShape) throws {
        if table.column(name) != nil {
            throw invalid("column \"\(name)\" already exists in table \"\(table.name)\"", hint: "choose another name")
        }
    }
}

/// Names of the objects Cutover creates during an expand phase. All begin with `_cutover_`,
/// so they never collide with an application's names and are easy to find and clean up.
package enum ShadowNames {
    /// `ADD COLUMN IF NOT EXISTS` of ``needsBackfill(_:)`` (a constant default: no rewrite since PostgreSQL 11).
    static func addBackfillFlag(_ table: String, context: OperationContext) -> PlannedAction {
        let qualified = context.qualified(table)
        return .statement(
            "ALTER TABLE \(qualified) ADD COLUMN IF NOT EXISTS \(SQLText.quotedIdentifier(needsBackfill(context))) boolean DEFAULT true",
            lock: .accessExclusive, table: qualified)
    }

    /// `DROP COLUMN IF EXISTS` of ``needsBackfill(_:)``. The planner adds it at the end of complete
    /// and abort, once per backfilled table, after every trigger that writes the flag is gone.
    static func dropBackfillFlag(_ table: String, context: OperationContext) -> PlannedAction {
        let qualified = context.qualified(table)
        return .statement(
            "ALTER TABLE \(qualified) DROP COLUMN IF EXISTS \(SQLText.quotedIdentifier(needsBackfill(context)))", lock: .accessExclusive, table: qualified)
    }

    /// The column holding the new version's value of `column` until `complete` renames it.
    static func newColumn(_ column: String) -> String { "_cutover_new_\(column)" }
    /// The flag column of a table being backfilled: true until a write or the backfill has
    /// converted the row (pgroll's `_pgroll_needs_backfill`), so the backfill never overwrites
    /// what the new version wrote. One per migration (`_cutover_needs_backfill_<id>`): two
    /// migrations in flight may backfill one table, each through its own flag.
    package static func needsBackfill(_ context: OperationContext) -> String {
        "\(legacyNeedsBackfill)_\(context.migrationID.normalized)"
    }
    /// The flag column of plans stored before the flag carried the migration's id (a backfill
    /// action without ``PlannedAction/backfillFlag``).
    package static let legacyNeedsBackfill = "_cutover_needs_backfill"
    /// The custom setting a backfill sets to its migration's id for its session: the trigger
    /// functions of other migrations on the table leave its no-op updates alone.
    package static let backfillSetting = "cutover.backfill"
    /// The NOT VALID check that proves `column` has no NULLs before `SET NOT NULL`.
    static func notNullCheck(table: String, column: String) -> String { "_cutover_\(table)_\(column)_not_null" }
    /// The temporary name of the copy of index or constraint `name` of `table` on a shadow
    /// column (`_cutover_1a2b3c4d_<name>`, cut to PostgreSQL's 63 bytes): the hash of the table
    /// and the name keeps two long names that share a beginning apart.
    static func dependent(table: String, name: String) -> String {
        var hash: UInt32 = 2_166_136_261  // FNV-1a: stable across runs and platforms, unlike Hasher.
        for byte in "\(table).\(name)".utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        var result = "_cutover_\(String(repeating: "0", count: 8 - hex.count))\(hex)_"
        for character in name {
            guard result.utf8.count + String(character).utf8.count <= 63 else { break }
            result.append(character)
        }
        return result
    }
    /// The trigger (and its function) that fills `column` of `table` for writes of one version.
    static func trigger(table: String, column: String, direction: DualWriteTrigger.Direction) -> String {
        "_cutover_\(table)_\(column)_\(direction.rawValue)"
    }
}

/// Statements the contract phase runs before the others, in the order the planner puts them
/// (see ``ExpandContractMigration/contractOrder(_:)``).
enum ContractStep {
    /// `ALTER COLUMN … DROP NOT NULL` of an old column that `complete` drops: once the
    /// dual-write triggers are gone nothing fills it, and the new version's inserts must not
    /// fail on it in the moments before it is dropped.
    static func relaxNotNull(_ column: String, table: String, context: OperationContext) -> PlannedAction {
        let qualified = context.qualified(table)
        return .statement(
            "ALTER TABLE \(qualified) ALTER COLUMN \(SQLText.quotedIdentifier(column)) DROP NOT NULL", lock: .accessExclusive, table: qualified)
    }

    /// Whether `action` was made by ``relaxNotNull(_:table:context:)``.
    static func isNotNullRelaxation(_ action: PlannedAction) -> Bool {
        action.kind == .statement && action.sql.hasPrefix("ALTER TABLE ") && action.sql.hasSuffix(" DROP NOT NULL")
    }

    /// `DROP TABLE IF EXISTS` of a table the new version no longer has. The planner runs it
    /// after every other operation's contract actions (which may still touch the table, as the
    /// removal of the backfill flag does) and before the tables' renames (a renamed table may
    /// take the dropped one's name).
    static func dropTable(_ table: String, context: OperationContext) -> PlannedAction {
        let qualified = context.qualified(table)
        return .statement("DROP TABLE IF EXISTS \(qualified)", lock: .accessExclusive, table: qualified)
    }

    /// Whether `action` was made by ``dropTable(_:context:)``.
    static func isTableDrop(_ action: PlannedAction) -> Bool {
        action.kind == .statement && action.sql.hasPrefix("DROP TABLE IF EXISTS ")
    }

    /// `ALTER TABLE … RENAME TO …` of a table the new version calls by another name. The planner
    /// runs it after every other operation's contract actions, which name the table by its
    /// physical (old) name, and after the tables' drops.
    static func renameTable(_ table: String, to name: String, context: OperationContext) -> PlannedAction {
        let qualified = context.qualified(table)
        return .statement("ALTER TABLE \(qualified) RENAME TO \(SQLText.quotedIdentifier(name))", lock: .accessExclusive, table: qualified)
    }

    /// Whether `action` was made by ``renameTable(_:to:context:)``.
    static func isTableRename(_ action: PlannedAction) -> Bool {
        action.kind == .statement && action.sql.hasPrefix("ALTER TABLE ") && action.sql.contains(" RENAME TO ") && !action.sql.contains("\n")
    }
}

