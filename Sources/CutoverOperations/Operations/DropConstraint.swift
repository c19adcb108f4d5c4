import CutoverCore

/// `drop_constraint`: a constraint the new version no longer needs.
///
/// The old version may rely on it (a unique key it upserts on, a check it counts on), so it
/// stays until `complete`, which drops it (`DROP CONSTRAINT IF EXISTS`, a short lock; a unique
/// constraint takes its index with it). Start and abort do nothing.
///
/// ```yaml
/// - drop_constraint: { table: users, name: users_nickname_check }
/// ```
///
/// - Warning: until `complete`, the new version's writes must still satisfy the constraint.
public struct DropConstraint: ExpandContractOperation, Hashable {
    public static let name = "drop_constraint"
    public var file: String
    public var line: Int
    /// The table.
    public var table: String
    /// The constraint's name.
    public var constraint: String

    /// Creates the operation.
    public init(table: String, constraint: String, file: String = "", line: Int = 1) {
        self.table = table
        self.constraint = constraint
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "users")
        constraint = try object.requiredString("name", example: "users_nickname_check")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        _ = try self.table(table, in: shape)
        return []
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        return [.statement(
            "ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(SQLText.quotedIdentifier(constraint))", lock: .accessExclusive, table: qualified)]
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
