import CutoverCore
import CutoverOperations
import Testing

@Suite("plans keep the expand/contract rules: short locks, concurrent indexes alone, version schemas")
struct PlanShapeTests {
    static let combined = """
        operations:
          - rename_column: { table: users, from: name, to: full_name }
          - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
          - add_column: { table: users, column: { name: status, type: text, nullable: false, default: "'active'" }, up: "'active'" }
          - drop_column: { table: users, column: nickname, down: "''" }
          - create_index: { name: users_status_idx, table: users, columns: [status] }
          - drop_index: { name: users_name_idx }
        """

    @Test("start ends with the version schema: one security_invoker view per table, in the new version's names")
    func versionSchemaViews() throws {
        let plan = try OperationFixture.plan(Self.combined)
        let views = plan.start.map(\.sql).filter { $0.hasPrefix("CREATE OR REPLACE VIEW") }
        #expect(views == [
            "CREATE OR REPLACE VIEW \"public_20261201120000\".\"users\" WITH (security_invoker = true) AS SELECT \"id\", \"name\" AS \"full_name\", \"_cutover_new_status\" AS \"status\" FROM public.users",
            "CREATE OR REPLACE VIEW \"public_20261201120000\".\"products\" WITH (security_invoker = true) AS SELECT \"id\", \"_cutover_new_price\" AS \"price\" FROM public.products",
            // The tables under today's names with the new version's data, to copy the user's views over
            // (see ExpandContractUserViewsTests): the dropped nickname left out, price from its shadow.
            "CREATE OR REPLACE VIEW \"_cutover_public_20261201120000\".\"users\" WITH (security_invoker = true) AS SELECT \"id\", \"name\" FROM public.users",
            "CREATE OR REPLACE VIEW \"_cutover_public_20261201120000\".\"products\" WITH (security_invoker = true) AS SELECT \"id\", \"_cutover_new_price\" AS \"price\" FROM public.products",
        ])
        #expect(plan.shape.tables.first?.columns.map(\.name) == ["id", "full_name", "status"])
    }

    @Test("concurrent index statements never run in a transaction, everything else may")
    func concurrentAlone() throws {
        let plan = try OperationFixture.plan(Self.combined)
        for action in plan.start + plan.complete + plan.abort where action.kind == .statement {
            #expect(action.runsInTransaction == !action.sql.contains("CONCURRENTLY"), "\(action.sql)")
        }
    }

    @Test("start only adds: no statement drops, rewrites or renames anything the old version uses")
    func startIsAdditive() throws {
        let plan = try OperationFixture.plan(Self.combined)
        for action in plan.start {
            let sql = action.sql.uppercased()
            #expect(!sql.contains("DROP COLUMN") && !sql.contains("RENAME") && !sql.contains("SET NOT NULL") && !sql.contains(" TYPE "), "\(action.sql)")
            #expect(!sql.contains("DROP TABLE") && !sql.contains("DROP INDEX"), "\(action.sql)")
        }
        #expect(plan.start.filter { $0.kind == .backfill }.map(\.backfillColumns) == [["_cutover_new_price"], ["_cutover_new_status"]])
        // Backfills come after the version schema, followed only by the plain index build on a table they fill.
        #expect(plan.start.dropLast().suffix(2).allSatisfy { $0.kind == .backfill })
        #expect(plan.start.last?.sql == "CREATE INDEX CONCURRENTLY \"users_status_idx\" ON public.users (\"_cutover_new_status\")")
        // The flag column goes last in complete and abort, once per table, after the triggers writing it.
        for phase in [plan.complete, plan.abort] {
            let flagDrops = phase.enumerated().filter { $0.element.sql.contains("DROP COLUMN IF EXISTS \"_cutover_needs_backfill_20261201120000\"") }.map(\.offset)
            #expect(flagDrops == [phase.count - 2, phase.count - 1])
        }
    }

    @Test("plain index builds on a backfilled table wait for the backfill; unique ones, those of other tables and the user's sql keep their place")
    func indexBuildsAfterBackfill() throws {
        let plan = try OperationFixture.plan("""
            operations:
              - create_index: { name: products_id_idx, table: products, columns: [id] }
              - create_index: { name: products_id_key, table: products, columns: [id], unique: true }
              - create_index: { name: users_name_idx, table: users, columns: [name] }
              - sql: { up: "CREATE INDEX CONCURRENTLY products_id_price_idx ON public.products (id, price)", down: "DROP INDEX CONCURRENTLY IF EXISTS products_id_price_idx" }
              - alter_column: { table: products, column: price, type: bigint, up: "price::bigint", down: "price::integer" }
              - create_index: { name: products_new_price_idx, table: products, columns: [price] }
            """)
        let builds = plan.start.indices.filter { plan.start[$0].sql.hasPrefix("CREATE ") && plan.start[$0].sql.contains(" INDEX CONCURRENTLY ") }
        let backfill = try #require(plan.start.firstIndex { $0.kind == .backfill })
        #expect(plan.start[backfill].backfillTable == "products")
        // Before the backfill, in file order: the unique index (a rule the new version's writes
        // meet during the backfill), the index of users (no backfill) and the user's own statement.
        #expect(builds.filter { $0 < backfill }.map { ConcurrentIndexBuild(plan.start[$0].sql)?.indexName } == [
            "products_id_key", "users_name_idx", "products_id_price_idx",
        ])
        // After it, last, in file order: the plain indexes of the table it fills, one of them on the
        // shadow column it fills.
        #expect(builds.filter { $0 > backfill } == Array(plan.start.indices.suffix(2)))
        #expect(plan.start.suffix(2).map(\.sql) == [
            "CREATE INDEX CONCURRENTLY \"products_id_idx\" ON public.products (\"id\")",
            "CREATE INDEX CONCURRENTLY \"products_new_price_idx\" ON public.products (\"_cutover_new_price\")",
        ])
    }

    @Test("abort drops the version schema first, then undoes the operations in reverse order; every drop says IF EXISTS")
    func abortOrder() throws {
        let plan = try OperationFixture.plan(Self.combined)
        #expect(plan.abort.first?.sql == "DROP SCHEMA IF EXISTS \"public_20261201120000\" CASCADE")
        let drops = plan.abort.map(\.sql).filter { $0.hasPrefix("DROP") || $0.contains(" DROP ") }
        #expect(drops.allSatisfy { $0.contains("IF EXISTS") })
        let indexDrop = try #require(plan.abort.firstIndex { $0.sql.contains("users_status_idx") })
        let shadowDrop = try #require(plan.abort.firstIndex { $0.sql.contains("DROP COLUMN IF EXISTS \"_cutover_new_status\"") })
        #expect(indexDrop < shadowDrop)
    }

    @Test("complete drops the previous version's schema before dropping the columns its views read")
    func completeOrder() throws {
        let context = OperationContext(schema: "public", migrationID: OperationFixture.id, previousVersionSchema: "public_20261101000000")
        let plan = try OperationFixture.plan(Self.combined, context: context)
        #expect(plan.complete.first?.sql == "DROP SCHEMA IF EXISTS \"public_20261101000000\" CASCADE")
        #expect(plan.complete.contains { $0.sql == "DROP INDEX CONCURRENTLY IF EXISTS public.users_name_idx" && !$0.runsInTransaction })
        #expect(try OperationFixture.plan(Self.combined).complete.contains { $0.sql.hasPrefix("DROP SCHEMA") } == false)
    }

    @Test("the dual-write trigger tells the new version by the first schema of its search_path; one trigger per table, created last, clears the backfill flag")
    func triggerDirection() throws {
        let plan = try OperationFixture.plan(Self.combined)
        let up = try #require(plan.start.first { $0.sql.contains("FUNCTION public._cutover_products_price_up()") })
        // This version or a later one: the session's first schema is public_<id> with id >= 20261201120000.
        #expect(up.sql.contains("_cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' \"');"))
        let newVersion = "(CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END)"
        #expect(up.sql.contains("IF NOT (\(newVersion)) OR (TG_OP = 'UPDATE' AND OLD.\"_cutover_needs_backfill_20261201120000\""))
        #expect(up.sql.contains("NEW.\"_cutover_new_price\" := price::bigint;"))
        // The flag is cleared by one trigger per table, created after every dual-write trigger
        // of the migration on it: a write between two trigger creations keeps its flag.
        #expect(!up.sql.contains(":= false"))
        let clearing = try #require(plan.start.firstIndex { $0.sql.hasPrefix("CREATE OR REPLACE TRIGGER \"_cutover_products_backfilled_20261201120000\"") })
        let lastDualWrite = try #require(plan.start.lastIndex { $0.sql.hasPrefix("CREATE OR REPLACE TRIGGER") && $0.sql.contains("_price_") })
        #expect(clearing > lastDualWrite)
        #expect(plan.start[clearing - 1].sql.contains("NEW.\"_cutover_needs_backfill_20261201120000\" := false;"))
        #expect(plan.complete.contains { $0.sql == "DROP TRIGGER IF EXISTS \"_cutover_products_backfilled_20261201120000\" ON public.products" })
        #expect(plan.abort.contains { $0.sql == "DROP TRIGGER IF EXISTS \"_cutover_products_backfilled_20261201120000\" ON public.products" })
        let down = try #require(plan.start.first { $0.sql.contains("FUNCTION public._cutover_products_price_down()") })
        #expect(down.sql.contains("  IF \(newVersion) AND NOT coalesce((TG_OP"))
        #expect(!down.sql.contains(":= false"))
        // The new version's expression reads its own names, bound to the shadow column.
        #expect(down.sql.contains("\"price\" public.products.\"_cutover_new_price\"%TYPE := NEW.\"_cutover_new_price\";"))
        #expect(down.sql.contains("NEW.\"price\" := price::integer;"))
    }
}

