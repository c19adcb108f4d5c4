import CutoverCore
import CutoverOperations
import Foundation
import Testing

/// `alter_column`'s `check`, `unique` and `references` as the parser reads them, and the
/// shadow-column changes the planner refuses.
@Suite("alter_column rules: parsing and refusals")
struct AlterColumnConstraintValidationTests {
    @Test("check, unique and references are read, on_delete in any spelling")
    func readsRules() throws {
        let migration = try OperationFixture.parse("""
            operations:
              - alter_column:
                  table: products
                  column: price
                  check: { name: positive, constraint: "price > 0" }
                  unique: { name: price_key }
                  references: { name: price_fk, table: users, column: id, on_delete: set_null }
                  up: "GREATEST(price, 1)"
            """)
        let alter = try #require(migration.operations.first as? AlterColumn)
        #expect(alter.check == AlterColumn.Check(name: "positive", expression: "price > 0"))
        #expect(alter.unique == AlterColumn.Unique(name: "price_key"))
        #expect(alter.references == AlterColumn.Reference(name: "price_fk", table: "users", column: "id", onDelete: .setNull))
        #expect(alter.needsShadowColumn)
        let add = try #require(try OperationFixture.parse("""
            operations:
              - add_constraint: { table: products, name: fk, type: foreign_key, columns: [id], references: { table: users, columns: [id], on_delete: "SET DEFAULT" } }
            """).operations.first as? AddConstraint)
        #expect(add.references?.onDelete == .setDefault)
    }

    @Test("a malformed rule is an error at its line saying what is expected")
    func parseErrors() throws {
        let missing = try #require(OperationFixture.parseError("""
            operations:
              - alter_column:
                  table: products
                  column: price
                  check: { name: positive }
            """))
        #expect(missing.description == "20261201120000_fixture.yaml:5: alter_column.check needs the key \"constraint\"")
        #expect(missing.hint == "add `constraint: \"price > 0\"`")

        let notMapping = try #require(OperationFixture.parseError("""
            operations:
              - alter_column: { table: products, column: price, unique: price_key }
            """))
        #expect(notMapping.description.hasPrefix("20261201120000_fixture.yaml:2: alter_column.unique must be a mapping"))

        let action = try #require(OperationFixture.parseError("""
            operations:
              - alter_column:
                  table: products
                  column: price
                  references:
                    name: fk
                    table: users
                    column: id
                    on_delete: explode
            """))
        #expect(action.description == "20261201120000_fixture.yaml:9: alter_column.references.on_delete must be one of NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT, not the value \"explode\"")

        let unknownKey = try #require(OperationFixture.parseError("""
            operations:
              - alter_column:
                  table: products
                  column: price
                  references: { name: fk, table: users, columns: [id] }
            """))
        #expect(unknownKey.description == "20261201120000_fixture.yaml:5: alter_column.references needs the key \"column\"")

        let onDeleteElsewhere = try #require(OperationFixture.parseError("""
            operations:
              - add_constraint: { table: products, name: c, type: check, check: "price > 0", on_delete: CASCADE }
            """))
        #expect(onDeleteElsewhere.message == "add_constraint has no key \"on_delete\"")
    }

    @Test("a check or foreign key needs up; a check must name the column by its new name and read no other changed column")
    func checkRefusals() throws {
        let noUp = try #require(OperationFixture.planError("""
            operations:
              - alter_column: { table: products, column: price, check: { name: positive, constraint: "price > 0" } }
            """))
        #expect(noUp.message.contains("needs `up`"))
        #expect(noUp.line == 2)
        // A unique constraint alone needs no `up`.
        #expect(OperationFixture.planError("""
            operations:
              - alter_column: { table: products, column: price, unique: { name: price_key } }
            """) == nil)

        let oldName = try #require(OperationFixture.planError("""
            operations:
              - alter_column: { table: products, column: price, name: cost, up: price, check: { name: positive, constraint: "price > 0" } }
            """))
        #expect(oldName.message.contains("reads \"price\", which is not a column of the new version"))
        #expect(oldName.hint == "name the column by its new name, \"cost\"")

        let changed = try #require(OperationFixture.planError("""
            operations:
              - rename_column: { table: products, from: id, to: product_id }
              - alter_column: { table: products, column: price, up: price, check: { name: positive, constraint: "price > product_id" } }
            """))
        #expect(changed.message.contains("reads \"product_id\", which this migration adds, renames or changes"))
        #expect(changed.line == 3)
    }

    @Test("refused: a primary key column, a column another table's foreign key refers to, an index over two changed columns, a shape without indexes")
    func shadowRefusals() throws {
        let key = try #require(AlterConstraintFixture.planError("""
            operations:
              - alter_column: { table: products, column: id, type: integer, up: "id::integer", down: "id::bigint" }
            """))
        #expect(key.message.contains("\"id\" is part of the primary key \"products_pkey\" of \"products\""))
        #expect(key.hint?.contains(".sql migration") == true)

        let referenced = try #require(AlterConstraintFixture.planError("""
            operations:
              - alter_column: { table: vendors, column: id, nullable: true, down: "COALESCE(id, 0)" }
            """))
        #expect(referenced.message.contains("is referenced by the foreign key \"products_vendor_fk\" of \"public.products\""))
        #expect(referenced.hint?.contains("drop that foreign key") == true)
        #expect(referenced.line == 2)

        let both = try #require(AlterConstraintFixture.planError("""
            operations:
              - alter_column: { table: products, column: sku, type: varchar(20), up: "sku::varchar(20)", down: sku }
              - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
            """))
        #expect(both.message.contains("the index \"products_sku_price_idx\""))
        #expect(both.hint == "change one of these columns per migration")
        #expect(both.line == 3)

        var unknown = AlterConstraintFixture.shape
        unknown.tables[1].indexes = nil
        let old = try #require(AlterConstraintFixture.planError("""
            operations:
              - alter_column: { table: products, column: sku, type: varchar(20), up: "sku::varchar(20)", down: sku }
            """, shape: unknown))
        #expect(old.message.contains("recorded by an older Cutover"))

        // A change with no shadow column (a rename) is not refused.
        #expect(AlterConstraintFixture.planError("""
            operations:
              - alter_column: { table: products, column: id, name: product_id }
            """) == nil)
    }

    @Test("an index made by create_index earlier in the migration is rebuilt on the shadow column too")
    func indexOfTheSameMigration() throws {
        let plan = try OperationFixture.plan("""
            operations:
              - create_index: { name: products_price_idx, table: products, columns: [price] }
              - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
            """)
        let temporary = plan.start.map(\.sql).filter { $0.hasPrefix("CREATE INDEX CONCURRENTLY \"_cutover_") }
        #expect(temporary.count == 1)
        #expect(temporary.first?.hasSuffix("ON public.products USING btree (\"_cutover_new_price\")") == true)
        #expect(plan.complete.contains { $0.sql.contains("RENAME TO \"products_price_idx\"") })
    }

    @Test("the copy of a check that was never validated is not validated either")
    func unvalidatedCheck() throws {
        var shape = AlterConstraintFixture.shape
        shape.tables[1].constraints?[1].isValidated = false
        let yaml = """
            operations:
              - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
            """
        let validations = { (plan: ExpandContractPlan) in plan.complete.filter { $0.sql.contains("VALIDATE CONSTRAINT \"_cutover_") && $0.sql.contains("price_positive") } }
        #expect(validations(try AlterConstraintFixture.plan(yaml)).count == 1)
        #expect(validations(try AlterConstraintFixture.plan(yaml, shape: shape)).isEmpty)
    }

    @Test("a shape stored before indexes were recorded still decodes, with them unknown")
    func decodesOldShape() throws {
        let json = #"{"tables":[{"name":"users","physicalName":"users","columns":[{"name":"id","physicalName":"id","type":"bigint","isNullable":false}]}],"views":[]}"#
        let shape = try JSONDecoder().decode(VersionShape.self, from: Data(json.utf8))
        #expect(shape.tables.first?.indexes == nil)
        #expect(shape.tables.first?.columns.first?.name == "id")
        let roundTrip = try JSONDecoder().decode(VersionShape.self, from: JSONEncoder().encode(AlterConstraintFixture.shape))
        #expect(roundTrip == AlterConstraintFixture.shape)
    }

    @Test("SQLIdentifiers renames the column, not literals, types or functions")
    func renamesIdentifiers() {
        #expect(SQLIdentifiers.renaming("price", to: "\"new\"", in: "price > 0 AND note <> 'price' AND \"price\" < 10 AND x::price IS NULL AND price(1) = 1")
            == #""new" > 0 AND note <> 'price' AND "new" < 10 AND x::price IS NULL AND price(1) = 1"#)
    }
}
