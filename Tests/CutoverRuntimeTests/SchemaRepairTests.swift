import Cutover
import CutoverCore
import CutoverPostgres
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// SchemaRepair on a real SQLite file and a real PostgreSQL: a missing column repaired exactly
/// once across concurrent callers, other errors untouched, a repair that cannot help.
@Suite("SchemaRepair: apply the pending migrations once and retry")
struct SchemaRepairTests {
    /// `users` and `repair_log` applied; `2_phone.sql` (adds `phone`, logs a row) pending.
    static func make(_ backend: TestBackend) async throws -> RuntimeFixture {
        let fx = try await RuntimeFixture.make(backend)
        try fx.fixture.write("1_users.sql", """
            CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);
            CREATE TABLE repair_log (id integer);
            INSERT INTO users VALUES (1, 'ada');
            """)
        _ = try await fx.deployment.migrate()
        try fx.fixture.write("2_phone.sql", """
            ALTER TABLE users ADD COLUMN phone text;
            INSERT INTO repair_log VALUES (2);
            """)
        return fx
    }

    @Test("eight nodes meeting the missing column at once: each query succeeds, the migration is applied exactly once", arguments: TestBackend.all)
    func concurrentNodes(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let url = fx.fixture.url
        let repairers = (0..<8).map { _ in SchemaRepair(deployment: fx.deployment) }
        let phones = try await withThrowingTaskGroup(of: String?.self) { group in
            for repair in repairers {
                group.addTask {
                    let database = try await TestBackend.open(url, lockWait: .seconds(60))
                    defer { Task { await database.close() } }
                    return try await repair.run {
                        try await database.query("SELECT coalesce(phone, 'none') AS phone FROM users WHERE id = 1").first?.string("phone")
                    }
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(phones == Array(repeating: "none", count: 8))
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM repair_log").first?.int("n") == 1)
        #expect(repairers.map(\.repairs).reduce(0, +) == 1)
    }

    @Test("four callers of one SchemaRepair failing together: one repair counted, the migration applied once", arguments: TestBackend.all)
    func oneInstanceShares(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let repair = SchemaRepair(deployment: fx.deployment)
        let url = fx.fixture.url
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let database = try await TestBackend.open(url, lockWait: .seconds(60))
                    defer { Task { await database.close() } }
                    _ = try await repair.run { try await database.query("SELECT phone FROM users") }
                }
            }
            try await group.waitForAll()
        }
        #expect(repair.repairs == 1)
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM repair_log").first?.int("n") == 1)
    }

    @Test("any other error passes through unchanged and applies nothing", arguments: TestBackend.all)
    func otherErrorsPassThrough(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let repair = SchemaRepair(deployment: fx.deployment)
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        var direct: CutoverError?
        do { _ = try await database.query("SELEC 1") } catch let error as CutoverError { direct = error }
        let error = await #expect(throws: CutoverError.self) { try await repair.run { try await database.query("SELEC 1") } }
        #expect(error?.message == direct?.message && error?.code == direct?.code)
        // A constraint violation is not a missing schema either.
        await #expect(throws: CutoverError.self) { try await repair.run { try await database.execute("INSERT INTO users VALUES (1, 'again')") } }
        #expect(repair.repairs == 0)
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM repair_log").first?.int("n") == 0)
    }

    @Test("a repair that does not add what the query needs re-raises the original error, having run the work twice", arguments: TestBackend.all)
    func repairThatDoesNotHelp(_ backend: TestBackend) async throws {
        let fx = try await Self.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let repair = SchemaRepair(deployment: fx.deployment)
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        let runs = Counter()
        let error = await #expect(throws: CutoverError.self) {
            try await repair.run { () async throws -> [Row] in
                runs.increment()
                return try await database.query("SELECT fax FROM users")
            }
        }
        #expect(error?.message.contains("fax") == true)
        #expect(runs.value == 2)
        #expect(repair.repairs == 1)  // 2_phone.sql was pending and got applied
        #expect(try await fx.fixture.query("SELECT count(*) AS n FROM repair_log").first?.int("n") == 1)
    }

    @Test("PostgreSQL's stale prepared plan after a column is added is recognised")
    func stalePlanRecognised() async throws {
        let fx = try await Self.make(.postgres)
        defer { Task { await fx.fixture.cleanUp() } }
        let database = try await TestBackend.open(fx.fixture.url)
        defer { Task { await database.close() } }
        try await database.execute("PREPARE all_users AS SELECT * FROM users")
        _ = try await database.query("EXECUTE all_users")
        _ = try await fx.deployment.migrate()
        let error = await #expect(throws: CutoverError.self) { _ = try await database.query("EXECUTE all_users") }
        #expect(PostgresDriver().missingSchema(in: try #require(error)) == .stalePlan, "\(String(describing: error))")
        // And the other two kinds, from real errors.
        var undefined: [MissingSchema?] = []
        for sql in ["SELECT fax FROM users", "SELECT 1 FROM faxes"] {
            do { _ = try await database.query(sql) } catch { undefined.append(PostgresDriver().missingSchema(in: error)) }
        }
        #expect(undefined == [.column, .table])
    }
}

/// A counter the work closure can bump.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
