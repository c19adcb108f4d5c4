import CutoverCore

extension VersionShape {
    /// The shape of the tables of one schema as introspected from the database (every name
    /// its own physical name): what the old version sees before the first expand/contract
    /// migration, with each table's indexes, constraints and the foreign keys that refer to it.
    ///
    /// ```swift
    /// let shape = VersionShape(schema: try await database.schema(), named: "public")
    /// ```
    ///
    /// - Parameters:
    ///   - schema: the introspected schema.
    ///   - name: the schema whose tables to take (`public`).
    public init(schema: Schema, named name: String) {
        let inSchema = { (object: Schema.ObjectName) in (object.schema ?? name) == name }
        let tables = schema.tables.filter { inSchema($0.name) && $0.partitionOf == nil }
        // SQLite applies a migration by rebuilding the table with its indexes and constraints
        // (SQLiteOperationApplier): nothing is copied onto a shadow column there.
        let recordsDependents = schema.dialect != "sqlite"
        self.init(tables: tables.map { table in
            let columnNames = table.columns.map(\.name)
            let indexes = schema.indexes.filter { inSchema($0.table) && $0.table.name == table.name.name }.map { index in
                IndexShape(name: index.name.name, columns: Self.columns(of: index.definition, among: columnNames), definition: index.definition)
            }
            let constraints = table.constraints.map { constraint in
                ConstraintShape(
                    name: constraint.name, kind: constraint.kind,
                    columns: constraint.columns.isEmpty ? Self.columns(of: constraint.expression ?? constraint.definition, among: columnNames) : constraint.columns,
                    definition: constraint.definition, expression: constraint.expression, isDeferrable: constraint.isDeferrable,
                    isInitiallyDeferred: constraint.isInitiallyDeferred, isValidated: constraint.isValidated)
            }
            let incoming = schema.tables.flatMap { other in
                other.foreignKeys.compactMap { key -> IncomingForeignKey? in
                    guard let reference = key.references, reference.table.name == table.name.name, (reference.table.schema ?? name) == name else { return nil }
                    return IncomingForeignKey(name: key.name, table: other.name.description, columns: reference.columns)
                }
            }
            return TableShape(
                name: table.name.name,
                columns: table.columns.map {
                    ColumnShape(name: $0.name, type: $0.type, isNullable: $0.isNullable, defaultExpression: $0.defaultExpression)
                },
                indexes: recordsDependents ? indexes : [], constraints: recordsDependents ? constraints : [],
                referencedBy: recordsDependents ? incoming : [])
        })
    }

    /// The columns of `names` that `sql` reads (an index definition after its `ON table`
    /// clause, or an expression).
    static func columns(of sql: String, among names: [String]) -> [String] {
        let body = sql.firstRange(of: " USING ").map { String(sql[$0.upperBound...]) } ?? sql
        let read = Set(SQLIdentifiers.identifiers(in: body))
        return names.filter { read.contains($0) }
    }
}
