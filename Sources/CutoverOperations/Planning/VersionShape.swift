/// The tables and columns one application version sees, each mapped to the physical table and
/// column that holds it.
///
/// During an expand phase the new version's names differ from the physical ones: a renamed
/// column is still stored under its old name, a column whose type changes lives in a shadow
/// column until `complete`. The planner turns the shape into the version schema's views
/// (`SELECT "name" AS "full_name" …`), and operations look columns up in it to validate their
/// input and to map the names they are given to physical ones.
///
/// ```swift
/// var shape = VersionShape(tables: [
///     .init(name: "users", columns: [.init(name: "id", type: "bigint", isNullable: false), .init(name: "name", type: "text")]),
/// ])
/// ```
public struct VersionShape: Sendable, Hashable, Codable {
    /// The tables, in creation order.
    public var tables: [TableShape]
    /// The views `create_view` adds to the version schema, by name.
    public var views: [String]

    /// Creates a shape.
    public init(tables: [TableShape], views: [String] = []) {
        self.tables = tables
        self.views = views
    }

    /// The index of the table named `name` in this version, or nil.
    public func tableIndex(_ name: String) -> Int? { tables.firstIndex { $0.name == name } }
}

/// A table as one version sees it.
public struct TableShape: Sendable, Hashable, Codable {
    /// The name this version uses.
    public var name: String
    /// The table's name in the database.
    public var physicalName: String
    /// The columns, in order.
    public var columns: [ColumnShape]
    /// The indexes that implement no constraint; nil when not known (a shape stored by an
    /// older Cutover decodes without them), and then no column may move to a shadow column.
    public var indexes: [IndexShape]?
    /// The table's constraints; nil when not known (see ``indexes``).
    public var constraints: [ConstraintShape]?
    /// The foreign keys of other tables that refer to this one; nil when not known.
    public var referencedBy: [IncomingForeignKey]?

    /// Creates a table; `physicalName` defaults to `name`.
    public init(
        name: String, physicalName: String? = nil, columns: [ColumnShape], indexes: [IndexShape] = [], constraints: [ConstraintShape] = [],
        referencedBy: [IncomingForeignKey] = []
    ) {
        self.name = name
        self.physicalName = physicalName ?? name
        self.columns = columns
        self.indexes = indexes
        self.constraints = constraints
        self.referencedBy = referencedBy
    }

    /// The column named `name` in this version, or nil.
    public func column(_ name: String) -> ColumnShape? { columns.first { $0.name == name } }
}

/// A column as one version sees it.
public struct ColumnShape: Sendable, Hashable, Codable {
    /// The name this version uses.
    public var name: String
    /// The column's name in the database.
    public var physicalName: String
    /// The SQL type, as written (`bigint`, `numeric(10,2)`).
    public var type: String
    /// False when the column is (or will be, after `complete`) NOT NULL.
    public var isNullable: Bool
    /// The default expression, or nil.
    public var defaultExpression: String?
    /// For a shadow column (`alter_column`'s `_cutover_new_<column>`), the physical column it
    /// replaces at `complete`; nil otherwise.
    public var shadows: String?

    /// Creates a column; `physicalName` defaults to `name`.
    public init(
        name: String, physicalName: String? = nil, type: String, isNullable: Bool = true, defaultExpression: String? = nil, shadows: String? = nil
    ) {
        self.name = name
        self.physicalName = physicalName ?? name
        self.type = type
        self.isNullable = isNullable
        self.defaultExpression = defaultExpression
        self.shadows = shadows
    }

    /// Whether this column holds, in the new version, the data of the physical column `physical`:
    /// it is that column (perhaps renamed) or the shadow column replacing it.
    public func carries(_ physical: String) -> Bool { physicalName == physical || shadows == physical }
}
