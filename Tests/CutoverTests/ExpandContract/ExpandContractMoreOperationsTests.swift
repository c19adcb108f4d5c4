import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `rename_table`, `add_constraint`, `drop_constraint`, `create_view`, `drop_table`,
/// `replace_function` and `create_trigger` through start, both versions, complete and abort, on
/// a real PostgreSQL.
@Suite("Expand/contract: table, constraint, view, function and trigger operations on PostgreSQL")
struct ExpandContractMoreOperationsTests {
    /// Besides `users (id, name, price)`: `sessions`, which the migration drops, `orders`, which
    /// gets a foreign key to the renamed table, and a check the migration drops.
    static let setup = """
        ALTER TABLE users ADD CONSTRAINT users_price_small CHECK (price < 1000);
        CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint);
        INSERT INTO sessions VALUES (1, 1);
        CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total integer NOT NULL);
        INSERT INTO orders SELECT g, g, g FROM generate_series(1, 50) AS g;
        """

    static let migration = """
        operations:
          - rename_table: { from: users, to: accounts }
          - add_constraint: { table: accounts, name: accounts_price_nonnegative, type: check, check: "price >= 0" }
          - add_constraint: { table: accounts, name: accounts_name_key, type: unique, columns: [name] }
          - add_constraint:
              table: orders
              name: orders_account_fk
              type: foreign_key
              columns: [user_id]
              references: { table: accounts, columns: [id] }
          - drop_constraint: { table: accounts, name: users_price_small }
          - create_view: { name: big_spenders, sql: "SELECT id, name FROM accounts WHERE price > 100" }
          - drop_table: { table: sessions }

        """

    static func make() async throws -> ExpandContractFixture {
        try await ExpandContractFixture.make(rows: 200, yaml: migration, setup: setup)
    }

    /// The relations of `schema` with their kind (`r` table, `v` view), sorted.
    static func relations(_ schema: String, _ fx: ExpandContractFixture) async throws -> [String] {
        try await fx.query(
            "SELECT c.relname || ':' || c.relkind::text AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' AND c.relkind IN ('r', 'v')"
        ).compactMap { $0.string("r") }.sorted()
    }

    /// The constraints of the named table in `public` with whether each is validated, sorted.
    static func constraints(_ table: String, _ fx: ExpandContractFixture) async throws -> [String] {
        try await fx.query(
            "SELECT conname || ':' || contype::text || ':' || convalidated::text AS c FROM pg_constraint WHERE conrelid = 'public.\(table)'::regclass"
        ).compactMap { $0.string("c") }.sorted()
    }

    @Test("after start the old version uses users and sessions, the new one accounts and big_spenders; complete renames, validates, drops")
    func bothVersionsThenComplete() async throws {
        let fx = try await Self.make()
        defer { Task { await fx.fixture.cleanUp() } }
        let started = try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        #expect(started.phase == .expanded)

        // The database as the old version left it, plus the new constraints (NOT VALID) and index.
        #expect(try await Self.relations("public", fx) == ["orders:r", "sessions:r", "users:r"])
        #expect(try await Self.relations("public_2", fx) == ["accounts:v", "big_spenders:v", "orders:v"])
        #expect(try await Self.constraints("users", fx) == ["accounts_price_nonnegative:c:false", "users_pkey:p:true", "users_price_small:c:true"])
        #expect(try await Self.constraints("orders", fx) == ["orders_account_fk:f:false", "orders_pkey:p:true"])
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_index WHERE indexrelid = 'public.accounts_name_key'::regclass AND indisvalid AND indisunique") == 1)
        #expect(try await fx.query("SELECT pg_get_viewdef('public_2.big_spenders'::regclass) AS d").first?.string("d")?.contains("FROM public_2.accounts") == true)

        // The old version: users and sessions as they were; the new constraints apply to it already.
        try await fx.asVersion("public") { old in
            try await old.execute("INSERT INTO users (id, name, price) VALUES (10001, 'old writer', 150)")
            try await old.execute("UPDATE users SET name = 'renamed by old' WHERE id = 1")
            try await old.execute("INSERT INTO sessions VALUES (2, 10001)")
            try await old.execute("INSERT INTO orders VALUES (10001, 10001, 7)")
            #expect(try await old.query("SELECT count(*) AS n FROM sessions").first?.int("n") == 2)
            let negative = await #expect(throws: CutoverError.self) { try await old.execute("INSERT INTO users (id, name, price) VALUES (10005, 'x', -1)") }
            #expect(negative?.sqlState == .checkViolation)
            // The check drop_constraint drops is still there for it.
            let big = await #expect(throws: CutoverError.self) { try await old.execute("INSERT INTO users (id, name, price) VALUES (10006, 'y', 5000)") }
            #expect(big?.sqlState == .checkViolation)
        }
        // The new version: accounts and big_spenders through its version schema.
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO accounts (id, name, price) VALUES (10002, 'new writer', 500)")
            try await new.execute("UPDATE accounts SET price = 101 WHERE id = 2")
            try await new.execute("INSERT INTO orders VALUES (10002, 10002, 3)")
            let spenders = try await new.query("SELECT name FROM big_spenders WHERE id IN (2, 10001, 10002) ORDER BY id").compactMap { $0.string("name") }
            #expect(spenders == ["user 2", "old writer", "new writer"])
            #expect(try await new.query("SELECT name FROM accounts WHERE id = 1").first?.string("name") == "renamed by old")
            let duplicate = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO accounts (id, name, price) VALUES (10003, 'old writer', 1)") }
            #expect(duplicate?.sqlState == .uniqueViolation)
            let orphan = await #expect(throws: CutoverError.self) { try await new.execute("INSERT INTO orders VALUES (10003, 99999, 1)") }
            #expect(orphan?.sqlState == .foreignKeyViolation)
        }
        // What the new version wrote, seen by the old one.
        try await fx.asVersion("public") { old in
            let name = try await old.query("SELECT name FROM users WHERE id = 10002").first?.string("name")
            #expect(name == "new writer")
        }

