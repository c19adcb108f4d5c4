import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// The user's own views over the tables an expand/contract migration changes: copied into the
/// version schema at start (the new version reads its data through them), kept across the
/// contract phase's column swap (the old column they read is dropped), refused with a clear
/// message when they read what the migration drops.
@Suite("Expand/contract: the user's views over changed tables on PostgreSQL")
struct ExpandContractUserViewsTests {
    /// `price_list` over `users`, `cheap` over `price_list`, with a comment, a grant and an
    /// option to keep.
    static let views = """
        DO $$ BEGIN CREATE ROLE cutover_view_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        CREATE VIEW price_list WITH (security_barrier = true) AS SELECT id, name, price FROM users WHERE price > 10;
        CREATE VIEW cheap AS SELECT id, name, price FROM price_list WHERE price < 50;
        COMMENT ON VIEW price_list IS 'prices shown to customers';
        GRANT SELECT ON price_list TO cutover_view_reader;
        """

    static func relkinds(_ schema: String, _ fx: ExpandContractFixture) async throws -> [String] {
        try await fx.query(
            "SELECT c.relname::text || ':' || c.relkind::text AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' AND c.relkind IN ('r', 'v')"
        ).compactMap { $0.string("r") }.sorted()
    }

    @Test("start copies the views for the new version; complete keeps them over the new column with comment, grant and options")
    func copiedThenKeptAcrossTheSwap() async throws {
        let fx = try await ExpandContractFixture.make(rows: 100, setup: Self.views)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        #expect(try await Self.relkinds("public_2", fx) == ["cheap:v", "price_list:v", "users:v"])

        // The new version writes a price the old integer column cannot hold; through its copy of
        // the views it reads its own value and type, the old version the rounded one.
        try await fx.asVersion("public_2, public") { new in
            try await new.execute("UPDATE users SET price = 12.34 WHERE id = 12")
            let row = try await new.query("SELECT price::text AS p, pg_typeof(price)::text AS t, name FROM cheap WHERE id = 12").first
            #expect(row?.string("p") == "12.34")
            #expect(row?.string("t") == "numeric")
            #expect(row?.string("name") == "user 12")
        }
        try await fx.asVersion("public") { old in
            let row = try await old.query("SELECT price::text AS p, pg_typeof(price)::text AS t FROM cheap WHERE id = 12").first
            #expect(row?.string("p") == "12")
            #expect(row?.string("t") == "integer")
        }

        let completed = try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(completed.phase == .completed)
        // The base views read the new column now, under their own column names.
        #expect(try await Self.relkinds("public", fx) == ["cheap:v", "price_list:v", "users:r"])
        let row = try await fx.query("SELECT price::text AS p, pg_typeof(price)::text AS t, name FROM public.cheap WHERE id = 12").first
        #expect(row?.string("p") == "12.34")
        #expect(row?.string("t") == "numeric")
        #expect(row?.string("name") == "user 12")
        #expect(try await fx.query("SELECT obj_description('public.price_list'::regclass, 'pg_class') AS c").first?.string("c") == "prices shown to customers")
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE oid = 'public.price_list'::regclass AND reloptions @> ARRAY['security_barrier=true']") == 1)
        #expect(try await fx.count("SELECT count(*) AS n WHERE has_table_privilege('cutover_view_reader', 'public.price_list', 'SELECT')") == 1)
        // The new version still reads its copies.
        let newPrice = try await fx.asVersion("public_2, public") { new in
            try await new.query("SELECT price::text AS p FROM price_list WHERE id = 12").first?.string("p")
        }
        #expect(newPrice == "12.34")
    }

    @Test("abort drops the copies and the schema they read; the base views are untouched")
    func abortDropsTheCopies() async throws {
        let fx = try await ExpandContractFixture.make(rows: 100, setup: Self.views)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = '_cutover_public_2'") == 1)
        _ = try await fx.deployment.abortExpandContract(ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('_cutover_public_2', 'public_2')") == 0)
        #expect(try await Self.relkinds("public", fx) == ["cheap:v", "price_list:v", "users:r"])
        #expect(try await fx.query("SELECT pg_typeof(price)::text AS t FROM public.cheap LIMIT 1").first?.string("t") == "integer")
    }

    @Test("start refuses a drop_column that a view reads, naming the view; abort then leaves the database as it was")
    func dropOfAColumnAViewReads() async throws {
        let yaml = """
            operations:
              - drop_column: { table: users, column: price, down: "0" }

            """
        let fx = try await ExpandContractFixture.make(rows: 50, yaml: yaml, setup: Self.views)
        defer { Task { await fx.fixture.cleanUp() } }
        let error = await #expect(throws: CutoverError.self) { try await fx.deployment.startExpandContract(ExpandContractFixture.id) }
        #expect(error?.message.contains("price_list") == true)
        #expect(error?.message.contains("drops") == true)
        #expect(error?.hint?.contains("create_view") == true)
        _ = try await fx.deployment.abortExpandContract(ExpandContractFixture.id)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('_cutover_public_2', 'public_2')") == 0)
        #expect(try await fx.columns() == ["id", "name", "price"])
    }

    @Test("a create_view replacing the view lets drop_column through: the new definition for the new version and after complete")
    func dropWithTheViewReplaced() async throws {
        let yaml = """
            operations:
              - drop_column: { table: users, column: price, down: "0" }
              - create_view: { name: price_list, sql: "SELECT id, name FROM users" }
              - create_view: { name: cheap, sql: "SELECT id, name FROM price_list WHERE id < 10" }

            """
        let fx = try await ExpandContractFixture.make(rows: 50, yaml: yaml, setup: Self.views)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.startExpandContract(ExpandContractFixture.id)
        let oldCount = try await fx.asVersion("public") { old in try await old.query("SELECT count(*) AS n FROM cheap").first?.int("n") }
        #expect(oldCount == 39)  // prices 11...49
        let newCount = try await fx.asVersion("public_2, public") { new in try await new.query("SELECT count(*) AS n FROM cheap").first?.int("n") }
        #expect(newCount == 9)
        _ = try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(try await fx.columns() == ["id", "name"])
        #expect(try await fx.count("SELECT count(*) AS n FROM public.cheap") == 9)
    }
}
