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
        #expect(error.hint == "operations: add_column, alter_column, create_index, create_table, drop_column, drop_index, rename_column, sql")
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
}
