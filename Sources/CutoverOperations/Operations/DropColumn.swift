import CutoverCore

/// `drop_column`: a column the new version no longer has.
///
/// Expand: the new version's view leaves the column out; when the old version still needs
/// values for rows the new version writes, a `down` trigger computes them. Complete: drop the
/// trigger and the column. Abort: drop the trigger.
///
/// ```yaml
/// - drop_column:
///     table: users
///     column: nickname
///     down: "name"   # what the old version reads for rows the new version writes
/// ```
public struct DropColumn: ExpandContractOperation, Hashable {
    public static let name = "drop_column"
    public var file: String
    public var line: Int
    /// The table.
    public var table: String
    /// The column to drop.
    public var column: String
    /// The expression filling the column for the new version's writes, over the new version's columns; nil leaves it NULL (or its default).
    public var down: String?

    /// Creates the operation.
    public init(table: String, column: String, down: String? = nil, file: String = "", line: Int = 1) {
        self.table = table
        self.column = column
        self.down = down
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "users")
        column = try object.requiredString("column", example: "nickname")
        down = try object.string("down")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, before) = try self.table(table, in: shape)
        let dropped = try self.column(column, of: before)
        if !dropped.isNullable, dropped.defaultExpression == nil, down == nil {
            throw invalid(
                "the NOT NULL column \"\(column)\" needs `down`: the new version's inserts leave it empty",
                hint: "add `down: <SQL expression>` over the new version's columns")
        }
        shape.tables[index].columns.removeAll { $0.name == column }
        guard let down else { return [] }
        let trigger = DualWriteTrigger(
            context: context, table: before.physicalName, visibleColumns: shape.tables[index].columns, target: dropped.physicalName,
            expression: down, direction: .down, name: triggerName(before.physicalName))
        return trigger.startActions
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }), let dropped = table.column(column) else { return [] }
        let qualified = context.qualified(table.physicalName)
        var actions = dropped.isNullable ? [] : [ContractStep.relaxNotNull(dropped.physicalName, table: table.physicalName, context: context)]
        if down != nil { actions += DualWriteTrigger.dropActions(name: triggerName(table.physicalName), table: table.physicalName, context: context) }
        // A view reading the column stops the drop: one replaced by a create_view operation
        // goes, any other makes complete fail naming it, nothing changed.
        actions.append(.statement(
            DependentViews.preserving(table: table.physicalName, columns: [dropped.physicalName], context: context, body: [
                "ALTER TABLE \(qualified) DROP COLUMN IF EXISTS \(SQLText.quotedIdentifier(dropped.physicalName));"
            ]),
            lock: .accessExclusive, table: qualified))
        return actions
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard down != nil, let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        return DualWriteTrigger.dropActions(name: triggerName(table.physicalName), table: table.physicalName, context: context)
    }

    private func triggerName(_ physicalTable: String) -> String { ShadowNames.trigger(table: physicalTable, column: column, direction: .down) }
}
