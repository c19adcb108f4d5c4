import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Several migrations in flight (pgroll #208): a second `start` while the first is expanded
/// layers a third version on top, when the two change different tables, when the later one
/// only adds columns, indexes or constraints to a table the earlier changes, or when the two
/// convert different columns of one table.
@Suite("Expand/contract: several migrations in flight, three versions served")
struct ExpandContractLayeredTests {
    static let orders = """
        operations:
          - rename_column: { table: orders, from: total, to: amount }
          - add_column:
              table: orders
              column: { name: currency, type: text, nullable: false, default: "'EUR'" }
              up: "'EUR'"

        """

    @Test("2 (users) and 3 (orders) in flight: the old version, version 2 and version 3 each read and write their shape; complete in order, abort in reverse")
    func threeVersionsServed() async throws {
        let fx = try await ExpandContractFixture.make(rows: 200)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.asVersion("public") { database in
            try await database.execute("CREATE TABLE orders (id bigint PRIMARY KEY, total integer NOT NULL)")
            try await database.execute("INSERT INTO orders SELECT g, g * 10 FROM generate_series(1, 50) g")
        }
        try fx.fixture.write("3_orders.yaml", Self.orders)
        let two = ExpandContractFixture.id, three = MigrationID("3")!

        #expect(try await fx.deployment.startExpandContract(two).phase == .expanded)
        // Starting 3 alone (2 is started, so no chain) layers public_3 on top of public_2.
        let layered = try await fx.deployment.startExpandContract(three)
        #expect(layered.phase == .expanded && layered.chain.isEmpty && layered.versionSchema == "public_3")

        // Each version writes both tables in its own shape.
        try await fx.asVersion("public") { old in
            try await old.execute("INSERT INTO users (id, name, price) VALUES (8001, 'old', 7)")
            try await old.execute("INSERT INTO orders (id, total) VALUES (8001, 70)")
        }
        try await fx.asVersion("public_2, public") { v2 in
            try await v2.execute("INSERT INTO users (id, full_name, price) VALUES (8002, 'two', 7.5)")
            try await v2.execute("INSERT INTO orders (id, total) VALUES (8002, 80)")
        }
        try await fx.asVersion("public_3, public") { v3 in
            try await v3.execute("INSERT INTO users (id, full_name, price, status) VALUES (8003, 'three', 9.25, 'vip')")
            try await v3.execute("INSERT INTO orders (id, amount, currency) VALUES (8003, 90, 'USD')")
        }
        // And each reads every row in its shape, converted.
        let oldView = try await fx.asVersion("public") { try await $0.query("SELECT name, price FROM users WHERE id > 8000 ORDER BY id") }
        #expect(oldView.map { $0.string("name") } == ["old", "two", "three"])
        #expect(oldView.map { $0.int("price") } == [7, 8, 9])
        let v2Orders = try await fx.asVersion("public_2, public") { try await $0.query("SELECT total FROM orders WHERE id > 8000 ORDER BY id") }
        #expect(v2Orders.map { $0.int("total") } == [70, 80, 90])
        let v3 = try await fx.asVersion("public_3, public") { v3 in
            try await v3.query("SELECT u.full_name, u.status, o.amount, o.currency FROM users u JOIN orders o USING (id) WHERE id > 8000 ORDER BY id")
        }
        #expect(v3.map { $0.string("full_name") } == ["old", "two", "three"])
        #expect(v3.map { $0.string("currency") } == ["EUR", "EUR", "USD"])
        #expect(v3.map { $0.int("amount") } == [70, 80, 90])
        #expect(v3.last?.string("status") == "vip")

        // Order: 3 cannot complete before 2, 2 cannot be aborted under 3, and a third
        // migration on a table in flight is refused.
        let early = await #expect(throws: CutoverError.self) { try await fx.deployment.completeExpandContract(three) }
        #expect(early?.message.contains("versions complete in order") == true, "\(String(describing: early))")
        let under = await #expect(throws: CutoverError.self) { try await fx.deployment.abortExpandContract(two) }
        #expect(under?.hint?.contains("abort 3 first") == true, "\(String(describing: under))")
        try fx.fixture.write("4_more.yaml", "operations:\n  - add_column: { table: orders, column: { name: note, type: text }, up: \"amount::text\" }\n")
        let shared = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(MigrationID("4")!) }
        #expect(shared?.message.contains("both change public.orders, and the trigger public._cutover_orders_note_up of 4 reads \"total\", which 3 converts") == true, "\(String(describing: shared))")
        try fx.fixture.remove("4_more.yaml")

        // 2 completes (the old version is gone); versions 2 and 3 keep working; then 3.
        #expect(try await fx.deployment.completeExpandContract(two).phase == .completed)
        try await fx.asVersion("public_2, public") { v2 in
            try await v2.execute("UPDATE orders SET total = 81 WHERE id = 8002")
            try await v2.execute("UPDATE users SET full_name = 'two again' WHERE id = 8002")
        }
        let afterTwo = try await fx.asVersion("public_3, public") { try await $0.query("SELECT amount FROM orders WHERE id = 8002") }
        #expect(afterTwo.first?.int("amount") == 81)
        #expect(try await fx.deployment.completeExpandContract(three).phase == .completed)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('public_2', 'public_3')") == 1)
        let final = try await fx.query("SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
        #expect(final.compactMap { $0.string("attname") } == ["id", "amount", "currency"])
        #expect(try await fx.columns() == ["id", "full_name", "price", "status"])
        #expect(try await fx.query("SELECT full_name FROM users WHERE id = 8002").first?.string("full_name") == "two again")
    }

    @Test("2 reshapes users; 3 adds a column and an index to users while 2 is in flight: three versions served, 3's objects survive 2's complete; a 4 installing a trigger of its own on users is refused")
    func sameTableAdditions() async throws {
        let fx = try await ExpandContractFixture.make(rows: 200)
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("3_nickname.yaml", """
            operations:
              - add_column: { table: users, column: { name: nickname, type: text } }
              - create_index: { name: users_full_name_nickname_idx, table: users, columns: [full_name, nickname] }

            """)
        let two = ExpandContractFixture.id, three = MigrationID("3")!
        #expect(try await fx.deployment.startExpandContract(two).phase == .expanded)
        let layered = try await fx.deployment.startExpandContract(three)
        #expect(layered.phase == .expanded && layered.versionSchema == "public_3")

        try fx.fixture.write("4_more.yaml", "operations:\n  - create_trigger: { table: users, name: users_touch, function: touch, timing: before, events: [update], at_start: true }\n")
        let refused = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(MigrationID("4")!) }
        #expect(refused?.message.contains("both change public.users, and 4 runs `CREATE") == true, "\(String(describing: refused))")
        try fx.fixture.remove("4_more.yaml")

        try await fx.asVersion("public") { try await $0.execute("INSERT INTO users (id, name, price) VALUES (8001, 'old', 7)") }
        try await fx.asVersion("public_2, public") { try await $0.execute("INSERT INTO users (id, full_name, price) VALUES (8002, 'two', 7.5)") }
        try await fx.asVersion("public_3, public") { try await $0.execute("INSERT INTO users (id, full_name, price, nickname) VALUES (8003, 'three', 9.25, 'tri')") }
        try await fx.asVersion("public_3, public") { try await $0.execute("UPDATE users SET nickname = 'uno' WHERE id = 8001") }

        let old = try await fx.asVersion("public") { try await $0.query("SELECT name, price FROM users WHERE id > 8000 ORDER BY id") }
        #expect(old.map { $0.string("name") } == ["old", "two", "three"])
        #expect(old.map { $0.int("price") } == [7, 8, 9])
        let v3 = try await fx.asVersion("public_3, public") { try await $0.query("SELECT full_name, price::text AS price, status, nickname FROM users WHERE id > 8000 ORDER BY id") }
        #expect(v3.map { $0.string("full_name") } == ["old", "two", "three"])
        #expect(v3.map { $0.string("price") } == ["7.00", "7.50", "9.25"])
        #expect(v3.map { $0.string("nickname") } == ["uno", nil, "tri"])
        // Version 2 does not see the column 3 added.
        await #expect(throws: (any Error).self) { try await fx.asVersion("public_2, public") { try await $0.query("SELECT nickname FROM users") } }

        // 3 can be aborted under 2 (reverse order) and started again; 2 goes on meanwhile.
        #expect(try await fx.deployment.abortExpandContract(three).phase == .aborted)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname LIKE '%nickname%' AND NOT attisdropped") == 0)
        try await fx.asVersion("public_2, public") { try await $0.execute("UPDATE users SET full_name = 'two!' WHERE id = 8002") }
        #expect(try await fx.deployment.startExpandContract(three).phase == .expanded)
        try await fx.asVersion("public_3, public") { try await $0.execute("UPDATE users SET nickname = 'uno' WHERE id = 8001") }

        #expect(try await fx.deployment.completeExpandContract(two).phase == .completed)
        try await fx.asVersion("public_3, public") { try await $0.execute("UPDATE users SET nickname = 'dos', full_name = 'two again' WHERE id = 8002") }
        #expect(try await fx.deployment.completeExpandContract(three).phase == .completed)
        #expect(try await fx.columns() == ["id", "full_name", "price", "status", "nickname"])
        let final = try await fx.query("SELECT full_name, nickname FROM users WHERE id > 8000 ORDER BY id")
        #expect(final.map { $0.string("full_name") } == ["old", "two again", "three"])
        #expect(final.map { $0.string("nickname") } == ["uno", "dos", nil], "8003's nickname went with the abort; 8001's was set again")
        let index = try await fx.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_full_name_nickname_idx'").first?.string("indexdef")
        #expect(index?.contains("(full_name, nickname)") == true, "\(String(describing: index))")
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE NOT indisvalid") == 0)
    }

    /// 2 reshapes users and adds `level`, computed from `visits`; 3 converts `points` on the
    /// same table. `points` and `visits` are the fixture's extra columns.
    static let reshapeReadingVisits = ExpandContractFixture.reshape + """
          - add_column:
              table: users
              column: { name: level, type: integer, nullable: false, default: "0" }
              up: "visits / 10"

        """
    static let points = """
        operations:
          - alter_column:
              table: users
              column: points
              type: "numeric(10,2)"
              up: "points::numeric(10,2) / 2"
              down: "round(points * 2)::integer"
          - add_column:
              table: users
              column: { name: badge, type: text, nullable: false, default: "'none'" }
              up: "CASE WHEN points > 5 THEN 'gold' ELSE 'none' END"

        """

    @Test("2 and 3 both convert users, different columns: three versions write and read; 3's backfill leaves what version 2 wrote (its triggers skip another migration's backfill); readers of the other's columns refused both ways; complete in order")
    func sameTableConversions() async throws {
        let fx = try await ExpandContractFixture.make(
            rows: 300, yaml: Self.reshapeReadingVisits,
            setup: "ALTER TABLE users ADD COLUMN points integer NOT NULL DEFAULT 0, ADD COLUMN visits integer NOT NULL DEFAULT 0; UPDATE users SET points = id % 13, visits = id % 50;")
        defer { Task { await fx.fixture.cleanUp() } }
        try fx.fixture.write("3_points.yaml", Self.points)
        let two = ExpandContractFixture.id, three = MigrationID("3")!
        #expect(try await fx.deployment.startExpandContract(two).phase == .expanded)

        // Version 2 writes a price the old integer column cannot hold: 7.5 is 8 there. A
        // conversion of this row from the old version's columns would turn it into 8.00.
        try await fx.asVersion("public_2, public") { v2 in
            try await v2.execute("INSERT INTO users (id, full_name, price, points, visits) VALUES (8002, 'two', 7.5, 3, 40)")
            try await v2.execute("UPDATE users SET price = 10.25 WHERE id = 1")
        }

        // A migration whose `up` reads a column 2 renames is refused; so is one converting a
        // column 2's trigger reads.
        try fx.fixture.write("3_points.yaml", "operations:\n  - add_column: { table: users, column: { name: label, type: text }, up: \"full_name || '!'\" }\n")
        let reads = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(three) }
        #expect(reads?.message.contains("the trigger public._cutover_users_label_up of 3 reads \"name\", which 2 converts") == true, "\(String(describing: reads))")
        try fx.fixture.write("3_points.yaml", "operations:\n  - alter_column: { table: users, column: visits, type: bigint, up: \"visits::bigint\", down: \"visits::integer\" }\n")
        let readBy = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(three) }
        #expect(readBy?.message.contains("of 2 reads \"visits\", which 3 converts") == true, "\(String(describing: readBy))")
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname LIKE '%visits%' AND NOT attisdropped") == 1)

        try fx.fixture.write("3_points.yaml", Self.points)
        let layered = try await fx.deployment.startExpandContract(three)
        #expect(layered.phase == .expanded && layered.versionSchema == "public_3")
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE _cutover_needs_backfill_3") == 0)
        let kept = try await fx.asVersion("public_2, public") { try await $0.query("SELECT id, price::text AS price FROM users WHERE id IN (1, 8002) ORDER BY id") }
        #expect(kept.map { $0.string("price") } == ["10.25", "7.50"], "3's backfill converted 2's columns again")

        // Each version writes and reads its shape.
        try await fx.asVersion("public") { try await $0.execute("INSERT INTO users (id, name, price, points, visits) VALUES (8001, 'old', 7, 9, 20)") }
        try await fx.asVersion("public_3, public") { v3 in
            try await v3.execute("INSERT INTO users (id, full_name, price, points, visits, badge) VALUES (8003, 'three', 9.25, 1.5, 30, 'vip')")
            try await v3.execute("UPDATE users SET points = 4.5 WHERE id = 8002")
        }
        let old = try await fx.asVersion("public") { try await $0.query("SELECT name, price, points FROM users WHERE id > 8000 ORDER BY id") }
        #expect(old.map { $0.string("name") } == ["old", "two", "three"])
        #expect(old.map { $0.int("price") } == [7, 8, 9])
        #expect(old.map { $0.int("points") } == [9, 9, 3])
        let v2 = try await fx.asVersion("public_2, public") { try await $0.query("SELECT full_name, price::text AS price, points, level FROM users WHERE id > 8000 ORDER BY id") }
        #expect(v2.map { $0.string("price") } == ["7.00", "7.50", "9.25"])
        #expect(v2.map { $0.int("points") } == [9, 9, 3])
        #expect(v2.map { $0.int("level") } == [2, 0, 0], "computed by up for the old version's insert only")
        let v3 = try await fx.asVersion("public_3, public") { try await $0.query("SELECT full_name, price::text AS price, points::text AS points, badge, level FROM users WHERE id > 8000 ORDER BY id") }
        #expect(v3.map { $0.string("price") } == ["7.00", "7.50", "9.25"])
        #expect(v3.map { $0.string("points") } == ["4.50", "4.50", "1.50"])
        #expect(v3.map { $0.string("badge") } == ["gold", "none", "vip"])
        // Every existing row converted by 3's backfill, from the value version 2 left.
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE id <= 300 AND _cutover_new_points <> (points::numeric(10,2) / 2)") == 0)

        #expect(try await fx.deployment.completeExpandContract(two).phase == .completed)
        try await fx.asVersion("public_3, public") { try await $0.execute("UPDATE users SET points = 6, price = 1.25 WHERE id = 8001") }
        #expect(try await fx.deployment.completeExpandContract(three).phase == .completed)
        let columns = try await fx.columns()
        #expect(Set(columns) == ["id", "full_name", "price", "status", "level", "points", "visits", "badge"], "\(columns)")
        let final = try await fx.query("SELECT id, full_name, price::text AS price, points::text AS points, badge FROM users WHERE id IN (1, 8001, 8002, 8003) ORDER BY id")
        #expect(final.map { $0.string("price") } == ["10.25", "1.25", "7.50", "9.25"])
        #expect(final.map { $0.string("points") } == ["0.50", "6.00", "4.50", "1.50"])
        #expect(final.map { $0.string("badge") } == ["none", "gold", "none", "vip"])
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'public_%'") == 1)
    }
}
