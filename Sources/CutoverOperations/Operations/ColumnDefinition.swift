import CutoverCore

/// A column as `create_table` and `add_column` declare it.
///
/// ```yaml
/// column:
///   name: age
///   type: integer
///   nullable: false      # default true
///   default: "0"         # an SQL expression
///   primary_key: false   # create_table only
/// ```
public struct ColumnDefinition: Sendable, Hashable {
    /// The column's name.
    public var name: String
    /// The SQL type.
    public var type: String
    /// False for NOT NULL.
    public var isNullable: Bool
    /// The default, an SQL expression.
    public var defaultExpression: String?
    /// True for a (single-column) primary key.
    public var isPrimaryKey: Bool

    /// Creates a column definition.
    public init(name: String, type: String, isNullable: Bool = true, defaultExpression: String? = nil, isPrimaryKey: Bool = false) {
        self.name = name
        self.type = type
        self.isNullable = isNullable
        self.defaultExpression = defaultExpression
        self.isPrimaryKey = isPrimaryKey
    }

    init(_ object: YAMLObject, allowsPrimaryKey: Bool) throws {
        var object = object
        name = try object.requiredString("name", example: "email")
        type = try object.requiredString("type", example: "text")
        isNullable = try object.bool("nullable") ?? true
        defaultExpression = try object.string("default")
        isPrimaryKey = allowsPrimaryKey ? try object.bool("primary_key") ?? false : false
        try object.finish()
    }

    /// `"name" type [NOT NULL] [DEFAULT …] [PRIMARY KEY]` under `physicalName`.
    func sql(named physicalName: String, notNull: Bool) -> String {
        var text = "\(SQLText.quotedIdentifier(physicalName)) \(type)"
        if let defaultExpression { text += " DEFAULT \(defaultExpression)" }
        if notNull { text += " NOT NULL" }
        if isPrimaryKey { text += " PRIMARY KEY" }
        return text
    }

    /// The column as the new version sees it, stored under `physicalName`.
    func shape(physicalName: String) -> ColumnShape {
        ColumnShape(name: name, physicalName: physicalName, type: type, isNullable: isNullable && !isPrimaryKey, defaultExpression: defaultExpression)
    }
}
