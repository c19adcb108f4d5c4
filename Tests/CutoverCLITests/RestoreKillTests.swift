import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `cutover restore --force` killed with SIGKILL at several moments of a PostgreSQL restore
/// over the live database: every table must hold either all its old rows or all the
/// restored ones, never a mix, and the database must go on working.
@Suite("kill -9 during restore --force: the live database is fully old or fully restored", .serialized)
struct RestoreKillTests {
    static let restoredRows = 400_000

    /// What the live database holds.
    enum Contents: Equatable, CustomStringConvertible {
        case old, restored
        case mixed(String)

        var description: String {
            switch self {
            case .old: "old"
            case .restored: "restored"
            case .mixed(let detail): "MIXED: \(detail)"
            }
        }
    }

    /// Where the run is killed.
    enum KillPoint: CustomStringConvertible {
        /// The whole process group, as soon as the restore's session shows in pg_stat_activity.
        case groupOnConnect
        /// The whole process group while the big table's COPY runs, after `delay`.
        case groupDuringCopy(delay: Duration)
        /// `cutover` and `pg_restore`, not `psql` (how the defect was found), during the COPY.
        case cutoverAndPgRestoreDuringCopy
        /// `cutover` alone during the COPY: its children must die with it.
        case cutoverAloneDuringCopy

        var description: String {
            switch self {
            case .groupOnConnect: "process group, on connect"
            case .groupDuringCopy(let delay): "process group, \(delay.milliseconds) ms into the COPY"
            case .cutoverAndPgRestoreDuringCopy: "cutover and pg_restore during the COPY"
            case .cutoverAloneDuringCopy: "cutover alone during the COPY"
            }
        }

        var waitsForCopy: Bool {
            if case .groupOnConnect = self { return false }
            return true
        }
    }

    @Test("SIGKILL at several points of restore --force never leaves a half-restored database")
    func killDuringRestore() async throws {
        let cli = try await CLIFixture.make(.postgres)
        try cli.fixture.write("1_tables.sql", """
            CREATE TABLE big (id bigint PRIMARY KEY, tag text NOT NULL, payload text NOT NULL);
            CREATE TABLE small (id integer PRIMARY KEY, tag text NOT NULL);
            """)
        #expect(try await cli.run("migrate").status == 0)
        _ = try await cli.fixture.query("INSERT INTO big SELECT g, 'restored', md5(g::text) FROM generate_series(1, \(Self.restoredRows)) g")
        _ = try await cli.fixture.query("INSERT INTO small SELECT g, 'restored' FROM generate_series(1, 10) g")
        let taken = try await cli.json("backup")
        let id = try #require((taken["backup"] as? [String: Any])?["id"] as? String, "\(taken)")
        try await makeOld(cli)
        #expect(try await contents(cli) == .old)

        let database = try #require(cli.fixture.url.database)
        let points: [KillPoint] = [
            .groupOnConnect, .cutoverAndPgRestoreDuringCopy, .cutoverAloneDuringCopy, .groupDuringCopy(delay: .zero),
            .groupDuringCopy(delay: .milliseconds(Int.random(in: 50...400))), .groupDuringCopy(delay: .milliseconds(Int.random(in: 200...900))),
        ]
        var outcomes: [Contents] = []
        for point in points {
            let run = try KillableCutover.start(["restore", id, "--force"], in: cli.folder)
            defer { run.cleanUp() }
            let started = try await pollUntil {
                let rows = try await PostgresCluster.shared.queryAsSuperuser("""
                    SELECT count(*) AS n FROM pg_stat_activity
                    WHERE datname = '\(database)' AND application_name = 'cutover-restore'
                      \(point.waitsForCopy ? "AND state = 'active' AND query LIKE 'COPY public.big%'" : "")
                    """)
                return rows.first?.int("n") ?? 0 > 0 || RunningProcess.hasEnded(run.pid)
            }
            #expect(started, "the restore never showed in pg_stat_activity (\(point))")
            let children = run.descendants()
            switch point {
            case .groupOnConnect:
                run.killGroup()
            case .groupDuringCopy(let delay):
                // A random moment after a real start signal, not a sleep standing in for one.
                if delay > .zero { try await Task.sleep(for: delay) }
                run.killGroup()
            case .cutoverAndPgRestoreDuringCopy:
                for child in children where child.name == "pg_restore" { kill(child.pid, SIGKILL) }
                run.killProcess()
            case .cutoverAloneDuringCopy:
                run.killProcess()
            }
            let status = await run.wait()
            // Children die with cutover, whichever way it was killed.
            let survivors = await RunningProcess.waitUntilEnded(children)
            #expect(survivors.isEmpty, "still running after cutover was killed (\(point)): \(survivors)")
            // The server ends the restore's session once it sees the connection gone.
            let closed = try await pollUntil {
                try await PostgresCluster.shared.queryAsSuperuser(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '\(database)' AND application_name = 'cutover-restore'"
                ).first?.int("n") == 0
            }
            #expect(closed, "the restore's session stayed open (\(point))")
            let now = try await contents(cli)
            outcomes.append(now)
            #expect(now == .old || now == .restored, "after a kill (\(point), exit \(status)) the database is \(now)")
            // Still works: a write, and cutover reads its history.
            _ = try await cli.fixture.query("INSERT INTO small VALUES (1000, 'probe')")
            _ = try await cli.fixture.query("DELETE FROM small WHERE id = 1000")
            let check = try await cli.run("status")
            #expect(check.status == 0, "\(check.stderr)")
            if now != .old { try await makeOld(cli) }
        }
        #expect(outcomes.contains(.old), "no kill landed inside a restore: \(outcomes)")

        // Uninterrupted, the same restore completes.
        let full = try await cli.run("restore", id, "--force")
        #expect(full.status == 0, "\(full.stderr)")
        #expect(try await contents(cli) == .restored)
        await cli.cleanUp()
    }

    /// Puts the live database in its "old" state: few rows, tagged `old`, and a table the
    /// backup does not have.
    private func makeOld(_ cli: CLIFixture) async throws {
        _ = try await cli.fixture.query("TRUNCATE big, small")
        _ = try await cli.fixture.query("INSERT INTO big SELECT g, 'old', 'x' FROM generate_series(1, 1000) g")
        _ = try await cli.fixture.query("INSERT INTO small SELECT g, 'old' FROM generate_series(1, 3) g")
        _ = try await cli.fixture.query("CREATE TABLE IF NOT EXISTS extra (id integer)")
    }

    private func contents(_ cli: CLIFixture) async throws -> Contents {
        let row = try #require(try await cli.fixture.query("""
            SELECT (SELECT count(*) FROM big) AS big_rows, (SELECT count(*) FROM big WHERE tag = 'old') AS big_old,
                   (SELECT count(*) FROM small) AS small_rows, (SELECT count(*) FROM small WHERE tag = 'old') AS small_old,
                   (to_regclass('public.extra') IS NOT NULL)::int AS has_extra
            """).first)
        let values = ["big_rows", "big_old", "small_rows", "small_old", "has_extra"].map { row.int($0) ?? -1 }
        if values == [1000, 1000, 3, 3, 1] { return .old }
        if values == [Self.restoredRows, 0, 10, 0, 0] { return .restored }
        return .mixed("big \(values[0]) rows (\(values[1]) old), small \(values[2]) rows (\(values[3]) old), extra table: \(values[4] == 1)")
    }
}
