import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `alter_column`'s `check`, `unique` and `references` on SQLite: the table is rebuilt with them,
/// its rows copied through `up`, and the column renamed in them.
@Suite("SQLite applies alter_column's check, unique and references through the rebuild")
struct SQLiteAlterConstraintTests {
    @Test("the rules join the table under their names, existing rows converted by up; the check and unique constraint enforce after the rename")
    func rulesThroughRebuild() async throws {
        let (fixture, deployment) = try await SQLiteExpandContractTests.make(yaml: """
            operations:
              - alter_column:
                  table: users
                  column: price
                  name: cost
                  type: INTEGER
                  check: { name: users_cost_positive, constraint: "cost > 10" }
                  unique: { name: users_cost_key }
                  up: "MAX(CAST(price AS INTEGER), 11)"
                  down: "CAST(cost AS TEXT)"
              - alter_column:
                  table: orders
                  column: user_id
                  references: { name: orders_user_fk, table: users, column: id, on_delete: CASCADE }
                  up: user_id

            """)
        _ = try await deployment.migrate()
        #expect(try await fixture.query("SELECT cost FROM users ORDER BY id").map { $0.int("cost") } == [120, 11])
        let definition = try await fixture.query("SELECT sql FROM sqlite_schema WHERE name = 'users'").first?.string("sql") ?? ""
        #expect(definition.contains("CONSTRAINT \"users_cost_positive\" CHECK (\"cost\" > 10)"))
        #expect(definition.contains("CONSTRAINT \"users_cost_key\" UNIQUE (\"cost\")"))
        let tooLow = await #expect(throws: CutoverError.self) {
            try await SQLiteExpandContractTests.execute(fixture, "INSERT INTO users (id, name, cost) VALUES (3, 'cy', 5)")
        }
        #expect(tooLow?.message.contains("CHECK constraint failed") == true)
        await #expect(throws: CutoverError.self) {
            try await SQLiteExpandContractTests.execute(fixture, "INSERT INTO users (id, name, cost) VALUES (4, 'di', 11)")
        }
        let orders = try await fixture.query("SELECT sql FROM sqlite_schema WHERE name = 'orders'").first?.string("sql") ?? ""
        #expect(orders.contains("CONSTRAINT \"orders_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE CASCADE"))
    }
}
