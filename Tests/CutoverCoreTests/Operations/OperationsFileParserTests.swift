import CutoverCore
import CutoverOperations
import Testing

@Suite("OperationsFileParser reads .yaml migrations and points at the line of a mistake")
struct OperationsFileParserTests {
    @Test("reads the id, the name and each operation with its line")
    func readsOperations() throws {
        let migration = try OperationFixture.parse("""
            # rename and extend users
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - add_column:
                  table: users
                  column: { name: status, type: text }
              - drop_index: { name: users_nickname_idx }
            """)
        #expect(migration.id == OperationFixture.id)
        #expect(migration.name == "fixture")
        #expect(migration.operations.map { type(of: $0).name } == ["rename_column", "add_column", "drop_index"])
        #expect(migration.operations.map(\.line) == [3, 4, 7])
        let rename = try #require(migration.operations.first as? RenameColumn)
        #expect(rename == RenameColumn(table: "users", from: "name", to: "full_name", file: "20261201120000_fixture.yaml", line: 3))
        let add = try #require(migration.operations[1] as? AddColumn)
        #expect(add.column == ColumnDefinition(name: "status", type: "text"))
    }

    @Test("an unknown operation names the known ones, at its line")
    func unknownOperation() throws {
        let error = try #require(OperationFixture.parseError("""
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - add_colum: { table: users }
            """))
        #expect(error.description == "20261201120000_fixture.yaml:3: unknown operation \"add_colum\"")
        #expect(error.hint == "operations: add_column, add_constraint, alter_column, create_index, create_table, create_trigger, create_view, drop_column, drop_constraint, drop_index, drop_table, rename_column, rename_table, replace_function, sql")
        #expect(error.code == .invalidMigration)
    }

    @Test("a missing required key says which and gives an example, at the operation's line")
    func missingKey() throws {
        let error = try #require(OperationFixture.parseError("""
            operations:

              - rename_column:
                  table: users
                  from: name
            """))
        #expect(error.description == "20261201120000_fixture.yaml:3: rename_column needs the key \"to\"")
        #expect(error.hint == "add `to: full_name`")
    }

    @Test("a misspelt key is an error listing the allowed keys, at its own line")
    func unknownKey() throws {
        let error = try #require(OperationFixture.parseError("""
            operations:
              - add_column:
                  table: users
                  column:
                    name: age
                    type: integer
                    nulable: false
            """))
        #expect(error.description == "20261201120000_fixture.yaml:7: add_column.column has no key \"nulable\"")
        #expect(error.hint == "allowed keys: default, name, nullable, type")
    }

    @Test("a wrong type says what was expected, at the value's line")
    func wrongType() throws {
        let error = try #require(OperationFixture.parseError("""
            operations:
              - alter_column:
                  table: users
                  column: name
                  nullable: sometimes
            """))
        #expect(error.description == "20261201120000_fixture.yaml:5: alter_column.nullable must be true or false, not the value \"sometimes\"")

        let list = try #require(OperationFixture.parseError("operations:\n  - create_index: { name: i, table: users, columns: name }\n"))
        #expect(list.description.hasPrefix("20261201120000_fixture.yaml:2: create_index.columns must be a list"))
    }

    @Test("the file must hold an operations list; items must be one-key mappings")
    func shapeOfTheFile() throws {
        #expect(OperationFixture.parseError("")?.description == "20261201120000_fixture.yaml:1: the file is empty")
        #expect(OperationFixture.parseError("steps: []\n")?.description == "20261201120000_fixture.yaml:1: the file needs the key \"operations\"")
        #expect(OperationFixture.parseError("operations: nope\n")?.description
            == "20261201120000_fixture.yaml:1: operations must be a list (lines starting with `- `), not the value \"nope\"")
        let twoKeys = try #require(OperationFixture.parseError("""
            operations:
              - drop_index: { name: a }
                drop_column: { table: users, column: name }
            """))
        #expect(twoKeys.line == 2)
        #expect(twoKeys.message.hasPrefix("each operation must be a mapping with one key"))
    }

    @Test("YAML syntax errors keep Yams' line")
    func syntaxError() throws {
        let error = try #require(OperationFixture.parseError("operations:\n  - sql: { up: \"SELECT 1\"\n"))
        #expect(error.message.hasPrefix("not valid YAML: "))
        #expect(error.line != nil)
        #expect(error.file == "20261201120000_fixture.yaml")
    }

    @Test("the file name must be <id>_<name>.yaml")
    func fileName() throws {
        #expect(throws: CutoverError.self) { try OperationsFileParser.parse("operations: []", fileName: "rename.yaml") }
        let migration = try OperationsFileParser.parse("operations:\n  - drop_index: { name: a }\n", fileName: "migrations/7_drop_a.yml")
        #expect(migration.id == MigrationID("7"))
        #expect(migration.name == "drop_a")
    }

    @Test("alter_column that changes nothing is refused")
    func alterNothing() throws {
        let error = try #require(OperationFixture.parseError("operations:\n  - alter_column: { table: users, column: name }\n"))
        #expect(error.description == "20261201120000_fixture.yaml:2: alter_column changes nothing")
    }

    @Test("reads the table, constraint, view, function and trigger operations")
    func readsMoreOperations() throws {
        let migration = try OperationFixture.parse("""
            operations:
              - drop_table: { table: sessions }
              - rename_table: { from: users, to: accounts }
              - add_constraint: { table: accounts, name: c, type: check, check: "id > 0" }
              - add_constraint:
                  table: orders
                  name: orders_user_fk
                  type: foreign_key
                  columns: [user_id]
                  references: { table: accounts, columns: [id] }
              - drop_constraint: { table: accounts, name: accounts_nickname_check }
              - create_view: { name: v, sql: "SELECT id FROM accounts;" }
              - replace_function: { name: f, returns: int, body: "BEGIN RETURN 1; END" }
              - create_trigger: { table: accounts, name: t, function: f, timing: AFTER, events: [insert, delete] }
            """)
        let file = "20261201120000_fixture.yaml"
        #expect(migration.operations.map(\.line) == [2, 3, 4, 5, 11, 12, 13, 14])
        #expect(migration.operations[0] as? DropTable == DropTable(table: "sessions", file: file, line: 2))
        #expect(migration.operations[1] as? RenameTable == RenameTable(from: "users", to: "accounts", file: file, line: 3))
        #expect(migration.operations[2] as? AddConstraint == AddConstraint(table: "accounts", constraint: "c", kind: .check, check: "id > 0", file: file, line: 4))
        #expect(migration.operations[3] as? AddConstraint == AddConstraint(
            table: "orders", constraint: "orders_user_fk", kind: .foreignKey, columns: ["user_id"],
            references: .init(table: "accounts", columns: ["id"]), file: file, line: 5))
        #expect(migration.operations[4] as? DropConstraint == DropConstraint(table: "accounts", constraint: "accounts_nickname_check", file: file, line: 11))
        #expect(migration.operations[5] as? CreateView == CreateView(view: "v", sql: "SELECT id FROM accounts", file: file, line: 12))
        #expect(migration.operations[6] as? ReplaceFunction == ReplaceFunction(function: "f", returns: "int", body: "BEGIN RETURN 1; END", file: file, line: 13))
        #expect(migration.operations[7] as? CreateTrigger == CreateTrigger(
            table: "accounts", trigger: "t", function: "f", timing: .after, events: [.insert, .delete], file: file, line: 14))
    }

    @Test("add_constraint: the type is one of three, each with its own keys, at the line of the mistake")
    func addConstraintKeys() throws {
        let type = try #require(OperationFixture.parseError("""
            operations:
              - add_constraint:
                  table: users
                  name: c
                  type: primary_key
            """))
        #expect(type.description == "20261201120000_fixture.yaml:5: add_constraint.type must be one of check, unique, foreign_key, not \"primary_key\"")
        let missing = try #require(OperationFixture.parseError("operations:\n  - add_constraint: { table: users, name: c, type: check }\n"))
        #expect(missing.description == "20261201120000_fixture.yaml:2: add_constraint needs the key \"check\"")
        let foreignKeyOnly = try #require(OperationFixture.parseError("""
            operations:
              - add_constraint:
                  table: users
                  name: c
                  type: unique
                  columns: [name]
                  references: { table: products, columns: [id] }
            """))
        #expect(foreignKeyOnly.description == "20261201120000_fixture.yaml:7: add_constraint has no key \"references\"")
        #expect(foreignKeyOnly.hint == "allowed keys: columns, down, name, table, type, up")
        let noReferences = try #require(OperationFixture.parseError("operations:\n  - add_constraint: { table: users, name: c, type: foreign_key, columns: [id] }\n"))
        #expect(noReferences.message == "add_constraint needs the key \"references\"")
        let counts = try #require(OperationFixture.parseError("""
            operations:
              - add_constraint:
                  table: users
                  name: c
                  type: foreign_key
                  columns: [id, name]
                  references:
                    table: products
                    columns: [id]
            """))
        #expect(counts.description == "20261201120000_fixture.yaml:8: add_constraint: the foreign key has 2 column(s) but references 1")
        let target = try #require(OperationFixture.parseError("""
            operations:
              - add_constraint:
                  table: users
                  name: c
                  type: foreign_key
                  columns: [id]
                  references: { table: products, column: [id] }
            """))
        #expect(target.message == "add_constraint.references needs the key \"columns\"")
    }

    @Test("create_trigger: timing, events, for_each, columns and when are checked; a truncate trigger must be per statement")
    func createTriggerKeys() throws {
        let timing = try #require(OperationFixture.parseError("""
            operations:
              - create_trigger:
                  table: users
                  name: t
                  function: f
                  timing: instead_of
                  events: [insert]
            """))
        #expect(timing.description == "20261201120000_fixture.yaml:6: create_trigger.timing must be one of before, after, not \"instead_of\"")
        let event = try #require(OperationFixture.parseError("operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [upsert] }\n"))
        #expect(event.message == "create_trigger.events must be one of insert, update, delete, truncate, not \"upsert\"")
        let truncate = try #require(OperationFixture.parseError("operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [truncate] }\n"))
        #expect(truncate.message == "create_trigger: a truncate trigger fires once per statement")
        let unknown = try #require(OperationFixture.parseError("operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [insert], if: x }\n"))
        #expect(unknown.hint == "allowed keys: at_start, columns, events, for_each, function, name, table, timing, when")
        let columns = try #require(OperationFixture.parseError("operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [insert], columns: [name] }\n"))
        #expect(columns.message == "create_trigger: columns lists the columns whose update fires it, but events has no update")
        let statementWhen = try #require(OperationFixture.parseError(
            "operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [update], for_each: statement, when: \"NEW.a > 0\" }\n"))
        #expect(statementWhen.message == "create_trigger: a statement trigger's when cannot read a row")
        let function = try #require(OperationFixture.parseError("operations:\n  - replace_function: { name: f, body: x }\n"))
        #expect(function.message == "replace_function needs the key \"returns\"")
    }

    @Test("add_constraint with up/down becomes alter_column on its one column; several columns or down alone are refused")
    func addConstraintWithUp() throws {
        let file = try OperationFixture.parse("""
            operations:
              - add_constraint: { table: users, name: users_price_positive, type: check, check: "price > 0", columns: [price], up: "GREATEST(price, 1)", down: price }
              - add_constraint: { table: users, name: users_name_key, type: unique, columns: [name] }

            """)
        let converted = try #require(file.operations.first as? AlterColumn)
        #expect(converted.column == "price" && converted.up == "GREATEST(price, 1)" && converted.check == .init(name: "users_price_positive", expression: "price > 0"))
        #expect(file.operations.last is AddConstraint)
        let several = try #require(OperationFixture.parseError(
            "operations:\n  - add_constraint: { table: users, name: k, type: unique, columns: [name, price], up: name }\n"))
        #expect(several.message == "add_constraint: up and down convert the values of one column, and this constraint has 2")
        let downOnly = try #require(OperationFixture.parseError(
            "operations:\n  - add_constraint: { table: users, name: k, type: unique, columns: [name], down: name }\n"))
        #expect(downOnly.message == "add_constraint: down without up")
    }
}
