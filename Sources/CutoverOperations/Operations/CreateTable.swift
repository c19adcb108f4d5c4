import CutoverCore

/// `create_table`: a new table. Nothing reads it yet, so it is created as is during the
/// expand phase; abort drops it.
///
/// ```yaml
/// - create_table:
///     name: orders
///     columns:
///       - { name: id, type: bigint, primary_key: true }
///       - { name: total, type: numeric(10,2), nullable: false, default: "0" }
/// ```
public struct CreateTable: ExpandContractOperation, Hashable {
    public static let name = "create_table"
    public var file: String
    public var line: Int
    /// The table's name.
    public var table: String
    /// Its columns, in order.
    public var columns: [ColumnDefinition]

    /// Creates the operation.
    public init(table: String, columns: [ColumnDefinition], file: String = "", line: Int = 1) {
        self.table = table
        self.columns = columns
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("name", example: "orders")
        columns = try object.requiredList("columns", example: "[{ name: id, type: bigint, primary_key: true }]").map {
            try ColumnDefinition(YAMLObject($0, path: "create_table.columns", file: object.file), allowsPrimaryKey: true)
        }
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        if shape.tableIndex(table) != nil { throw invalid("table \"\(table)\" already exists", hint: "choose another name") }
        // A table dropped or renamed in this migration keeps its name until complete.
        try requireNoRelation(table, in: shape, context: context)
        var seen: Set<String> = []
        for column in columns where !seen.insert(column.name).inserted {
            throw invalid("column \"\(column.name)\" is declared twice")
        }
        // The key is recorded so that a later operation of the migration knows it (alter_column refuses to move it).
        let key = columns.filter(\.isPrimaryKey).map(\.name)
        let constraints = key.isEmpty ? [] : [ConstraintShape(
            name: "\(table)_pkey", kind: .primaryKey, columns: key, definition: "PRIMARY KEY (\(key.map(SQLText.quotedIdentifier).joined(separator: ", ")))")]
        shape.tables.append(TableShape(name: table, columns: columns.map { $0.shape(physicalName: $0.name) }, constraints: constraints))
        let body = columns.map { "  " + $0.sql(named: $0.name, notNull: !$0.isNullable) }.joined(separator: ",\n")
        let qualified = context.qualified(table)
        return [.statement("CREATE TABLE \(qualified) (\n\(body)\n)", lock: .accessExclusive, table: qualified)]
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        let qualified = context.qualified(table)
        return [.statement("DROP TABLE IF EXISTS \(qualified)", lock: .accessExclusive, table: qualified)]
    }
}