        let completed = try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(completed.phase == .completed)
        #expect(try await Self.relations("public", fx) == ["accounts:r", "big_spenders:v", "orders:r"])
        #expect(try await Self.constraints("accounts", fx) == ["accounts_name_key:u:true", "accounts_price_nonnegative:c:true", "users_pkey:p:true"])
        #expect(try await Self.constraints("orders", fx) == ["orders_account_fk:f:true", "orders_pkey:p:true"])
        #expect(try await fx.query("SELECT pg_get_viewdef('public.big_spenders'::regclass) AS d").first?.string("d")?.contains("FROM accounts") == true)
        // The new version goes on through its schema; the dropped check no longer binds it.
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO accounts (id, name, price) VALUES (10004, 'after complete', 5000)")
            #expect(try await new.query("SELECT count(*) AS n FROM big_spenders").first?.int("n")
                == (try await new.query("SELECT count(*) AS n FROM public.big_spenders").first?.int("n")))
            #expect(try await new.query("SELECT name FROM accounts WHERE id = 10004").first?.string("name") == "after complete")
        }
    }

    @Test("abort leaves the tables, names and constraints as they were, with both versions' writes; it can run twice")
    func abortUndoesStart() async throws {
        let fx = try await Self.make()
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO accounts (id, name, price) VALUES (5000, 'written by new', 40)")
        }

        let aborted = try await fx.deployment.abortExpandContract(ExpandContractFixture.id)
        #expect(aborted.phase == .aborted)
        #expect(try await Self.relations("public", fx) == ["orders:r", "sessions:r", "users:r"])
        #expect(try await Self.relations("public_2", fx) == [])
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'public_2'") == 0)
        #expect(try await Self.constraints("users", fx) == ["users_pkey:p:true", "users_price_small:c:true"])
        #expect(try await Self.constraints("orders", fx) == ["orders_pkey:p:true"])
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE relname IN ('accounts_name_key', 'big_spenders')") == 0)
        #expect(try await fx.query("SELECT name FROM users WHERE id = 5000").first?.string("name") == "written by new")
        #expect(try await fx.deployment.abortExpandContract(ExpandContractFixture.id).phase == .aborted)
        // Started again, it plans afresh.
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id).phase == .expanded)
        #expect(try await Self.relations("public_2", fx) == ["accounts:v", "big_spenders:v", "orders:v"])
    }

    @Test("replace_function: the new version calls the version schema's definition, the old one the base one until complete; create_trigger at complete and at start")
    func functionsAndTriggers() async throws {
        let setup = """
            CREATE FUNCTION label(u users) RETURNS text LANGUAGE sql AS $$ SELECT 'old ' || u.name $$;
            CREATE TABLE audit (user_id bigint, version text);
            CREATE FUNCTION audit_old() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.audit VALUES (NEW.id, 'any'); RETURN NEW; END $$;
            """
        let yaml = """
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - replace_function:
                  name: label
                  args: "u users"
                  returns: text
                  language: sql
                  body: "SELECT 'new ' || u.full_name"
              - replace_function:
                  name: audit_new
                  returns: trigger
                  body: "BEGIN INSERT INTO public.audit VALUES (NEW.id, 'complete'); RETURN NEW; END"
              - create_trigger: { table: users, name: users_audit_any, function: audit_old, timing: after, events: [insert], at_start: true }
              - create_trigger: { table: users, name: users_audit_new, function: audit_new, timing: after, events: [insert] }

            """
        let fx = try await ExpandContractFixture.make(rows: 10, yaml: yaml, setup: setup)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)

        try await fx.asVersion("public") { old in
            #expect(try await old.query("SELECT label(u) AS l FROM users u WHERE id = 1").first?.string("l") == "old user 1")
            try await old.execute("INSERT INTO users (id, name, price) VALUES (101, 'old', 1)")
        }
        try await fx.asVersion("public_2, public") { new in
            #expect(try await new.query("SELECT label(u) AS l FROM users u WHERE id = 1").first?.string("l") == "new user 1")
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (102, 'new', 1)")
        }
        // The trigger created at start fired for both versions; the other one does not exist yet.
        #expect(try await fx.count("SELECT count(*) AS n FROM audit WHERE version = 'any' AND user_id IN (101, 102)") == 2)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'users_audit_new'") == 0)

        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_proc WHERE proname = 'audit_new' AND pronamespace = 'public'::regnamespace") == 1)
        try await fx.asVersion("public") { base in
            let label = try await base.query("SELECT label(u) AS l FROM users u WHERE id = 1").first?.string("l")
            #expect(label == "new user 1")
        }
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("INSERT INTO users (id, full_name, price) VALUES (103, 'after', 1)")
        }
        #expect(try await fx.query("SELECT version FROM audit WHERE user_id = 103 ORDER BY version").compactMap { $0.string("version") } == ["any", "complete"])

        // Abort of a trigger created at start drops it (a fresh migration, started and aborted).
        try fx.fixture.write("3_trigger.yaml", """
            operations:
              - create_trigger: { table: users, name: users_audit_later, function: audit_old, timing: before, events: [update], at_start: true }

            """)
        try await fx.deployment.startExpandContract(MigrationID("3")!)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'users_audit_later'") == 1)
        try await fx.deployment.abortExpandContract(MigrationID("3")!)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'users_audit_later'") == 0)
    }

    @Test("create_trigger with columns (UPDATE OF) and when: at complete under the final names after a rename, at start under today's")
    func triggerColumnsAndCondition() async throws {
        let setup = """
            CREATE TABLE audit (user_id bigint, what text);
            CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.audit VALUES (NEW.id, TG_NAME); RETURN NEW; END $$;
            """
        let yaml = """
            operations:
              - rename_column: { table: users, from: name, to: full_name }
              - create_trigger:
                  table: users
                  name: users_name_changed
                  function: audit_row
                  timing: after
                  events: [update]
                  columns: [full_name]
                  when: "NEW.full_name IS DISTINCT FROM OLD.full_name"
              - create_trigger:
                  table: users
                  name: users_price_raised
                  function: audit_row
                  timing: after
                  events: [update]
                  columns: [price]
                  when: "NEW.price > OLD.price"
                  at_start: true

            """
        let fx = try await ExpandContractFixture.make(rows: 10, yaml: yaml, setup: setup)
        defer { Task { await fx.fixture.cleanUp() } }
        try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        // At start: only a price rise fires the trigger created then.
        try await fx.asVersion("public") { old in
            try await old.execute("UPDATE users SET price = price + 1 WHERE id = 1")
            try await old.execute("UPDATE users SET price = price - 1 WHERE id = 2")
            try await old.execute("UPDATE users SET name = 'renamed' WHERE id = 3")
        }
        #expect(try await fx.query("SELECT user_id, what FROM audit ORDER BY user_id").map { "\($0.int("user_id") ?? 0):\($0.string("what") ?? "")" } == ["1:users_price_raised"])

        try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        let definition = try await fx.query("SELECT pg_get_triggerdef(oid) AS d FROM pg_trigger WHERE tgname = 'users_name_changed'").first?.string("d") ?? ""
        #expect(definition.contains("UPDATE OF full_name ON public.users"), "\(definition)")
        _ = try await fx.query("DELETE FROM audit")
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("UPDATE users SET full_name = 'other' WHERE id = 4")
            try await new.execute("UPDATE users SET full_name = full_name WHERE id = 5")   // unchanged: the condition is false
            try await new.execute("UPDATE users SET price = price WHERE id = 6")            // not a listed column
        }
        #expect(try await fx.query("SELECT user_id, what FROM audit ORDER BY user_id").map { "\($0.int("user_id") ?? 0):\($0.string("what") ?? "")" } == ["4:users_name_changed"])
    }
}
