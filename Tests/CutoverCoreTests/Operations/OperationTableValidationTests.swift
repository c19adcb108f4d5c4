import CutoverCore
import CutoverOperations
import Testing

@Suite("table, constraint, view, function and trigger operations are checked against the version's tables")
struct OperationTableValidationTests {
    @Test("a missing table names the tables there are, for each operation that takes one")
    func missingTable() throws {
        let cases = [
            "drop_table: { table: user }",
            "rename_table: { from: user, to: accounts }",
            "add_constraint: { table: user, name: c, type: check, check: \"id > 0\" }",
            "drop_constraint: { table: user, name: c }",
            "create_trigger: { table: user, name: t, function: f, timing: after, events: [insert] }",
        ]
        for operation in cases {
            let error = try #require(OperationFixture.planError("operations:\n  - \(operation)\n"), "\(operation)")
            #expect(error.message.hasSuffix("table \"user\" does not exist in this version"), "\(operation)")
            #expect(error.hint == "tables: products, users")
            #expect(error.line == 2)
        }
    }

    @Test("a dropped table is gone for the operations after it; a renamed one is known by its new name only")
    func laterOperationsSeeTheNewNames() throws {
        let dropped = try #require(OperationFixture.planError("""
            operations:
              - drop_table: { table: products }
              - add_column: { table: products, column: { name: sku, type: text } }
            """))
        #expect(dropped.line == 3)
        #expect(dropped.hint == "tables: users")
        let renamed = try #require(OperationFixture.planError("""
            operations:
              - rename_table: { from: users, to: accounts }
              - drop_column: { table: users, column: nickname, down: "''" }
            """))
        #expect(renamed.hint == "tables: accounts, products")
    }

    @Test("rename_table refuses a name taken, and a second rename of the same table")
    func renameTableRefusals() throws {
        #expect(OperationFixture.planError("operations:\n  - rename_table: { from: users, to: products }\n")?.message
            == "rename_table: \"products\" already exists in this version")
        let twice = try #require(OperationFixture.planError("""
            operations:
              - rename_table: { from: users, to: accounts }
              - rename_table: { from: accounts, to: members }
            """))
        #expect(twice.message == "rename_table: table \"accounts\" was renamed from \"users\" earlier in this migration")
        #expect(twice.hint == "rename \"users\" to \"members\" in one rename_table")
        // A name the old version's table leaves in this migration may be taken by a rename: complete drops first, then renames.
        let plan = try OperationFixture.plan("""
            operations:
              - drop_table: { table: users }
              - rename_table: { from: products, to: users }
            """)
        #expect(plan.shape.tables.map(\.name) == ["users"])
        #expect(plan.complete.map(\.sql) == ["DROP TABLE IF EXISTS public.users", "ALTER TABLE public.products RENAME TO \"users\""])
    }

    @Test("create_table and create_view refuse the name of a table the database keeps until complete")
    func physicalNamesTaken() throws {
        let error = try #require(OperationFixture.planError("""
            operations:
              - drop_table: { table: products }
              - create_table: { name: products, columns: [{ name: id, type: int }] }
            """))
        #expect(error.message == "create_table: the table \"products\" keeps that name in the database until `complete`")
        #expect(error.line == 3)
        #expect(OperationFixture.planError("operations:\n  - create_view: { name: users, sql: SELECT 1 }\n")?.message
            == "create_view: \"users\" already exists in this version")
        #expect(OperationFixture.planError("""
            operations:
              - create_view: { name: v, sql: SELECT 1 }
              - create_table: { name: v, columns: [{ name: id, type: int }] }
            """)?.message == "create_table: \"v\" already exists in this version")
    }

    @Test("add_constraint: unknown columns name the columns there are, in the table and the referenced table")
    func constraintColumns() throws {
        let unique = try #require(OperationFixture.planError("operations:\n  - add_constraint: { table: users, name: k, type: unique, columns: [email] }\n"))
        #expect(unique.message == "add_constraint: column \"email\" does not exist in table \"users\"")
        #expect(unique.hint == "columns: id, name, nickname")
        let foreign = try #require(OperationFixture.planError("""
            operations:
              - add_constraint: { table: products, name: fk, type: foreign_key, columns: [id], references: { table: users, columns: [uid] } }
            """))
        #expect(foreign.message == "add_constraint: column \"uid\" does not exist in table \"users\"")
        let target = try #require(OperationFixture.planError("""
            operations:
              - add_constraint: { table: products, name: fk, type: foreign_key, columns: [id], references: { table: user, columns: [id] } }
            """))
        #expect(target.hint == "tables: products, users")
    }

    @Test("a check may not read a column this migration adds, renames or changes: it is stored under another name until complete")
    func checkOnShadowedColumn() throws {
        let error = try #require(OperationFixture.planError("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - add_constraint: { table: users, name: c, type: check, check: "length(full_name) > 0 AND name_len('full_name') > 0" }
            """))
        #expect(error.message == "add_constraint: the check reads \"full_name\", which this migration adds, renames or changes: until complete it is stored as \"name\"")
        #expect(error.line == 3)
        // In a string literal, or a column the migration leaves alone, it is fine.
        let plan = try OperationFixture.plan("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - add_constraint: { table: users, name: c, type: check, check: "nickname <> 'full_name'" }
            """)
        #expect(plan.start.first?.sql == "ALTER TABLE public.users ADD CONSTRAINT \"c\" CHECK (nickname <> 'full_name') NOT VALID")
    }

    @Test("create_view and replace_function refuse the text Cutover quotes them with")
    func delimiterRefused() throws {
        #expect(OperationFixture.planError("operations:\n  - create_view: { name: v, sql: \"SELECT $cutover$x$cutover$\" }\n")?.message
            .hasPrefix("create_view: the sql contains $cutover$") == true)
        #expect(OperationFixture.planError("""
            operations:
              - replace_function: { name: f, returns: int, body: "BEGIN RETURN 1; END $cutover$" }
            """)?.message.hasPrefix("replace_function: body contains $cutover$") == true)
    }

    @Test("create_trigger at complete follows a later rename of its table, and is left out when a later drop_table removes it")
    func triggerFollowsTheTable() throws {
        let renamed = try OperationFixture.plan("""
            operations:
              - create_trigger: { table: users, name: t, function: f, timing: before, events: [update] }
              - rename_table: { from: users, to: accounts }
            """)
        #expect(renamed.complete.last?.sql == "CREATE OR REPLACE TRIGGER \"t\" BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.f()")
        let dropped = try OperationFixture.plan("""
            operations:
              - create_trigger: { table: users, name: t, function: f, timing: before, events: [update] }
              - drop_table: { table: users }
            """)
        #expect(dropped.complete.map(\.sql) == ["DROP TABLE IF EXISTS public.users"])
    }
}