@Suite("plans of the table operations keep both versions working: renames and drops last, objects over the new names after them")
struct TablePlanShapeTests {
    static let migration = """
        operations:
          - create_view: { name: active_accounts, sql: "SELECT id, status FROM accounts WHERE status = 'active'" }
          - rename_table: { from: users, to: accounts }
          - add_column: { table: accounts, column: { name: status, type: text, nullable: false, default: "'active'" }, up: "'active'" }
          - add_constraint: { table: accounts, name: accounts_status_key, type: unique, columns: [status] }
          - add_constraint: { table: products, name: products_price_positive, type: check, check: "price > 0" }
          - drop_constraint: { table: products, name: products_old_check }
          - replace_function: { name: label, args: "a accounts", returns: text, language: sql, body: "SELECT a.status" }
          - create_trigger: { table: accounts, name: accounts_audit, function: audit_row, timing: after, events: [update] }
          - drop_table: { table: products }
        """

    @Test("start: nothing is dropped or renamed; the view and the function go into the version schema after its table views, before the backfill")
    func start() throws {
        let plan = try OperationFixture.plan(Self.migration)
        for action in plan.start {
            let sql = action.sql.uppercased()
            #expect(!sql.contains("DROP ") && !sql.contains("RENAME"), "\(action.sql)")
            #expect(action.runsInTransaction == !sql.contains("CONCURRENTLY"), "\(action.sql)")
        }
        let tableViews = plan.start.indices.filter { plan.start[$0].sql.hasPrefix("CREATE OR REPLACE VIEW \"public_20261201120000\".") }
        #expect(tableViews.map { plan.start[$0].sql.contains("\"accounts\" WITH") } == [true])
        let view = try #require(plan.start.firstIndex { $0.sql.contains("VIEW \"public_20261201120000\".\"active_accounts\"") })
        let function = try #require(plan.start.firstIndex { $0.sql.contains("FUNCTION \"public_20261201120000\".\"label\"(a accounts)") })
        #expect(tableViews.allSatisfy { $0 < view } && view < function)
        #expect(plan.start.last?.kind == .backfill)
        #expect(plan.start[view].sql.contains("set_config('search_path', '\"public_20261201120000\", \"public\"', true)"))
        #expect(plan.shape.tables.map(\.name) == ["accounts"])
        #expect(plan.shape.views == ["active_accounts"])
    }

