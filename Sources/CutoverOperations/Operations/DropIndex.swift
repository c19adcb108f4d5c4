import CutoverCore

/// `drop_index`: the old version may still rely on the index, so it stays until `complete`,
/// which drops it concurrently. Start and abort do nothing.
///
/// ```yaml
/// - drop_index: { name: users_nickname_idx }
/// ```
public struct DropIndex: ExpandContractOperation, Hashable {
    public static let name = "drop_index"
    public var file: String
    public var line: Int
    /// The index's name.
    public var index: String

    /// Creates the operation.
    public init(index: String, file: String = "", line: Int = 1) {
        self.index = index
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        index = try object.requiredString("name", example: "users_nickname_idx")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] { [] }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        [.statement("DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(context.schema, index))", lock: .shareUpdateExclusive, table: nil, runsInTransaction: false)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
