import CutoverCore
import CutoverOperations
import Testing

/// The SQL of `alter_column` with `check`, `unique` and `references`, of a shadow-column change
/// that rebuilds the column's indexes and constraints, and of `add_constraint`'s `on_delete`,
/// compared with `Golden/*.sql` (regenerate with `CUTOVER_UPDATE_GOLDEN=1`, then review the diff).
@Suite("alter_column rules and rebuilt indexes and constraints plan the golden SQL")
struct OperationGoldenAlterConstraintTests {
    @Test("alter_column check, unique and references: NOT VALID and concurrent on the shadow column, validated and attached at complete, dropped on abort")
    func alterColumnRules() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - alter_column:
                      table: products
                      column: price
                      check: { name: products_price_positive, constraint: "price > 0 AND price <> 13" }
                      unique: { name: products_price_key }
                      references: { name: products_price_fk, table: users, column: id, on_delete: SET NULL }
                      up: "GREATEST(price, 1)"
                      down: "price"
                """), "alter_column_rules")
    }

    @Test("alter_column type change: the column's indexes, check and unique constraint are built on the shadow column and take their names back at complete")
    func alterColumnRebuildsDependents() throws {
        try OperationFixture.expectGolden(
            AlterConstraintFixture.plan("""
                operations:
                  - alter_column:
                      table: products
                      column: price
                      type: bigint
                      up: "price::bigint"
                      down: "price::integer"
                """), "alter_column_dependents")
    }

    @Test("alter_column type change of a foreign key column: the foreign key is added NOT VALID on the shadow column, validated and renamed at complete")
    func alterColumnRebuildsForeignKey() throws {
        try OperationFixture.expectGolden(
            AlterConstraintFixture.plan("""
                operations:
                  - alter_column: { table: products, column: vendor_id, name: supplier_id, type: integer, up: "vendor_id::integer", down: "supplier_id::bigint" }
                """), "alter_column_foreign_key_dependent")
    }

    @Test("add_constraint foreign_key with on_delete")
    func addForeignKeyOnDelete() throws {
        try OperationFixture.expectGolden(
            AlterConstraintFixture.plan("""
                operations:
                  - add_constraint:
                      table: products
                      name: products_vendor_restrict
                      type: foreign_key
                      columns: [vendor_id]
                      references: { table: vendors, columns: [id], on_delete: restrict }
                """), "add_constraint_foreign_key_on_delete")
    }
}
