import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `alter_column` through a shadow column on a real PostgreSQL: the column's indexes and
/// constraints survive `complete` under their names, `check`/`unique`/`references` are added
/// without rejecting the old version, and the changes Cutover cannot make safely are refused.
@Suite("Expand/contract: alter_column keeps and adds indexes and constraints on PostgreSQL")
struct ExpandContractAlterConstraintTests {
    /// Besides `users (id, name, price)`: `code`, unique (a unique index, a unique constraint, a
    /// partial index) and checked positive.
    static let dependents = """
        ALTER TABLE users ADD COLUMN code integer;
        UPDATE users SET code = id;
        CREATE UNIQUE INDEX users_code_idx ON users (code);
        CREATE INDEX users_code_big_idx ON users (code) WHERE code > 100;
        ALTER TABLE users ADD CONSTRAINT users_code_positive CHECK (code > 0);
        ALTER TABLE users ADD CONSTRAINT users_code_key UNIQUE (code);
        """

    static let typeChange = """
        operations:
          - alter_column: { table: users, column: code, type: bigint, up: "code::bigint", down: "code::integer" }

        """

    /// The indexes of public.users as `name:valid`, sorted.
    static func indexes(_ fx: ExpandContractFixture) async throws -> [String] {
        try await fx.query(
            "SELECT c.relname || ':' || i.indisvalid::text AS i FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'public.users'::regclass"
        ).compactMap { $0.string("i") }.sorted()
    }

    /// Objects whose name begins with `_cutover` (relations and constraints) in `public`.
    static func cutoverObjects(_ fx: ExpandContractFixture) async throws -> Int {
        try await fx.count(
            """
            SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE '\\_cutover%')
                 + (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname LIKE '\\_cutover%')
                 + (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attname LIKE '\\_cutover%' AND NOT attisdropped) AS n
            """)
    }

