import CutoverCore
import CutoverOperations

/// A shape whose `products` has indexes and constraints on its columns, and a `vendors`
/// table `products` refers to, for the tests of `alter_column` through a shadow column.
enum AlterConstraintFixture {
    static let shape = VersionShape(tables: [
        TableShape(
            name: "vendors", columns: [ColumnShape(name: "id", type: "bigint", isNullable: false)],
            constraints: [ConstraintShape(name: "vendors_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)")],
            referencedBy: [IncomingForeignKey(name: "products_vendor_fk", table: "public.products", columns: ["id"])]),
        TableShape(
            name: "products",
            columns: [
                ColumnShape(name: "id", type: "bigint", isNullable: false),
                ColumnShape(name: "price", type: "integer", isNullable: false),
                ColumnShape(name: "sku", type: "text"),
                ColumnShape(name: "vendor_id", type: "bigint"),
            ],
            indexes: [
                IndexShape(
                    name: "products_price_idx", columns: ["price"],
                    definition: "CREATE INDEX products_price_idx ON public.products USING btree (price) WHERE (price > 10)"),
                IndexShape(
                    name: "products_sku_price_idx", columns: ["sku", "price"],
                    definition: "CREATE UNIQUE INDEX products_sku_price_idx ON public.products USING btree (sku, price)"),
            ],
            constraints: [
                ConstraintShape(name: "products_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)"),
                ConstraintShape(
                    name: "products_price_positive", kind: .check, columns: ["price"], definition: "CHECK (price > 0)", expression: "price > 0"),
                ConstraintShape(name: "products_price_key", kind: .unique, columns: ["price"], definition: "UNIQUE (price)"),
                ConstraintShape(
                    name: "products_vendor_fk", kind: .foreignKey, columns: ["vendor_id"],
                    definition: "FOREIGN KEY (vendor_id) REFERENCES public.vendors(id) ON DELETE CASCADE"),
            ]),
    ])

    /// Plans `yaml` against ``shape``.
    static func plan(_ yaml: String, shape: VersionShape = shape) throws -> ExpandContractPlan {
        try OperationFixture.parse(yaml).plan(shape: shape, context: OperationFixture.context)
    }

    /// The error planning `yaml` against `shape` throws.
    static func planError(_ yaml: String, shape: VersionShape = shape) -> CutoverError? {
        do {
            _ = try plan(yaml, shape: shape)
            return nil
        } catch {
            return error as? CutoverError
        }
    }
}
