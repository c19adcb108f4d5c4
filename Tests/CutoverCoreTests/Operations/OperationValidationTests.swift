import CutoverCore
import CutoverOperations
import Testing

@Suite("operations are checked against the version's tables when planned")
struct OperationValidationTests {
    @Test("a missing table names the tables there are, at the operation's line")
    func missingTable() throws {
        let error = try #require(OperationFixture.planError("""
            operations:
              - drop_index: { name: a }
              - add_column: { table: user, column: { name: bio, type: text } }
            """))
        #expect(error.description == "20261201120000_fixture.yaml:3: add_column: table \"user\" does not exist in this version")
        #expect(error.hint == "tables: products, users")
        #expect(error.migrationID == OperationFixture.id)
    }

    @Test("a missing column names the columns there are")
    func missingColumn() throws {
        let error = try #require(OperationFixture.planError("operations:\n  - rename_column: { table: users, from: fullname, to: x }\n"))
        #expect(error.message == "rename_column: column \"fullname\" does not exist in table \"users\"")
        #expect(error.hint == "columns: id, name, nickname")
    }

    @Test("a column changed twice in one expand phase is refused at the second change, naming the first", arguments: [
        "  - alter_column: { table: users, column: full_name, type: varchar(200), up: \"full_name::varchar(200)\", down: \"full_name\" }\n",
        "  - rename_column: { table: users, from: full_name, to: display_name }\n",
        "  - drop_column: { table: users, column: full_name, down: \"'?'\" }\n",
    ])
    func oneChangePerColumn(second: String) throws {
        let error = try #require(OperationFixture.planError("operations:\n  - rename_column: { table: users, from: name, to: full_name }\n" + second))
        #expect(error.line == 3)
        #expect(error.message.contains("column \"full_name\" of \"users\" is already changed by the operation at 20261201120000_fixture.yaml:2"), "\(error.message)")
        #expect(error.hint == "move this change to a later migration and start it once this one is completed")
        // An added column, too.
        let added = try #require(OperationFixture.planError("operations:\n  - add_column: { table: users, column: { name: bio, type: text } }\n  - rename_column: { table: users, from: bio, to: about }\n"))
        #expect(added.line == 3)
    }

    @Test("later operations see earlier ones: a renamed column is gone under its old name")
    func operationsSeeEachOther() throws {
        let error = try #require(OperationFixture.planError("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - drop_column: { table: users, column: name }
            """))
        #expect(error.line == 3)
        #expect(error.hint == "columns: id, full_name, nickname")
        let plan = try OperationFixture.plan("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - create_index: { name: users_full_name_idx, table: users, columns: [full_name] }
            """)
        #expect(plan.start.first?.sql == "CREATE INDEX CONCURRENTLY \"users_full_name_idx\" ON public.users (\"name\")")
    }

    @Test("NOT NULL without a way to fill it is refused: add_column without up or default, drop_column without down")
    func notNullNeedsAValue() throws {
        #expect(OperationFixture.planError("operations:\n  - add_column: { table: users, column: { name: age, type: int, nullable: false } }\n")?
            .message.contains("needs `up` or a `default`") == true)
        #expect(OperationFixture.planError("operations:\n  - drop_column: { table: products, column: price }\n")?
            .message.contains("needs `down`") == true)
        #expect(OperationFixture.planError("operations:\n  - alter_column: { table: products, column: price, type: bigint, up: price }\n")?
            .message.contains("needs both `up`") == true)
        #expect(OperationFixture.planError("operations:\n  - alter_column: { table: users, column: name, nullable: false }\n")?
            .message.contains("needs `up`") == true)
    }

    @Test("names already taken are refused")
    func namesTaken() throws {
        #expect(OperationFixture.planError("operations:\n  - rename_column: { table: users, from: name, to: nickname }\n")?
            .message == "rename_column: column \"nickname\" already exists in table \"users\"")
        #expect(OperationFixture.planError("operations:\n  - create_table: { name: users, columns: [{ name: id, type: int }] }\n")?
            .message == "create_table: table \"users\" already exists")
    }
}
