import CutoverCore
import Foundation

/// `create_trigger`: a trigger on a table, calling a function of the base schema.
///
/// A trigger belongs to the table, which both versions write during the expand phase, so it
/// fires for the old version's writes as for the new one's. By default it is therefore created
/// by `complete`, once only the new version writes, on the table under its final name (after
/// the tables' renames and the functions `replace_function` creates there). With `at_start:
/// true` it is created during the expand phase instead, on the table as it is, and fires for
/// both versions' writes, the backfill's updates included; abort drops it.
///
/// ```yaml
/// - create_trigger:
///     table: accounts
///     name: accounts_audit
///     function: audit_row          # in the base schema, RETURNS trigger, no arguments
///     timing: after                # before | after
///     events: [insert, update]     # insert, update, delete, truncate
///     for_each: row                # row (default) | statement
///     columns: [balance]           # optional: UPDATE OF these columns only (needs update)
///     when: "NEW.balance IS DISTINCT FROM OLD.balance"   # optional: WHEN condition (row triggers)
///     at_start: false              # default false: created by complete
/// ```
///
/// `columns` names columns as this version has them at this point of the migration; they are
/// written under the names the trigger's table has when it is created (the final names at
/// `complete`, today's at start). The `when` condition is SQL written as it will run: it reads
/// `NEW`/`OLD` by the column names the table has when the trigger is created — the final names
/// by default, today's with `at_start: true`.
///
/// The function is looked up in the base schema when the trigger is created. A
/// `replace_function` of the same migration creates it there at `complete`, so with `at_start:
/// true` the function must exist already; at `complete`, list the `replace_function` before the
/// `create_trigger`. `CREATE OR REPLACE TRIGGER` replaces a trigger of the same name on the table.
public struct CreateTrigger: ExpandContractOperation, Hashable {
    public static let name = "create_trigger"

    /// When the trigger fires.
    public enum Timing: String, Sendable, Hashable, CaseIterable {
        /// `BEFORE`: a row trigger may change or skip the row.
        case before
        /// `AFTER`: the write is done.
        case after
    }

