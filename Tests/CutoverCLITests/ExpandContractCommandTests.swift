import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("`cutover start | complete | abort`, `status` and `migrate` with .yaml migrations")
struct ExpandContractCommandTests {
    static let users = "-- cutover:up\nCREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\nINSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 500) g;\n-- cutover:down\nDROP TABLE users;\n"
    static let rename = "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n  - add_column:\n      table: users\n      column: { name: initial, type: text }\n      up: \"left(name, 1)\"\n"

    @Test("start (with backfill progress as JSON lines), status shows the phase, complete; abort of another start")
    func startStatusComplete() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", Self.users)
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename)

        let pending = try await cli.json("status")
        let states = try #require(pending["migrations"] as? [[String: Any]])
        #expect(states.map { $0["state"] as? String } == ["applied", "pending"])

        let start = try await cli.run("--json", "start", "2")
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("\"phase\": \"expanded\""), "\(start.stdout)")
        #expect(start.stdout.contains("\"version_schema\": \"public_2\""), "\(start.stdout)")
        // The backfill's progress, as JSON lines on stderr, the last one finished.
        let progress = start.stderr.split(separator: "\n").filter { $0.contains("\"event\": \"backfill_progress\"") }
        #expect(progress.last?.contains("\"finished\": true") == true, "\(start.stderr)")
        #expect(progress.last?.contains("\"rows_done\": 500") == true, "\(start.stderr)")

        let status = try await cli.run("status")
        #expect(status.stdout.contains("expanded"), "\(status.stdout)")
        #expect(status.stdout.contains("drift: unknown — 2_rename.yaml is expanded"), "\(status.stdout)")
        #expect(status.stdout.contains("rename"), "\(status.stdout)")

        // A deploy's `migrate` leaves a migration started by `cutover start` for the operator
        // to complete (old nodes may still run); migrations after it wait for that.
        let deploy = try await cli.run("migrate")
        #expect(deploy.status == 0, "\(deploy.stderr)")
        #expect(deploy.stdout.contains("2_rename.yaml is expanded: run `cutover complete 2`"), "\(deploy.stdout)")
        try cli.fixture.write("4_later.sql", "-- cutover:up\nCREATE TABLE later (id integer);\n-- cutover:down\nDROP TABLE later;\n")
        let waiting = try await cli.run("migrate")
        #expect(waiting.status == 2)
        #expect(waiting.stderr.contains("is expanded (started by `cutover start`): the migrations after it wait"), "\(waiting.stderr)")
        try cli.fixture.remove("4_later.sql")
        #expect((try await cli.json("status")["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "expanded"])

        let text = try await cli.run("complete", "2")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("2 completed"), "\(text.stdout)")
        #expect(text.stderr.contains("RENAME COLUMN"), "\(text.stderr)")
        let after = try await cli.json("status")
        #expect((after["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "completed"])

        // A second migration, started and aborted.
        try cli.fixture.write("3_drop.yaml", "operations:\n  - drop_column: { table: users, column: initial, down: \"'?'\" }\n")
        #expect(try await cli.run("start", "3").status == 0)
        let abort = try await cli.run("abort", "3")
        #expect(abort.status == 0, "\(abort.stderr)")
        #expect(abort.stdout.contains("3 aborted"), "\(abort.stdout)")
        let again = try await cli.run("abort", "3")
        #expect(again.status == 0, "\(again.stderr)")
        await cli.cleanUp()
    }

    @Test("start --no-backfill, then backfill: the progress line, then expanded")
    func backfillCommand() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", Self.users)
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename + "  - create_index: { name: users_initial_idx, table: users, columns: [initial] }\n")
        let start = try await cli.run("start", "2", "--no-backfill")
        #expect(start.status == 0, "\(start.stderr)")
        #expect(
            start.stdout.contains("2 expanding: both versions are served; the backfill has not run (`cutover backfill 2`); the index that waits for it comes with it"),
            "\(start.stdout)")
        #expect((try await cli.json("status")["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "expanding"])
        let backfill = try await cli.run("backfill", "2", "--batch-time", "50ms", "--no-throttle")
        #expect(backfill.status == 0, "\(backfill.stderr)")
        #expect(backfill.stderr.contains("backfill public.users: 500 of ~500 rows") && backfill.stderr.contains("done"), "STDERR[\(backfill.stderr)]")
        #expect(backfill.stdout.contains("2 expanded: the backfill is done"), "\(backfill.stdout)")
        let bad = try await cli.run("backfill", "2", "--batch-time", "soon")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--batch-time expects a duration"), "\(bad.stderr)")
        await cli.cleanUp()
    }

    @Test("validate parses .yaml migrations: a mistake is exit 2 with file and line, online and --offline; valid ones are counted")
    func validateParsesYAML() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        try cli.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer PRIMARY KEY, name text);\n-- cutover:down\nDROP TABLE users;\n")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename)
        let valid = try await cli.run("validate", "--offline")
        #expect(valid.stdout.contains("2 migration files parse"), "\(valid.stdout)")
        try cli.fixture.write("3_bad.yaml", "operations:\n  - rename_colum: { table: users, from: name, to: full_name }\n")
        for arguments in [["validate"], ["validate", "--offline"]] {
            let bad = try await CutoverProcess.run(arguments, in: cli.folder)
            #expect(bad.status == 2, "\(arguments): \(bad.stderr)")
            #expect(bad.stderr.contains("3_bad.yaml:2:"), "\(arguments): \(bad.stderr)")
        }
        await cli.cleanUp()
    }

    @Test("migrate runs a .yaml migration start to complete between the .sql ones; on SQLite it applies it directly")
    func migrateRunsYAML() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", Self.users)
        try cli.fixture.write("2_rename.yaml", Self.rename)
        // Needs the renamed column: runs only after 2 is complete.
        try cli.fixture.write("3_index.sql", "-- cutover:up\nCREATE INDEX users_full_name ON users (full_name);\n-- cutover:down\nDROP INDEX users_full_name;\n")
        // A dry run plans the first .yaml migration against the tables as they are, runs nothing.
        #expect(try await cli.run("migrate", "--to", "1").status == 0)
        let dry = try await cli.run("migrate", "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would apply 3_index"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would run 2_rename.yaml start to complete: ") && dry.stdout.contains("a backfill of users"), "\(dry.stdout)")
        let dryJSON = try await cli.json("migrate", "--dry-run")
        #expect((dryJSON["expand_contract"] as? [[String: Any]])?.first?["phase"] as? String == "pending")
        #expect((try await cli.json("status")["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "pending", "pending"])
        let migrate = try await cli.run("--json", "migrate")
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(migrate.stdout.utf8)) as? [String: Any])
        let ran = try #require(report["expand_contract"] as? [[String: Any]])
        #expect(ran.map { $0["id"] as? String } == ["2"] && ran.map { $0["phase"] as? String } == ["completed"])
        #expect((report["applied"] as? [[String: Any]])?.map { $0["id"] as? String } == ["3"])
        let status = try await cli.json("status")
        #expect((status["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "completed", "applied"])
        // The drift replay runs the .yaml migration start to complete among the .sql ones.
        let replayed = try await cli.run("diff", "--against", "migrations")
        #expect(replayed.status == 0 && replayed.stdout.contains("no drift"), "\(replayed.stdout)\(replayed.stderr)")
        #expect(try await cli.run("migrate").stdout.contains("up to date"))
        await cli.cleanUp()

        let sqlite = try await CLIFixture.make(.sqlite)
        try sqlite.fixture.write("1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer PRIMARY KEY, name text);\n-- cutover:down\nDROP TABLE users;\n")
        // SQLite is single-node: migrate applies the .yaml migration directly, in order.
        let rename = "operations:\n  - rename_column: { table: users, from: name, to: full_name }\n  - add_column:\n      table: users\n      column: { name: initial, type: text }\n      up: \"substr(name, 1, 1)\"\n"
        try sqlite.fixture.write("2_rename.yaml", rename)
        try sqlite.fixture.write("3_index.sql", "-- cutover:up\nCREATE INDEX users_full_name ON users (full_name);\n-- cutover:down\nDROP INDEX users_full_name;\n")
        let applied = try await sqlite.run("migrate")
        #expect(applied.status == 0, "\(applied.stderr)")
        let sqliteStatus = try await sqlite.json("status")
        #expect((sqliteStatus["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "applied", "applied"])
        #expect(try await sqlite.run("migrate").stdout.contains("up to date"))
        // The drift replay applies the .yaml migration among the .sql ones: no drift; a
        // column added by hand is drift.
        let drift = try await sqlite.run("status")
        #expect(drift.stdout.contains("drift: none"), "\(drift.stdout)")
        #expect(try await sqlite.run("diff", "--against", "migrations").status == 0)
        _ = try await sqlite.fixture.query("ALTER TABLE users ADD COLUMN by_hand text")
        let drifted = try await sqlite.run("diff", "--against", "migrations")
        #expect(drifted.status == 3 && drifted.stdout.contains("users.by_hand"), "\(drifted.stdout)")
        _ = try await sqlite.fixture.query("ALTER TABLE users DROP COLUMN by_hand")
        // rollback cannot pass the applied .yaml migration (it has no down section).
        #expect(try await sqlite.run("rollback", "--yes").status == 0)
        let rollback = try await sqlite.run("rollback", "--yes")
        #expect(rollback.status == 2 && rollback.stderr.contains("would pass 2_rename.yaml"), "\(rollback.stderr)")
        #expect(try await sqlite.run("migrate").status == 0)
        let start = try await sqlite.run("start", "2")
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("already applied") && start.stdout.contains("single-node"), "\(start.stdout)")
        let abort = try await sqlite.run("abort", "2")
        #expect(abort.status == 2)
        #expect(abort.stderr.contains("nothing") || abort.stderr.contains("no expand phase"), "\(abort.stderr)")
        await sqlite.cleanUp()
    }

    @Test("complete --revert-window: revertible (status, JSON), abort refused naming revert, revert; complete --finalize; bad flags")
    func revertWindow() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_users.sql", Self.users)
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_rename.yaml", Self.rename)
        #expect(try await cli.run("start", "2").status == 0)

        let complete = try await cli.run("--json", "complete", "2", "--revert-window", "30m")
        #expect(complete.status == 0, "\(complete.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(complete.stdout.utf8)) as? [String: Any])
        #expect(record["phase"] as? String == "revertible")
        #expect((record["revertible_until"] as? String)?.hasPrefix("20") == true, "\(complete.stdout)")
        let states = try #require(try await cli.json("status")["migrations"] as? [[String: Any]])
        #expect(states.map { $0["state"] as? String } == ["applied", "revertible"])
        #expect(states.last?["version_schema"] as? String == "public_2")
        #expect((states.last?["backfills"] as? [[String: Any]])?.first?["rows_done"] as? Int == 500)
        let statusText = try await cli.run("status")
        #expect(statusText.stdout.contains("version schema public_2") && statusText.stdout.contains("revertible until"), "\(statusText.stdout)")
        let abort = try await cli.run("abort", "2")
        #expect(abort.status == 2)
        #expect(abort.stderr.contains("cutover revert 2"), "\(abort.stderr)")

        let revert = try await cli.run("revert", "2")
        #expect(revert.status == 0, "\(revert.stderr)")
        #expect(revert.stdout.contains("2 reverted"), "\(revert.stdout)")
        #expect((try await cli.json("status")["migrations"] as? [[String: Any]])?.map { $0["state"] as? String } == ["applied", "pending"])

        #expect(try await cli.run("start", "2").status == 0)
        let text = try await cli.run("complete", "2", "--revert-window", "1h")
        #expect(text.stdout.contains("2 completed, revertible until"), "\(text.stdout)")
        let finalize = try await cli.run("complete", "2", "--finalize")
        #expect(finalize.status == 0, "\(finalize.stderr)")
        #expect(finalize.stderr.contains("RENAME COLUMN"), "\(finalize.stderr)")
        let late = try await cli.run("revert", "2")
        #expect(late.status == 2)
        #expect(late.stderr.contains("write a new migration"), "\(late.stderr)")

        let bad = try await cli.run("complete", "2", "--revert-window", "a while")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--revert-window expects a duration"), "\(bad.stderr)")
        let both = try await cli.run("complete", "2", "--revert-window", "1h", "--finalize")
        #expect(both.status == 2)
        await cli.cleanUp()
    }
}
