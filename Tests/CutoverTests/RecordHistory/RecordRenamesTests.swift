@testable import Cutover
import CutoverCore
import CutoverOperations
import Testing

/// The renames record history follows, read from `.sql` and `.yaml` migrations (no database).
@Suite("RecordRenames and RecordRowMapping")
struct RecordRenamesTests {
    @Test("ALTER TABLE … RENAME COLUMN / RENAME … TO / RENAME TO, quoted, qualified, IF EXISTS and ONLY")
    func sqlRenames() {
        #expect(RecordRenames.renames(inSQL: "ALTER TABLE users RENAME COLUMN name TO full_name") == [.column(table: "users", from: "name", to: "full_name")])
        #expect(RecordRenames.renames(inSQL: "alter table if exists only public.\"Users\" rename \"Name\" to \"Full \"\"Name\"\"\"")
            == [.column(table: "Users", from: "Name", to: "Full \"Name\"")])
        #expect(RecordRenames.renames(inSQL: "ALTER TABLE users RENAME TO customers") == [.table(from: "users", to: "customers")])
        #expect(RecordRenames.renames(inSQL: "ALTER TABLE users ADD COLUMN renamed text").isEmpty)
        #expect(RecordRenames.renames(inSQL: "ALTER TABLE users RENAME CONSTRAINT a TO b").isEmpty)
    }

    @Test("a .yaml migration's rename_column and rename_table")
    func yamlRenames() throws {
        let migration = try OperationsFileParser.parse(
            """
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - rename_table: { from: users, to: customers }
            """, fileName: "5_rename.yaml")
        #expect(RecordRenames(migration).renames == [.column(table: "users", from: "name", to: "full_name"), .table(from: "users", to: "customers")])
    }

    @Test("a row's columns follow renames in migration order, through a table rename, and chains of renames")
    func mapping() throws {
        let first = RecordRenames.renames(inSQL: "ALTER TABLE users RENAME COLUMN name TO full_name")
        let second = RecordRenames.renames(inSQL: "ALTER TABLE users RENAME TO customers")
        let third = RecordRenames.renames(inSQL: "ALTER TABLE customers RENAME COLUMN full_name TO display_name")
        let other = RecordRenames.renames(inSQL: "ALTER TABLE orders RENAME COLUMN id TO order_id")
        let renames = [(3, third), (1, first), (2, second), (4, other)].map { id, list in
            var renames = RecordRenames(Migration(id: MigrationID("\(id)")!, name: "m", fileName: "\(id)_m.sql", up: [], down: nil, isTransactional: true, checksum: ""))
            renames.renames = list
            return renames
        }
        let mapping = RecordRowMapping(columns: ["id", "name", "email"], table: "users", through: renames)
        #expect(mapping.names == ["id": "id", "name": "display_name", "email": "email"])
        #expect(mapping.renamed == ["name": "display_name"])
    }
}