    /// The writes that fire it.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        /// `INSERT`.
        case insert
        /// `UPDATE`.
        case update
        /// `DELETE`.
        case delete
        /// `TRUNCATE` (statement triggers only).
        case truncate
    }

    /// Once per row or once per statement.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        /// `FOR EACH ROW`.
        case row
        /// `FOR EACH STATEMENT`.
        case statement
    }

    public var file: String
    public var line: Int
    /// The table, by the new version's name at this point of the migration.
    public var table: String
    /// The trigger's name.
    public var trigger: String
    /// The trigger function, in the base schema.
    public var function: String
    /// Before or after the write.
    public var timing: Timing
    /// The writes that fire it.
    public var events: [Event]
    /// Per row or per statement.
    public var level: Level
    /// True to create it during the expand phase (it then fires for both versions' writes).
    public var isCreatedAtStart: Bool
    /// `UPDATE OF` these columns (by this version's names at this point); empty for any update.
    public var updatedColumns: [String]
    /// The `WHEN` condition, as written; nil for none.
    public var condition: String?

    /// Creates the operation.
    public init(
        table: String, trigger: String, function: String, timing: Timing, events: [Event], level: Level = .row, isCreatedAtStart: Bool = false,
        updatedColumns: [String] = [], condition: String? = nil, file: String = "", line: Int = 1
    ) {
        self.table = table
        self.trigger = trigger
        self.function = function
        self.timing = timing
        self.events = events
        self.level = level
        self.isCreatedAtStart = isCreatedAtStart
        self.updatedColumns = updatedColumns
        self.condition = condition
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "accounts")
        trigger = try object.requiredString("name", example: "accounts_audit")
        function = try object.requiredString("function", example: "audit_row")
        // Locals: the closures below may not capture `self` before it is initialized.
        let (file, line) = (object.file, object.line)
        let lines = (timing: object.node("timing")?.line ?? line, events: object.node("events")?.line ?? line, level: object.node("for_each")?.line ?? line)
        timing = try Self.choice(object.requiredString("timing", example: "after"), key: "timing", line: lines.timing, file: file)
        events = try object.requiredStrings("events", example: "[insert, update]").map {
            try Self.choice($0, key: "events", line: lines.events, file: file)
        }
        level = try object.string("for_each").map { try Self.choice($0, key: "for_each", line: lines.level, file: file) } ?? .row
        isCreatedAtStart = try object.bool("at_start") ?? false
        let columnsLine = object.node("columns")?.line ?? line
        updatedColumns = try object.strings("columns", example: "[balance]") ?? []
        let whenLine = object.node("when")?.line ?? line
        condition = try object.string("when").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try object.finish()
        if !updatedColumns.isEmpty, !events.contains(.update) {
            throw CutoverError(
                .invalidMigration, "create_trigger: columns lists the columns whose update fires it, but events has no update",
                hint: "add update to events, or drop columns", file: file, line: columnsLine)
        }
        if let condition {
            guard !condition.isEmpty else {
                throw CutoverError(.invalidMigration, "create_trigger: when is empty", hint: "write a condition, e.g. \"NEW.balance > 0\", or drop when", file: file, line: whenLine)
            }
            if level == .statement {
                throw CutoverError(
                    .invalidMigration, "create_trigger: a statement trigger's when cannot read a row",
                    hint: "use `for_each: row`, or test the condition inside the function", file: file, line: whenLine)
            }
        }
        if level == .row, events.contains(.truncate) {
            throw CutoverError(
                .invalidMigration, "create_trigger: a truncate trigger fires once per statement", hint: "add `for_each: statement`, or drop truncate",
                file: file, line: line)
        }
    }

    /// The case of `T` spelt `text`, or an error listing them.
    private static func choice<T: RawRepresentable & CaseIterable>(_ text: String, key: String, line: Int, file: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text.lowercased()) else {
            throw CutoverError(
                .invalidMigration, "create_trigger.\(key) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"",
                file: file, line: line)
        }
        return value
    }

    /// `CREATE OR REPLACE TRIGGER` on `table` (qualified), `UPDATE OF` the columns `updated`
    /// (their names on that table).
    private func definition(on table: String, updated: [String], context: OperationContext) -> PlannedAction {
        let events = self.events.map { event in
            event == .update && !updated.isEmpty ? "UPDATE OF \(updated.map(SQLText.quotedIdentifier).joined(separator: ", "))" : event.rawValue.uppercased()
        }.joined(separator: " OR ")
        let when = condition.map { " WHEN (\($0))" } ?? ""
        return .statement(
            "CREATE OR REPLACE TRIGGER \(SQLText.quotedIdentifier(trigger)) \(timing.rawValue.uppercased()) \(events) ON \(table) FOR EACH \(level.rawValue.uppercased())\(when) EXECUTE FUNCTION \(SQLText.qualified(context.schema, function))()",
            lock: .shareRowExclusive, table: table)
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (_, table) = try self.table(table, in: shape)
        let columns = try updatedColumns.map { try column($0, of: table) }
        return isCreatedAtStart ? [definition(on: context.qualified(table.physicalName), updated: columns.map(\.physicalName), context: context)] : []
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func completeUnderFinalNames(before: VersionShape, final: VersionShape, context: OperationContext) -> [PlannedAction] {
        // The table's final name: a later rename_table renames it, a later drop_table leaves nothing to do.
        guard !isCreatedAtStart, let beforeTable = before.tables.first(where: { $0.name == table }),
            let table = final.tables.first(where: { $0.physicalName == beforeTable.physicalName })
        else { return [] }
        // Each column under its final name: the column of the final shape on the same physical column.
        let updated = updatedColumns.compactMap { name -> String? in
            guard let physical = beforeTable.column(name)?.physicalName else { return nil }
            return table.columns.first { $0.physicalName == physical }?.name
        }
        return [definition(on: context.qualified(table.name), updated: updated, context: context)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard isCreatedAtStart, let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        return [.statement("DROP TRIGGER IF EXISTS \(SQLText.quotedIdentifier(trigger)) ON \(qualified)", lock: .accessExclusive, table: qualified)]
    }
}