    @Test("complete: the other operations' actions on the physical names, the flag column, then the drop, the rename, then view, function and trigger")
    func complete() throws {
        let plan = try OperationFixture.plan(Self.migration)
        let sql = plan.complete.map(\.sql)
        func position(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
            try #require(sql.firstIndex { $0.contains(text) }, "\(text)", sourceLocation: sourceLocation)
        }
        let flag = try position("DROP COLUMN IF EXISTS \"_cutover_needs_backfill_20261201120000\"")
        let drop = try position("DROP TABLE IF EXISTS public.products")
        let rename = try position("ALTER TABLE public.users RENAME TO \"accounts\"")
        let view = try position("CREATE OR REPLACE VIEW public.active_accounts AS")
        let function = try position("FUNCTION public.label(a accounts)")
        let trigger = try position("CREATE OR REPLACE TRIGGER \"accounts_audit\" AFTER UPDATE ON public.accounts")
        #expect(try position("ALTER TABLE public.users ADD CONSTRAINT \"accounts_status_key\" UNIQUE USING INDEX") < flag)
        #expect(try position("ALTER TABLE public.products VALIDATE CONSTRAINT") < flag)
        #expect(try position("ALTER TABLE public.products DROP CONSTRAINT IF EXISTS \"products_old_check\"") < flag)
        #expect(flag < drop && drop < rename && rename < view && view < function && function < trigger)
        #expect(trigger == sql.count - 1)
    }