    @Test("a type change keeps the column's unique index, partial index, check and unique constraint under their names, valid and enforcing")
    func typeChangeKeepsDependents() async throws {
        let fx = try await ExpandContractFixture.make(rows: 200, yaml: Self.typeChange, setup: Self.dependents)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        // The copies exist, valid, on the shadow column; both versions write.
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE '\\_cutover%' AND i.indisvalid") == 3)
        try await fx.asVersion("public") { old in
            try await old.execute("INSERT INTO users (id, name, price, code) VALUES (10001, 'old', 1, 10001)")
        }
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO users (id, name, price, code) VALUES (10002, 'new', 1, 10002)")
            let duplicate = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO users (id, name, price, code) VALUES (10003, 'dup', 1, 10001)") }
            #expect(duplicate?.sqlState == .uniqueViolation)
        }

        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await Self.indexes(fx) == ["users_code_big_idx:true", "users_code_idx:true", "users_code_key:true", "users_pkey:true"])
        #expect(try await ExpandContractMoreOperationsTests.constraints("users", fx) == ["users_code_key:u:true", "users_code_positive:c:true", "users_pkey:p:true"])
        #expect(try await fx.query("SELECT pg_get_indexdef('public.users_code_big_idx'::regclass) AS d").first?.string("d")
            == "CREATE INDEX users_code_big_idx ON public.users USING btree (code) WHERE (code > 100)")
        #expect(try await fx.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attname = 'code'").first?.string("t") == "bigint")
        #expect(try await Self.cutoverObjects(fx) == 0)
        try await fx.asVersion("public_2, public") { new in
            let duplicate = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO users (id, name, price, code) VALUES (10004, 'dup', 1, 10002)") }
            #expect(duplicate?.sqlState == .uniqueViolation)
            let negative = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO users (id, name, price, code) VALUES (10005, 'neg', 1, -5)") }
            #expect(negative?.sqlState == .checkViolation)
        }
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE code IN (10001, 10002)") == 2)
    }

    @Test("abort leaves no copy, no invalid index, no _cutover object, the originals untouched; it can run twice")
    func abortLeavesNothing() async throws {
        let fx = try await ExpandContractFixture.make(rows: 200, yaml: Self.typeChange, setup: Self.dependents)
        defer { Task { await fx.fixture.cleanUp() } }
        let before = try await Self.indexes(fx)
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        #expect(try await fx.deployment.abortExpandContract(ExpandContractFixture.id).phase == .aborted)
        #expect(try await Self.cutoverObjects(fx) == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE NOT indisvalid") == 0)
        #expect(try await Self.indexes(fx) == before)
        #expect(try await ExpandContractMoreOperationsTests.constraints("users", fx) == ["users_code_key:u:true", "users_code_positive:c:true", "users_pkey:p:true"])
        #expect(try await fx.deployment.abortExpandContract(ExpandContractFixture.id).phase == .aborted)
    }

    @Test("check, unique and references: the old version's breaking writes are converted by up, the new version's rejected; complete validates")
    func addsRules() async throws {
        let setup = """
            CREATE TABLE vendors (id bigint PRIMARY KEY);
            INSERT INTO vendors SELECT g FROM generate_series(1, 10) AS g;
            ALTER TABLE users ADD COLUMN code integer, ADD COLUMN vendor_id bigint;
            UPDATE users SET code = id, vendor_id = id % 10 + 1;
            """
        let yaml = """
            operations:
              - alter_column:
                  table: users
                  column: price
                  check: { name: users_price_positive, constraint: "price > 0" }
                  up: "GREATEST(price, 1)"
              - alter_column: { table: users, column: code, unique: { name: users_code_key } }
              - alter_column:
                  table: users
                  column: vendor_id
                  references: { name: users_vendor_fk, table: vendors, column: id, on_delete: CASCADE }
                  up: "vendor_id"

            """
        let fx = try await ExpandContractFixture.make(rows: 200, yaml: yaml, setup: setup)
        defer { Task { await fx.fixture.cleanUp() } }
        // Rows with price 0 exist (id % 200 = 0): the backfill converts them through up.
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE price = 0") == 1)
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)

        try await fx.asVersion("public") { old in
            // Breaks the check: converted, not rejected.
            try await old.execute("INSERT INTO users (id, name, price, code, vendor_id) VALUES (10001, 'old', 0, 10001, 3)")
            try await old.execute("UPDATE users SET price = -5 WHERE id = 2")
            #expect(try await old.query("SELECT price FROM users WHERE id = 2").first?.int("price") == -5)
        }
        try await fx.asVersion("public_2, public") { new in
            #expect(try await new.query("SELECT price FROM users WHERE id = 2").first?.int("price") == 1)
            #expect(try await new.query("SELECT price FROM users WHERE id = 10001").first?.int("price") == 1)
            let negative = await #expect(throws: CutoverError.self) {
                try await new.execute("INSERT INTO users (id, name, price, code, vendor_id) VALUES (10002, 'new', 0, 10002, 1)")
            }
            #expect(negative?.sqlState == .checkViolation)
            let duplicate = await #expect(throws: CutoverError.self) {
                try await new.execute("INSERT INTO users (id, name, price, code, vendor_id) VALUES (10003, 'new', 5, 10001, 1)")
            }
            #expect(duplicate?.sqlState == .uniqueViolation)
            let orphan = await #expect(throws: CutoverError.self) {
                try await new.execute("INSERT INTO users (id, name, price, code, vendor_id) VALUES (10004, 'new', 5, 10004, 999)")
            }
            #expect(orphan?.sqlState == .foreignKeyViolation)
            try await new.execute("INSERT INTO users (id, name, price, code, vendor_id) VALUES (10005, 'new', 5, 10005, 4)")
        }

        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await ExpandContractMoreOperationsTests.constraints("users", fx)
            == ["users_code_key:u:true", "users_pkey:p:true", "users_price_positive:c:true", "users_vendor_fk:f:true"])
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE price <= 0") == 0)
        #expect(try await Self.cutoverObjects(fx) == 0)
        // ON DELETE CASCADE: the vendor's users go with it.
        try await fx.asVersion("public") { try await $0.execute("DELETE FROM vendors WHERE id = 3") }
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE vendor_id = 3") == 0)
    }

    @Test("references ON DELETE SET NULL: the old version's delete sets the new version's column to NULL, not back from the old column; complete validates")
    func setNullByTheOldVersion() async throws {
        let setup = """
            CREATE TABLE vendors (id bigint PRIMARY KEY);
            INSERT INTO vendors SELECT g FROM generate_series(1, 10) AS g;
            ALTER TABLE users ADD COLUMN vendor_id bigint;
            UPDATE users SET vendor_id = id % 10 + 1;
            """
        let yaml = """
            operations:
              - alter_column:
                  table: users
                  column: vendor_id
                  references: { name: users_vendor_fk, table: vendors, column: id, on_delete: SET NULL }
                  up: "vendor_id"

            """
        let fx = try await ExpandContractFixture.make(rows: 20, yaml: yaml, setup: setup)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        try await fx.asVersion("public") { old in
            try await old.execute("DELETE FROM vendors WHERE id = 3")
            // The old version still reads its value; its own updates are converted as before.
            #expect(try await old.query("SELECT vendor_id FROM users WHERE id = 2").first?.int("vendor_id") == 3)
            try await old.execute("UPDATE users SET vendor_id = 5 WHERE id = 4")
        }
        try await fx.asVersion("public_2, public") { new in
            let nulled = try await new.query("SELECT count(*) AS n FROM users WHERE id IN (2, 12) AND vendor_id IS NULL").first?.int("n")
            #expect(nulled == 2)
            let updated = try await new.query("SELECT vendor_id FROM users WHERE id = 4").first?.int("vendor_id")
            #expect(updated == 5)
        }
        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await ExpandContractMoreOperationsTests.constraints("users", fx) == ["users_pkey:p:true", "users_vendor_fk:f:true"])
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE vendor_id IS NULL") == 2)
    }

    @Test("refused before any change: a primary key column, a column another table's foreign key refers to")
    func refusals() async throws {
        let setup = """
            CREATE TABLE vendors (id bigint PRIMARY KEY, code integer UNIQUE);
            CREATE TABLE parts (id bigint PRIMARY KEY, vendor_code integer REFERENCES vendors (code));
            """
        let key = """
            operations:
              - alter_column: { table: users, column: id, type: integer, up: "id::integer", down: "id::bigint" }

            """
        let fx = try await ExpandContractFixture.make(rows: 10, yaml: key, setup: setup)
        defer { Task { await fx.fixture.cleanUp() } }
        let primary = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(ExpandContractFixture.id) }
        #expect(primary?.code == .invalidMigration)
        #expect(primary?.message.contains("is part of the primary key \"users_pkey\"") == true)
        #expect(primary?.line == 2)

        try fx.fixture.write("2_reshape.yaml", """
            operations:
              - alter_column: { table: vendors, column: code, type: bigint, up: "code::bigint", down: "code::integer" }

            """)
        let referenced = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(ExpandContractFixture.id) }
        #expect(referenced?.message.contains("is referenced by the foreign key \"parts_vendor_code_fkey\" of \"public.parts\"") == true)
        #expect(referenced?.hint?.contains("drop that foreign key") == true)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'public_2'") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_attribute WHERE attname LIKE '\\_cutover%' AND NOT attisdropped") == 0)
    }

    @Test("add_constraint with up/down: the old version's writes that break the check are converted, not rejected; complete validates it under its name")
    func addConstraintWithUp() async throws {
        let yaml = """
            operations:
              - add_constraint:
                  table: users
                  name: users_price_positive
                  type: check
                  check: "price > 0"
                  columns: [price]
                  up: "GREATEST(price, 1)"
                  down: "price"

            """
        // price = g % 200: rows 200, 400, … hold 0, which breaks the check.
        let fx = try await ExpandContractFixture.make(rows: 1_000, yaml: yaml)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        try await fx.asVersion("public") { old in
            // The old version does not know the rule: its write goes through, converted for the new one.
            try await old.execute("INSERT INTO users (id, name, price) VALUES (5001, 'old', -5)")
            #expect(try await old.query("SELECT price FROM users WHERE id = 5001").first?.int("price") == -5)
        }
        try await fx.asVersion("public_2, public") { new in
            let converted = try await new.query("SELECT price FROM users WHERE id IN (200, 5001) ORDER BY id").map { $0.int("price") }
            #expect(converted == [1, 1])
            let refused = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO users (id, name, price) VALUES (5002, 'new', 0)") }
            #expect(refused?.sqlState == .checkViolation)
        }
        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE price <= 0") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_constraint WHERE conname = 'users_price_positive' AND convalidated") == 1)
        #expect(try await Self.cutoverObjects(fx) == 0)
    }
}
