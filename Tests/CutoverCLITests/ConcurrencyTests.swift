import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("many runners and killed runners")
struct ConcurrencyTests {
    @Test("eight cutover migrate processes started together apply every migration exactly once", arguments: TestBackend.all)
    func eightRunners(backend: TestBackend) async throws {
        let cli = try await CLIFixture.make(backend)
        try cli.fixture.write("1_log.sql", "CREATE TABLE log (id integer NOT NULL);")
        for n in 2...25 {
            // Every fifth one runs statement by statement (-- cutover:no-transaction).
            let header = n % 5 == 0 ? "-- cutover:no-transaction\n" : ""
            try cli.fixture.write("\(n)_step.sql", "\(header)INSERT INTO log VALUES (\(n));\nCREATE TABLE t\(n) (id integer);\nCREATE TABLE u\(n) (id integer);")
        }
        let results = try await withThrowingTaskGroup(of: CutoverProcess.Result.self) { group in
            for _ in 0..<8 { group.addTask { try await cli.run("migrate", "--json") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let appliedCounts = try results.map { result -> Int in
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (object?["applied"] as? [Any])?.count ?? -1
        }
        #expect(appliedCounts.reduce(0, +) == 25, "each migration applied by exactly one runner: \(appliedCounts)")
        let rows = try await cli.fixture.query("SELECT count(*) AS n, count(DISTINCT id) AS d FROM log")
        #expect(rows.first?.int("n") == 24)
        #expect(rows.first?.int("d") == 24)
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == Array(repeating: "applied", count: 25))
        await cli.cleanUp()
    }

    @Test("a migrate killed with SIGKILL mid-migration leaves a consistent history; the rerun completes", arguments: TestBackend.all)
    func killedRunner(backend: TestBackend) async throws {
        // PostgreSQL: the slow statement waits on a table lock this test holds, so the runner is
        // mid-migration for exactly as long as the test needs, however loaded the machine is
        // (no lock_timeout, so the wait does not end on its own).
        let cli = try await CLIFixture.make(backend, safety: backend.name == "postgres" ? "lock_timeout = \"off\"" : "lock_timeout = \"5s\"")
        try cli.fixture.write("1_t.sql", "CREATE TABLE t (id integer);\nCREATE TABLE gate (id integer);")
        let slow = backend.name == "sqlite"
            ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000000) INSERT INTO t SELECT x FROM c"
            : "INSERT INTO t SELECT g FROM generate_series(1, 100) g;\nSELECT count(*) FROM gate"
        try cli.fixture.write("2_slow.sql", "CREATE TABLE during (id integer);\n\(slow);")
        try cli.fixture.write("3_after.sql", "CREATE TABLE after (id integer);")
        #expect(try await cli.run("migrate", "--to", "1").status == 0)
        var gate: (any Database)?
        if backend.name == "postgres" {
            let holder = try await TestBackend.open(cli.fixture.url)
            try await holder.execute("BEGIN")
            try await holder.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")
            gate = holder
        }
        let (process, _, _) = try CutoverProcess.start(["migrate"], in: cli.folder)
        var waitingBackend: Int?
        if let gate {
            // Kill once the runner's backend waits on the gate: it has created `during` and
            // inserted into t inside the migration's transaction.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while waitingBackend == nil, process.isRunning, clock.now < deadline {
                let waiting = try await gate.query("SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'gate' AND NOT l.granted")
                waitingBackend = waiting.first?.int("pid")
                if waitingBackend == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(waitingBackend != nil, "the runner should be waiting on the gate")
        } else {
            try await Task.sleep(for: .milliseconds(1200))
        }
        #expect(process.isRunning, "the slow migration should still be running when it is killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        if let gate, let waitingBackend {
            // The orphaned backend notices its client is gone (client_connection_check_interval)
            // and rolls back; only then is the gate opened, so nothing can commit after the kill.
            // (Watched from another session: inside the gate's transaction pg_stat_activity is
            // a snapshot that never changes.)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while try await !cli.fixture.query("SELECT 1 AS alive FROM pg_stat_activity WHERE pid = \(waitingBackend)").isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await gate.execute("COMMIT")
            await gate.close()
        }
        // Nothing of the killed migration is visible.
        #expect(try await !cli.fixture.tableExists("during"))
        let rerun = try await cli.run("migrate", "--json")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let status = try await cli.json("status")
        let states = (status["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == ["applied", "applied", "applied"])
        let expected = backend.name == "sqlite" ? 8_000_000 : 100
        #expect(try await cli.fixture.query("SELECT count(*) AS n FROM t").first?.int("n") == expected)
        await cli.cleanUp()
    }

    @Test("a second runner that cannot get the PostgreSQL lock in time exits 4 naming the holder")
    func lockWaitExpires() async throws {
        // No lock_timeout (turned off: the default is 2 s): the first runner's migration waits on
        // a table lock this test holds, so it keeps the run lock for exactly as long as the test
        // needs, however slow the machine.
        let cli = try await CLIFixture.make(.postgres, safety: "lock_timeout = \"off\"")
        _ = try await cli.fixture.query("CREATE TABLE gate (id integer)")
        let gate = try await TestBackend.open(cli.fixture.url)
        try await gate.execute("BEGIN")
        try await gate.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")
        try cli.fixture.write("1_waits.sql", "SELECT count(*) FROM gate;")
        let (first, _, _) = try CutoverProcess.start(["migrate"], in: cli.folder)
        // Start the second runner only once the first holds the advisory lock.
        try await cli.fixture.waitUntilRunLockHeld()
        let second = try await cli.run("migrate", "--lock-wait", "300ms")
        try await gate.execute("COMMIT")
        await gate.close()
        #expect(second.status == 4, "\(second.stderr)")
        #expect(second.stderr.contains("pid"))
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        await cli.cleanUp()
    }
}
