import CutoverCore

extension VersionShape {
    /// The shape of the tables of one schema as introspected from the database (every name
    /// its own physical name): what the old version sees before the first expand/contract
    /// migration.
    ///
    /// ```swift
    /// let shape = VersionShape(schema: try await database.schema(), named: "public")
    /// ```
    ///
    /// - Parameters:
    ///   - schema: the introspected schema.
    ///   - name: the schema whose tables to take (`public`).
    public init(schema: Schema, named name: String) {
        self.init(tables: schema.tables.filter { ($0.name.schema ?? name) == name && $0.partitionOf == nil }.map { table in
            TableShape(name: table.name.name, columns: table.columns.map {
                ColumnShape(name: $0.name, type: $0.type, isNullable: $0.isNullable, defaultExpression: $0.defaultExpression)
            })
        })
    }
}
