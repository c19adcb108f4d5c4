import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// A statement that runs for seconds is never silent: `migrate` says it is still running,
/// once a second, until it ends.
///
/// The statement waits on a table lock this test holds, so it runs for exactly as long as the
/// test needs: the test reads cutover's stderr while it waits and opens the gate once the
/// notices have come.
@Suite("a long statement shows it is still running, and status shows it running")
struct StillRunningTests {
    @Test("migrate prints 'still running' every second while a statement waits, then finishes", arguments: [true, false])
    func stillRunning(inOneRoundTrip: Bool) async throws {
        // lock_timeout off: the wait lasts until the test opens the gate. A statement_timeout
        // turns the one-round-trip batch off, so the statement runs (and is named) alone.
        let safety = inOneRoundTrip ? "lock_timeout = \"off\"" : "lock_timeout = \"off\"\nstatement_timeout = \"10min\""
        let cli = try await CLIFixture.make(.postgres, safety: safety)
        try cli.fixture.write("1_gate.sql", "CREATE TABLE gate (id integer);")
        #expect(try await cli.run("migrate").status == 0)
        try cli.fixture.write("2_wait.sql", "CREATE TABLE during (id integer);\nSELECT count(*) FROM gate;")
        let holder = try await TestBackend.open(cli.fixture.url)
        try await holder.execute("BEGIN")
        try await holder.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")
        let run = try KillableCutover.start(["migrate"], in: cli.folder)
        defer { run.cleanUp() }
        let notices = { run.output.stderr.components(separatedBy: "\n").filter { $0.contains("still running") } }
        let heard = await pollUntil(limit: .seconds(120)) { notices().count >= 2 }
        // A concurrent status shows the migration as running (its transaction is invisible
        // to other sessions) and names the run that holds the lock.
        let during = try await cli.json("status", "--no-drift")
        let states = (during["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
        #expect(states == ["applied", "running"], "\(during)")
        let inProgress = during["run_in_progress"] as? [String: Any]
        #expect(inProgress?["application"] as? String == "cutover", "\(during)")
        #expect((inProgress?["pid"] as? Int ?? 0) > 0)
        let text = try await cli.run("status", "--no-drift")
        #expect(text.stdout.contains("running"), "\(text.stdout)")
        #expect(text.stdout.contains("a cutover run holds the migration lock: pid"), "\(text.stdout)")
        try await holder.execute("COMMIT")
        await holder.close()
        let status = await run.wait()
        let stderr = run.output.stderr
        #expect(heard, "no 'still running' notices: \(stderr)")
        #expect(status == 0, "\(stderr)")
        #expect(notices().first?.contains(": 1 s") == true, "\(stderr)")
        if !inOneRoundTrip {
            #expect(notices().first?.contains("(the statement at line 2)") == true, "\(stderr)")
        }
        // The notices come between the migration's start and its end.
        let lines = stderr.components(separatedBy: "\n")
        let started = try #require(lines.firstIndex { $0.contains("→ 2_wait") }, "\(stderr)")
        let done = try #require(lines.lastIndex { $0.contains("done") }, "\(stderr)")
        let first = try #require(lines.firstIndex { $0.contains("still running") })
        #expect(started < first && first < done, "\(stderr)")
        let after = try await cli.json("status", "--no-drift")
        #expect((after["migrations"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["applied", "applied"], "\(after)")
        #expect(after["run_in_progress"] is NSNull, "\(after)")
        await cli.cleanUp()
    }
}
