import CutoverCore
import CutoverOperations
import Testing

/// The SQL each operation plans for start, complete and abort, compared with `Golden/*.sql`
/// (regenerate with `CUTOVER_UPDATE_GOLDEN=1 swift test --filter OperationGoldenTests`, then
/// review the diff).
@Suite("operations plan the golden SQL for start, complete and abort")
struct OperationGoldenTests {
    @Test("create_table: created at start, dropped on abort")
    func createTable() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - create_table:
                      name: orders
                      columns:
                        - { name: id, type: bigint, primary_key: true }
                        - { name: user_id, type: bigint, nullable: false }
                        - { name: total, type: "numeric(10,2)", nullable: false, default: "0" }
                """), "create_table")
    }

    @Test("add_column NOT NULL with up: shadow column, NOT VALID check, up trigger, backfill; complete validates and renames")
    func addColumn() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - add_column:
                      table: users
                      column: { name: status, type: text, nullable: false, default: "'active'" }
                      up: "CASE WHEN nickname = '' THEN 'new' ELSE 'active' END"
                """), "add_column")
    }

    @Test("add_column nullable without up: only the shadow column and its rename")
    func addNullableColumn() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - add_column: { table: users, column: { name: bio, type: text } }
                """), "add_column_nullable")
    }

    @Test("drop_column with down: hidden from the new version, filled by a down trigger, dropped at complete")
    func dropColumn() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - drop_column: { table: users, column: nickname, down: "COALESCE(name, '')" }
                """), "drop_column")
    }

    @Test("rename_column: a view alias until complete renames the column")
    func renameColumn() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - rename_column: { table: users, from: name, to: full_name }
                """), "rename_column")
    }

    @Test("alter_column type and nullability: shadow column, triggers both ways, complete swaps the columns")
    func alterColumnType() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - alter_column:
                      table: products
                      column: price
                      type: "numeric(12,2)"
                      up: "price::numeric(12,2)"
                      down: "round(price)::integer"
                """), "alter_column_type")
    }

    @Test("alter_column nullable false: NOT VALID check at start, validated at complete")
    func alterColumnNotNull() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - alter_column: { table: users, column: name, nullable: false, up: "COALESCE(name, 'unknown')" }
                """), "alter_column_not_null")
    }

    @Test("alter_column default alone: SET DEFAULT at start, the old default restored on abort")
    func alterColumnDefault() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - alter_column: { table: users, column: nickname, default: "'anonymous'" }
                """), "alter_column_default")
    }

    @Test("create_index: concurrently at start, dropped concurrently on abort")
    func createIndex() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - create_index: { name: users_name_idx, table: users, columns: [name], unique: true }
                """), "create_index")
    }

    @Test("drop_index: kept for the old version until complete drops it concurrently")
    func dropIndex() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - drop_index: { name: users_nickname_idx }
                """), "drop_index")
    }

    @Test("sql: up at start, down on abort")
    func rawSQL() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - sql:
                      up: CREATE EXTENSION IF NOT EXISTS citext;
                      down: DROP EXTENSION IF EXISTS citext
                """), "sql")
    }

    @Test("several operations: rename plus type change plus new NOT NULL column plus index, after a previous version")
    func combined() throws {
        let context = OperationContext(schema: "public", migrationID: OperationFixture.id, previousVersionSchema: "public_20261101000000")
        try OperationFixture.expectGolden(
            OperationFixture.plan(
                """
                operations:
                  - rename_column: { table: users, from: name, to: full_name }
                  - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
                  - add_column:
                      table: users
                      column: { name: status, type: text, nullable: false, default: "'active'" }
                  - create_index: { name: users_status_idx, table: users, columns: [status] }
                """, context: context), "combined")
    }

    // MARK: - Tables, constraints, views, functions, triggers

    @Test("drop_table: left out of the version schema at start, dropped by complete")
    func dropTable() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - drop_table: { table: products }
                """), "drop_table")
    }

    @Test("rename_table: a view under the new name at start, renamed by complete")
    func renameTable() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - rename_table: { from: users, to: accounts }
                """), "rename_table")
    }

    @Test("rename_table then operations on the new name: they change the physical table; complete renames it after them, the trigger goes on the final name")
    func renameTableWithLaterOperations() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - rename_table: { from: users, to: accounts }
                  - add_column:
                      table: accounts
                      column: { name: status, type: text, nullable: false, default: "'active'" }
                      up: "'active'"
                  - create_trigger: { table: accounts, name: accounts_audit, function: audit_row, timing: after, events: [insert, update] }
                  - drop_table: { table: products }
                """), "rename_table_with_operations")
    }

    @Test("add_constraint check: NOT VALID at start, validated by complete, dropped on abort")
    func addCheckConstraint() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - add_constraint: { table: products, name: products_price_positive, type: check, check: "price > 0;" }
                """), "add_constraint_check")
    }

    @Test("add_constraint unique: a unique index built concurrently at start, attached as the constraint by complete")
    func addUniqueConstraint() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - rename_column: { table: users, from: name, to: full_name }
                  - add_constraint: { table: users, name: users_full_name_key, type: unique, columns: [full_name] }
                """), "add_constraint_unique")
    }

    @Test("add_constraint foreign_key: NOT VALID at start, validated by complete")
    func addForeignKey() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - create_table:
                      name: orders
                      columns:
                        - { name: id, type: bigint, primary_key: true }
                        - { name: user_id, type: bigint }
                  - add_constraint:
                      table: orders
                      name: orders_user_fk
                      type: foreign_key
                      columns: [user_id]
                      references: { table: users, columns: [id] }
                """), "add_constraint_foreign_key")
    }

    @Test("drop_constraint: kept for the old version until complete drops it")
    func dropConstraint() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - drop_constraint: { table: users, name: users_nickname_check }
                """), "drop_constraint")
    }

    @Test("create_view: in the version schema after its table views at start, in the base schema last in complete")
    func createView() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - create_view:
                      name: named_users
                      sql: "SELECT id, full_name FROM users WHERE full_name <> 'it''s me'"
                  - rename_column: { table: users, from: name, to: full_name }
                """), "create_view")
    }

    @Test("replace_function: in the version schema at start, in the base schema by complete")
    func replaceFunction() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - replace_function:
                      name: user_label
                      args: "u users"
                      returns: text
                      language: sql
                      body: "SELECT u.name || ' $body$ ' || u.nickname"
                """), "replace_function")
    }

    @Test("create_trigger: created by complete by default; at_start creates it at start and abort drops it")
    func createTrigger() throws {
        try OperationFixture.expectGolden(
            OperationFixture.plan("""
                operations:
                  - create_trigger: { table: users, name: users_audit, function: audit_row, timing: after, events: [insert, update, delete] }
                  - create_trigger:
                      table: products
                      name: products_truncated
                      function: note_truncate
                      timing: before
                      events: [truncate]
                      for_each: statement
                      at_start: true
                """), "create_trigger")
    }
}
