import CutoverCore

/// `rename_column`: the new version calls a column by another name.
///
/// Expand: nothing changes in the table; the new version's view selects the column under its
/// new name (`SELECT "name" AS "full_name"`), and writes through the view reach the same
/// column, so no trigger is needed. Complete: rename the column (views follow: they refer to
/// columns by number). Abort: nothing to undo beyond the version schema.
///
/// ```yaml
/// - rename_column: { table: users, from: name, to: full_name }
/// ```
public struct RenameColumn: ExpandContractOperation, Hashable {
    public static let name = "rename_column"
    public var file: String
    public var line: Int
    /// The table.
    public var table: String
    /// The column's current name.
    public var from: String
    /// Its name in the new version.
    public var to: String

    /// Creates the operation.
    public init(table: String, from: String, to: String, file: String = "", line: Int = 1) {
        self.table = table
        self.from = from
        self.to = to
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "users")
        from = try object.requiredString("from", example: "name")
        to = try object.requiredString("to", example: "full_name")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, before) = try self.table(table, in: shape)
        _ = try column(from, of: before)
        try requireNoColumn(to, in: before)
        if let position = shape.tables[index].columns.firstIndex(where: { $0.name == from }) {
            shape.tables[index].columns[position].name = to
        }
        return []
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }), let column = table.column(from) else { return [] }
        let qualified = context.qualified(table.physicalName)
        return [.statement(
            "ALTER TABLE \(qualified) RENAME COLUMN \(SQLText.quotedIdentifier(column.physicalName)) TO \(SQLText.quotedIdentifier(to))",
            lock: .accessExclusive, table: qualified)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
