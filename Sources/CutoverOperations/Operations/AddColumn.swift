import CutoverCore

/// `add_column`: a column the new version writes and the old version does not know.
///
/// Expand: the column is added under a shadow name (`_cutover_new_<name>`), nullable, so the
/// old version's `SELECT *` and inserts do not see it; an `up` trigger fills it for writes from
/// the old version; a NOT NULL column gets a `CHECK (… IS NOT NULL) NOT VALID`; the backfill
/// runs `up` for the existing rows. Complete: validate the check, `SET NOT NULL` (no scan: the
/// valid check proves it), drop the check and the trigger, rename the column into place.
///
/// ```yaml
/// - add_column:
///     table: users
///     column: { name: status, type: text, nullable: false, default: "'active'" }
///     up: "'active'"        # for old rows and old writers; may read the other columns
/// ```
public struct AddColumn: ExpandContractOperation, Hashable {
    public static let name = "add_column"
    public var file: String
    public var line: Int
    /// The table, by the name the previous version uses.
    public var table: String
    /// The new column.
    public var column: ColumnDefinition
    /// The SQL expression that fills the column for existing rows and for the old version's
    /// writes; nil when the default (or NULL) is enough.
    public var up: String?

    /// Creates the operation.
    public init(table: String, column: ColumnDefinition, up: String? = nil, file: String = "", line: Int = 1) {
        self.table = table
        self.column = column
        self.up = up
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "users")
        column = try ColumnDefinition(object.requiredObject("column", example: "{ name: status, type: text }"), allowsPrimaryKey: false)
        up = try object.string("up")
        try object.finish()
    }

    private var shadow: String { ShadowNames.newColumn(column.name) }

    private func notNull(table: String, context: OperationContext) -> NotNullThroughCheck {
        NotNullThroughCheck(context: context, table: table, column: shadow, checkName: ShadowNames.notNullCheck(table: table, column: column.name))
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, before) = try self.table(table, in: shape)
        try requireNoColumn(column.name, in: before)
        if !column.isNullable, up == nil, column.defaultExpression == nil {
            throw invalid(
                "the NOT NULL column \"\(column.name)\" needs `up` or a `default` to fill the existing rows and the old version's inserts",
                hint: "add `up: <SQL expression>` (it may read the row's other columns)")
        }
        shape.tables[index].columns.append(column.shape(physicalName: shadow))

        let qualified = context.qualified(before.physicalName)
        var nullable = column
        nullable.isNullable = true
        var actions: [PlannedAction] = [
            .statement("ALTER TABLE \(qualified) ADD COLUMN IF NOT EXISTS \(nullable.sql(named: shadow, notNull: false))", lock: .accessExclusive, table: qualified)
        ]
        if let up {
            actions.append(ShadowNames.addBackfillFlag(before.physicalName, context: context))
            let trigger = DualWriteTrigger(
                context: context, table: before.physicalName, visibleColumns: context.oldVersionColumns(ofPhysicalTable: before.physicalName) ?? before.columns, target: shadow, expression: up,
                direction: .up, name: ShadowNames.trigger(table: before.physicalName, column: column.name, direction: .up), backfilledShadow: shadow)
            actions += trigger.startActions
            actions.append(.backfill(table: before.physicalName, columns: [shadow], context: context))
        }
        // After the trigger: the check holds for new rows at once, and an old version's insert
        // leaves the shadow column NULL until the trigger fills it.
        if !column.isNullable {
            actions.append(notNull(table: before.physicalName, context: context).startAction)
        }
        return actions
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        var actions: [PlannedAction] = []
        if up != nil {
            actions += DualWriteTrigger.dropActions(
                name: ShadowNames.trigger(table: table.physicalName, column: column.name, direction: .up), table: table.physicalName, context: context)
        }
        if !column.isNullable {
            actions += notNull(table: table.physicalName, context: context).completeActions
        }
        actions.append(.statement(
            "ALTER TABLE \(qualified) RENAME COLUMN \(SQLText.quotedIdentifier(shadow)) TO \(SQLText.quotedIdentifier(column.name))",
            lock: .accessExclusive, table: qualified))
        return actions
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        var actions: [PlannedAction] = []
        if !column.isNullable {
            actions.append(notNull(table: table.physicalName, context: context).abortAction)
        }
        if up != nil {
            actions += DualWriteTrigger.dropActions(
                name: ShadowNames.trigger(table: table.physicalName, column: column.name, direction: .up), table: table.physicalName, context: context)
        }
        actions.append(.statement("ALTER TABLE \(qualified) DROP COLUMN IF EXISTS \(SQLText.quotedIdentifier(shadow))", lock: .accessExclusive, table: qualified))
        return actions
    }
}