    @Test("abort: the version schema first (it holds the view and the function), the unique index and the check undone, no table dropped or renamed")
    func abort() throws {
        let plan = try OperationFixture.plan(Self.migration)
        #expect(plan.abort.first?.sql == "DROP SCHEMA IF EXISTS \"public_20261201120000\" CASCADE")
        let sql = plan.abort.map(\.sql)
        #expect(sql.contains("DROP INDEX CONCURRENTLY IF EXISTS public.accounts_status_key"))
        #expect(sql.contains("ALTER TABLE public.products DROP CONSTRAINT IF EXISTS \"products_price_positive\""))
        #expect(!sql.contains { $0.contains("DROP TABLE") || $0.contains("RENAME") || $0.contains("products_old_check") || $0.contains("accounts_audit") })
    }
}

@Suite("the expand phase of the column operations passes Cutover's own linter")
struct OperationLintTests {
    /// The start actions as a no-transaction migration (the engine runs each alone, under a lock timeout).
    static func findings(_ yaml: String) throws -> [LintFinding] {
        let plan = try OperationFixture.plan(yaml)
        let statements = plan.start.filter { $0.kind == .statement }.enumerated().map { SQLStatement(sql: $0.element.sql, line: $0.offset + 1) }
        let migration = Migration(
            id: OperationFixture.id, name: "fixture", fileName: "20261201120000_fixture.yaml", up: statements, down: nil, isTransactional: false,
            checksum: "")
        return Linter(configuration: .init(postgresVersion: 15_00_00, lockTimeoutConfigured: true)).lint(migration, dialect: PostgresDialect())
    }

    @Test(
        "no error findings",
        arguments: [
            "operations:\n  - add_column: { table: users, column: { name: bio, type: text } }\n",
            "operations:\n  - add_column: { table: users, column: { name: status, type: text, nullable: false, default: \"'active'\" }, up: \"'active'\" }\n",
            "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n",
            "operations:\n  - alter_column: { table: products, column: price, type: bigint, up: \"price::bigint\", down: \"price::integer\" }\n",
            "operations:\n  - create_index: { name: users_name_idx, table: users, columns: [name] }\n",
            "operations:\n  - add_constraint: { table: products, name: c, type: check, check: \"price > 0\" }\n",
            "operations:\n  - add_constraint: { table: users, name: k, type: unique, columns: [name] }\n",
            "operations:\n  - add_constraint: { table: products, name: fk, type: foreign_key, columns: [id], references: { table: users, columns: [id] } }\n",
            "operations:\n  - create_trigger: { table: users, name: t, function: f, timing: after, events: [insert], at_start: true }\n",
            "operations:\n  - create_view: { name: v, sql: SELECT id FROM users }\n",
        ])
    func noErrors(yaml: String) throws {
        let errors = try Self.findings(yaml).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map { "\($0.rule): \($0.statement)" })")
    }

    @Test("the check can fail: an unsafe statement in the expand phase is an error finding")
    func controlCase() throws {
        let findings = try Self.findings("operations:\n  - sql: { up: \"ALTER TABLE users ALTER COLUMN name TYPE varchar(10)\" }\n")
        #expect(findings.contains { $0.severity == .error })
    }
}
