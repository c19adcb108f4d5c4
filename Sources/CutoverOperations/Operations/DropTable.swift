import CutoverCore

/// `drop_table`: a table the new version no longer has.
///
/// Expand: nothing changes in the database; the table leaves the new version's shape, so its
/// version schema has no view of it (the old version goes on reading and writing it).
/// Complete: `DROP TABLE`, after every other operation's contract actions and before the
/// tables' renames, so a renamed table may take its name. Abort: nothing to undo.
///
/// ```yaml
/// - drop_table: { table: legacy_sessions }
/// ```
///
/// - Warning: `complete` deletes the table and its rows. It is not dropped with `CASCADE`: a
///   foreign key or a view of the base schema that still refers to it makes `complete` fail
///   (drop them first, with `drop_constraint` or `sql`).
public struct DropTable: ExpandContractOperation, Hashable {
    public static let name = "drop_table"
    public var file: String
    public var line: Int
    /// The table, by the name the previous operations leave it.
    public var table: String

    /// Creates the operation.
    public init(table: String, file: String = "", line: Int = 1) {
        self.table = table
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "legacy_sessions")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, _) = try self.table(table, in: shape)
        shape.tables.remove(at: index)
        return []
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        return [ContractStep.dropTable(table.physicalName, context: context)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
