import CutoverCore

/// `create_index`: always `CREATE INDEX CONCURRENTLY`, alone, outside a transaction, so
/// writes go on while it builds. Abort drops it concurrently (and with it an INVALID index a
/// failed build left behind).
///
/// ```yaml
/// - create_index: { name: users_email_idx, table: users, columns: [email], unique: true }
/// ```
public struct CreateIndex: ExpandContractOperation, Hashable {
    public static let name = "create_index"
    public var file: String
    public var line: Int
    /// The index's name.
    public var index: String
    /// The table.
    public var table: String
    /// The columns, by the new version's names.
    public var columns: [String]
    /// True for a unique index.
    public var isUnique: Bool

    /// Creates the operation.
    public init(index: String, table: String, columns: [String], isUnique: Bool = false, file: String = "", line: Int = 1) {
        self.index = index
        self.table = table
        self.columns = columns
        self.isUnique = isUnique
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        index = try object.requiredString("name", example: "users_email_idx")
        table = try object.requiredString("table", example: "users")
        columns = try object.requiredStrings("columns", example: "[email]")
        isUnique = try object.bool("unique") ?? false
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (position, table) = try self.table(table, in: shape)
        // The new version's names map to physical columns: a column added or changed in this
        // migration is indexed in its shadow column, which `complete` renames into place.
        let columns = try self.columns.map { try column($0, of: table).physicalName }
        let physical = columns.map(SQLText.quotedIdentifier)
        let qualified = context.qualified(table.physicalName)
        let unique = isUnique ? "UNIQUE " : ""
        // Recorded so that a later alter_column of one of its columns builds it again on the shadow column.
        shape.tables[position].indexes?.append(IndexShape(
            name: index, columns: columns,
            definition: "CREATE \(unique)INDEX \(SQLText.quotedIdentifier(index)) ON \(qualified) USING btree (\(physical.joined(separator: ", ")))"))
        return [.statement(
            "CREATE \(unique)INDEX CONCURRENTLY \(SQLText.quotedIdentifier(index)) ON \(qualified) (\(physical.joined(separator: ", ")))",
            lock: .shareUpdateExclusive, table: qualified, runsInTransaction: false)]
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        let qualified = before.tables.first { $0.name == table }.map { context.qualified($0.physicalName) }
        return [.statement(
            "DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(context.schema, index))", lock: .shareUpdateExclusive, table: qualified,
            runsInTransaction: false)]
    }
}
