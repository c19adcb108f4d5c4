import CutoverCore

/// The SQL of a dual-write trigger: a `BEFORE INSERT OR UPDATE` row trigger that computes one
/// physical column from the others while two versions write to the same table.
///
/// Writes are told apart by the session's `search_path`, as pgroll and reshape do: an
/// application on the new version puts the version schema first (`SET search_path TO
/// public_20261201120000, public`). An ``Direction/up`` trigger fires for writes from
/// everyone else (the old version, and the backfill's no-op updates) and applies the `up`
/// expression; a ``Direction/down`` trigger fires for writes from the new version and applies
/// `down`. The expression sees the row's columns as variables under the names of the version
/// that wrote it (pgroll `pkg/backfill/templates/function.go`).
struct DualWriteTrigger {
    /// Which version's writes the trigger converts.
    enum Direction: String {
        /// Writes from the old version: fill the new version's column with `up`.
        case up
        /// Writes from the new version: fill the old version's column with `down`.
        case down
    }

    var context: OperationContext
    /// The physical table.
    var table: String
    /// The columns the writing version sees: variable names and the physical columns behind them.
    var visibleColumns: [ColumnShape]
    /// The physical column the trigger sets.
    var target: String
    /// The SQL expression computing it, over `visibleColumns`.
    var expression: String
    var direction: Direction
    /// The name of the trigger and of its function.
    var name: String
    /// The shadow column the new version writes, when the table is being backfilled (it has
    /// ``ShadowNames/needsBackfill``): then an update from the new version of a row the backfill
    /// has not reached, which leaves the shadow column as it was, is converted with `up` (not
    /// `down`), and every write clears the row's flag so the backfill skips it.
    var backfilledShadow: String?
    /// For an ``Direction/up`` trigger filling a shadow column that a foreign key's action
    /// writes (`ON DELETE SET NULL`/`SET DEFAULT`, `ON UPDATE CASCADE`): an update that itself
    /// changed the shadow column keeps that value. The old version never writes the shadow
    /// column, so such an update is the action's, which `up` would undo (leaving a row that
    /// refers to a deleted one).
    var keepsShadowSetByUpdate = false

    private var qualifiedTable: String { context.qualified(table) }
    private var qualifiedFunction: String { SQLText.qualified(context.schema, name) }

    /// The variable holding the first schema of the writing session's `search_path`.
    static let sessionSchemaVariable = "_cutover_session_schema"

    /// The condition that is true for a write from the new version or a later one: the session's
    /// first schema is a version schema of this schema (`public_<id>`) whose id is at least this
    /// migration's. A later migration in flight on other tables (its version schema also shows
    /// this migration's shape) is then converted as this one's new version, with no rewrite of
    /// this trigger.
    private var isNewVersionWrite: String {
        let prefix = context.schema + "_"
        let length = prefix.unicodeScalars.count
        let variable = Self.sessionSchemaVariable
        // In parentheses: PL/pgSQL reads an IF's condition up to the first THEN outside them.
        return "(CASE WHEN left(\(variable), \(length)) = \(SQLText.literal(prefix)) AND substr(\(variable), \(length + 1)) ~ '^[0-9]+$'"
            + " THEN substr(\(variable), \(length + 1))::numeric >= \(context.migrationID.normalized) ELSE false END)"
    }

    /// The columns the expression reads (all of them when its text cannot be read safely):
    /// the function declares only those, so it names no column it does not need — a column
    /// another migration in flight renames or drops at its `complete` stays out of it.
    private var readColumns: [ColumnShape] {
        guard let names = SQLIdentifiers.referencedNames(in: expression) else { return visibleColumns }
        return visibleColumns.filter { names.contains($0.name) }
    }

    /// The first statement of every trigger function of a migration: a write by another
    /// migration's backfill (its session has ``ShadowNames/backfillSetting`` set to that migration's id)
    /// only clears that one's flag, so this migration's triggers leave the row alone — else
    /// the no-op update would convert this migration's columns as a write from the old
    /// version and overwrite what the new version wrote.
    static func skipsOtherBackfills(_ context: OperationContext) -> String {
        "IF coalesce(current_setting('\(ShadowNames.backfillSetting)', true), '') NOT IN ('', \(SQLText.literal(context.migrationID.normalized))) THEN RETURN NEW; END IF;"
    }

