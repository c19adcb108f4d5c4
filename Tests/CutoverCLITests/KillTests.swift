import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// `cutover migrate` killed with SIGKILL at random moments, then run again at once: every
/// migration's effect must happen exactly once and the history must say so.
@Suite("exactly once under kill -9")
struct KillTests {
    /// Kills per backend. Each round adds one migration that waits, then writes.
    static let rounds = 25

    @Test("migrate killed at random points of a migration that waits then writes; the rerun applies it exactly once", arguments: TestBackend.all)
    func killedMigrations(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        let isPostgres = backend.name == "postgres"
        try cli.fixture.write("1_init.sql", "CREATE TABLE counter (n integer NOT NULL);\nINSERT INTO counter VALUES (0);")
        #expect(try await cli.run("migrate").status == 0)
        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 1...Self.rounds {
            let id = round + 1
            // Every third migration runs statement by statement (-- cutover:no-transaction).
            let header = round % 3 == 0 ? "-- cutover:no-transaction\n" : ""
            let wait = isPostgres
                ? "SELECT pg_sleep(0.9)"
                : "CREATE TABLE scratch_\(id) AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000) SELECT x FROM c"
            let cleanup = isPostgres ? "" : "\nDROP TABLE scratch_\(id);"
            try cli.fixture.write("\(id)_bump.sql", "\(header)\(wait);\nUPDATE counter SET n = n + 1;\nCREATE TABLE mark_\(id) (id integer);\(cleanup)")

            let (process, _, _) = try CutoverProcess.start(["migrate"], in: cli.folder)
            if isPostgres {
                // From the moment the wait is running, a random point within it: the killed
                // run's backend finishes the migration on its own in some rounds, and in
                // others notices the closed socket and rolls back. (0.9 s of wait against at
                // most 0.65 s before the kill: under the full suite, noticing the wait lags,
                // and a 0.6 s wait left fewer than half the kills inside the run once.)
                try await waitUntilRunning("pg_sleep(0.9)", cli: cli, process: process)
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...650, using: &generator)))
            } else {
                // The CTE takes about half a second on a fast machine: kills within it, or in the start-up.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...450, using: &generator)))
            }
            if process.isRunning { killedMidway += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let rerun = try await cli.run("migrate")
            #expect(rerun.status == 0, "round \(round): \(rerun.stderr)")
            let counter = try await cli.fixture.query("SELECT n FROM counter").first?.int("n")
            #expect(counter == round, "round \(round): every bump exactly once")
            #expect(try await cli.fixture.tableExists("mark_\(id)"), "round \(round)")
            if !isPostgres { #expect(try await !cli.fixture.tableExists("scratch_\(id)"), "round \(round)") }
            let status = try await cli.json("status", "--no-drift")
            let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states == Array(repeating: "applied", count: id), "round \(round): \(states ?? [])")
            if counter != round { break }
        }
        #expect(killedMidway >= Self.rounds / 2, "most kills should land while the migration runs")
        await cli.cleanUp()
    }

    @Test("migrate killed during CREATE INDEX CONCURRENTLY; the rerun drops an INVALID leftover or keeps a finished index, never builds two")
    func killedConcurrentIndex() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_big.sql", "CREATE TABLE big (id bigint, email text);\nINSERT INTO big SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 400000) g;")
        #expect(try await cli.run("migrate").status == 0)
        var generator = SystemRandomNumberGenerator()
        for round in 1...10 {
            let id = round + 1
            // Named and unnamed indexes: each round's key expression is its own.
            let name = round % 2 == 0 ? "big_\(id) " : ""
            try cli.fixture.write("\(id)_index.sql", "-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY \(name)ON big ((id + \(id)), email);")
            let (process, _, _) = try CutoverProcess.start(["migrate"], in: cli.folder)
            try await waitUntilRunning("(id + \(id))", cli: cli, process: process)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...700, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let rerun = try await cli.run("migrate")
            #expect(rerun.status == 0, "round \(round): \(rerun.stderr)")
            let indexes = try await cli.fixture.query("""
                SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'big'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%(id + \(id))%'
                """)
            #expect(indexes.count == 1, "round \(round): \(indexes)")
            #expect(indexes.allSatisfy { $0["valid"] == .bool(true) }, "round \(round): \(indexes)")
            if !name.isEmpty { #expect(indexes.first?.string("name") == "big_\(id)") }
            let status = try await cli.json("status", "--no-drift")
            let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states == Array(repeating: "applied", count: id), "round \(round): \(states ?? [])")
        }
        await cli.cleanUp()
    }

    @Test("start killed during its backfill or the index build that follows it; the rerun finishes both, one valid index, every row filled")
    func killedStartAfterBackfill() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_big.sql", """
            CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL);
            INSERT INTO big SELECT g, md5(g::text) || '@example.com' FROM generate_series(1, 200000) g;
            """)
        #expect(try await cli.run("migrate").status == 0)
        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 1...4 {
            let id = round + 1
            // A new column filled by the backfill, and a plain index on it, which `start` builds
            // after the backfill.
            try cli.fixture.write("\(id)_column.yaml", """
                operations:
                  - add_column:
                      table: big
                      column: { name: c\(id), type: text }
                      up: "left(email, \(id))"
                  - create_index: { name: big_c\(id)_idx, table: big, columns: [c\(id)] }

                """)
            let (process, _, _) = try CutoverProcess.start(["start", "\(id)", "--no-throttle"], in: cli.folder)
            // Odd rounds kill during the index build, even ones during the backfill.
            let during = round % 2 == 1 ? "CREATE INDEX CONCURRENTLY \"big_c\(id)_idx\"" : "_cutover_needs_backfill_\(id)"
            try await waitUntilRunning(during, cli: cli, process: process)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...(round % 2 == 1 ? 100 : 300), using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidway += 1 }

            let rerun = try await cli.run("start", "\(id)", "--no-throttle")
            #expect(rerun.status == 0, "round \(round): \(rerun.stderr)")
            #expect(rerun.stdout.contains("\(id) expanded"), "round \(round): \(rerun.stdout)")
            if process.terminationReason == .uncaughtSignal {
                #expect(rerun.stderr.contains("expanding, resuming after"), "round \(round): \(rerun.stderr)")
                if round % 2 == 1 {
                    // The build the kill interrupted: finished by its orphaned backend, or left INVALID.
                    #expect(
                        rerun.stderr.contains("index big_c\(id)_idx was built by an earlier run")
                            || rerun.stderr.contains("dropped the INVALID index big_c\(id)_idx"), "round \(round): \(rerun.stderr)")
                }
            }
            let complete = try await cli.run("complete", "\(id)")
            #expect(complete.status == 0, "round \(round): \(complete.stderr)")
            let indexes = try await cli.fixture.query("""
                SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'big'::regclass AND c.relname LIKE '%c\(id)%'
                """)
            #expect(indexes.map { $0.string("name") } == ["big_c\(id)_idx"], "round \(round): \(indexes)")
            #expect(indexes.allSatisfy { $0["valid"] == .bool(true) }, "round \(round): \(indexes)")
            let unfilled = try await cli.fixture.query("SELECT count(*) AS n FROM big WHERE c\(id) IS DISTINCT FROM left(email, \(id))")
            #expect(unfilled.first?.int("n") == 0, "round \(round)")
        }
        #expect(killedMidway >= 3, "most kills should land while start runs")
        await cli.cleanUp()
    }

    /// Waits until a statement containing `fragment` is running on the fixture's database
    /// (or the process has ended), polling the server: the kill point is then measured from
    /// a moment the test has seen, however loaded the machine is.
    private func waitUntilRunning(_ fragment: String, cli: CLIFixture, process: Process) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        let pattern = fragment.replacingOccurrences(of: "'", with: "''")
        while process.isRunning, clock.now < deadline {
            let busy = try await cli.fixture.query("""
                SELECT 1 AS busy FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
                  AND strpos(query, '\(pattern)') > 0 AND strpos(query, 'pg_stat_activity') = 0
                """)
            if !busy.isEmpty { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
