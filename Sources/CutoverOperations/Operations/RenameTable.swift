import CutoverCore

/// `rename_table`: the new version calls a table by another name.
///
/// Expand: nothing changes in the database; the new version's schema has a view named `to`
/// over the table (the old version goes on using the old name). The operations after it in
/// the file name the table `to`; they still change the physical table, under its old name.
/// Complete: `ALTER TABLE … RENAME TO …`, after every other operation's contract actions (they
/// name the table by its old name) and the tables' drops; the new version's view follows the
/// table (a view refers to it by its oid). Abort: nothing to undo beyond the version schema.
///
/// ```yaml
/// - rename_table: { from: users, to: accounts }
/// ```
///
/// A table is renamed at most once per migration, and not to the name of a table the database
/// still has during the expand phase.
public struct RenameTable: ExpandContractOperation, Hashable {
    public static let name = "rename_table"
    public var file: String
    public var line: Int
    /// The table's current name.
    public var from: String
    /// Its name in the new version.
    public var to: String

    /// Creates the operation.
    public init(from: String, to: String, file: String = "", line: Int = 1) {
        self.from = from
        self.to = to
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        from = try object.requiredString("from", example: "users")
        to = try object.requiredString("to", example: "accounts")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, table) = try self.table(from, in: shape)
        if table.name != table.physicalName {
            throw invalid(
                "table \"\(from)\" was renamed from \"\(table.physicalName)\" earlier in this migration",
                hint: "rename \"\(table.physicalName)\" to \"\(to)\" in one rename_table")
        }
        if shape.tables.contains(where: { $0.name == to }) || shape.views.contains(to) {
            throw invalid("\"\(to)\" already exists in this version", hint: "choose another name")
        }
        // A table the database still has under `to` during the expand phase has left that name
        // in the new version (dropped, or renamed earlier in the file): complete drops it, or
        // renames it in file order, before this rename runs.
        shape.tables[index].name = to
        return []
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == from }) else { return [] }
        return [ContractStep.renameTable(table.physicalName, to: to, context: context)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