    /// `CREATE OR REPLACE FUNCTION` and `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+; version
    /// schemas need 15 for `security_invoker` anyway), so a retried start succeeds.
    var startActions: [PlannedAction] {
        let declarations = readColumns.map {
            "  \(SQLText.quotedIdentifier($0.name)) \(qualifiedTable).\(SQLText.quotedIdentifier($0.physicalName))%TYPE := NEW.\(SQLText.quotedIdentifier($0.physicalName));"
        }
        var condition = direction == .up ? "NOT (\(isNewVersionWrite))" : isNewVersionWrite
        if let shadow = backfilledShadow.map(SQLText.quotedIdentifier) {
            let flag = SQLText.quotedIdentifier(ShadowNames.needsBackfill(context))
            // OLD is NULL in an INSERT trigger, so this is NULL (false) for inserts.
            let untouchedOldRow = "(TG_OP = 'UPDATE' AND OLD.\(flag) AND NEW.\(shadow) IS NOT DISTINCT FROM OLD.\(shadow))"
            condition = direction == .up ? "\(condition) OR \(untouchedOldRow)" : "\(condition) AND NOT coalesce(\(untouchedOldRow), false)"
        }
        if keepsShadowSetByUpdate, direction == .up {
            let shadow = SQLText.quotedIdentifier(target)
            // OLD is NULL in an INSERT trigger: coalesce keeps inserts converted.
            condition = "(\(condition)) AND NOT coalesce((TG_OP = 'UPDATE' AND NEW.\(shadow) IS DISTINCT FROM OLD.\(shadow)), false)"
        }
        let function = """
            CREATE OR REPLACE FUNCTION \(qualifiedFunction)() RETURNS trigger
            LANGUAGE plpgsql AS $cutover$
            DECLARE
              \(Self.sessionSchemaVariable) text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
            \(declarations.joined(separator: "\n"))
            BEGIN
              \(Self.skipsOtherBackfills(context))
              IF \(condition) THEN
                NEW.\(SQLText.quotedIdentifier(target)) := \(expression);
              END IF;
              RETURN NEW;
            END
            $cutover$
            """
        return [
            .statement(function, lock: .none, table: nil),
            .statement(
                "CREATE OR REPLACE TRIGGER \(SQLText.quotedIdentifier(name)) BEFORE INSERT OR UPDATE ON \(qualifiedTable) FOR EACH ROW EXECUTE FUNCTION \(qualifiedFunction)()",
                lock: .shareRowExclusive, table: qualifiedTable),
        ]
    }

    /// The trigger that clears ``ShadowNames/needsBackfill(_:)`` on every write to `table`: created
    /// after every dual-write trigger of the migration on that table, so a row's flag is
    /// cleared only by a write that went through all of them (a write between two of their
    /// creations, which filled one shadow column and not the next, keeps its flag and is
    /// converted by the backfill). Its removal is one of ``isRemoval(_:)``'s.
    static func flagClearing(table: String, context: OperationContext) -> (start: [PlannedAction], drop: [PlannedAction]) {
        let name = "_cutover_\(table)_backfilled_\(context.migrationID.normalized)"
        let qualifiedTable = context.qualified(table)
        let qualifiedFunction = SQLText.qualified(context.schema, name)
        let function = """
            CREATE OR REPLACE FUNCTION \(qualifiedFunction)() RETURNS trigger
            LANGUAGE plpgsql AS $cutover$
            BEGIN
              \(skipsOtherBackfills(context))
              NEW.\(SQLText.quotedIdentifier(ShadowNames.needsBackfill(context))) := false;
              RETURN NEW;
            END
            $cutover$
            """
        let start: [PlannedAction] = [
            .statement(function, lock: .none, table: nil),
            .statement(
                "CREATE OR REPLACE TRIGGER \(SQLText.quotedIdentifier(name)) BEFORE INSERT OR UPDATE ON \(qualifiedTable) FOR EACH ROW EXECUTE FUNCTION \(qualifiedFunction)()",
                lock: .shareRowExclusive, table: qualifiedTable),
        ]
        return (start, dropActions(name: name, table: table, context: context))
    }

    /// Whether `action` is one of those ``dropActions(name:table:context:)`` makes. The planner
    /// runs them before every other action of complete and abort: a trigger function reads
    /// the row through the columns it declares, so a write between a rename or a drop and the
    /// trigger's own removal would fail ("record new has no field …").
    static func isRemoval(_ action: PlannedAction) -> Bool {
        action.kind == .statement
            && (action.sql.hasPrefix("DROP TRIGGER IF EXISTS \"_cutover_") || (action.sql.hasPrefix("DROP FUNCTION IF EXISTS ") && action.sql.contains("._cutover_")))
    }

    /// Drops the trigger and its function; safe to repeat.
    static func dropActions(name: String, table: String, context: OperationContext) -> [PlannedAction] {
        let qualifiedTable = context.qualified(table)
        return [
            .statement("DROP TRIGGER IF EXISTS \(SQLText.quotedIdentifier(name)) ON \(qualifiedTable)", lock: .accessExclusive, table: qualifiedTable),
            .statement("DROP FUNCTION IF EXISTS \(SQLText.qualified(context.schema, name))()", lock: .none, table: nil),
        ]
    }
}
