import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Synchronization
import Testing

/// The promise of expand/contract, checked under load: old and new application clients run
/// throughout `start` → backfill → `complete` (the old ones until the new version is rolled
/// out, as in a rolling deploy) and none of their queries fails, every row ends converted,
/// and every value a client wrote is in the final table.
@Suite("Expand/contract under load: both versions' clients run through start, backfill and complete")
struct ExpandContractLoadTests {
    /// What the clients did: failures, and the last value written to each row they own.
    final class Ledger: Sendable {
        let failures = Mutex<[String]>([])
        /// id → (name, price as numeric text) last written.
        let written = Mutex<[Int64: (name: String, price: String)]>([:])
        let operations = Atomic<Int>(0)

        /// Set to stop the clients of one version.
        final class Stop: Sendable {
            private let flag = Atomic<Bool>(false)
            func set() { flag.store(true, ordering: .relaxed) }
            var isSet: Bool { flag.load(ordering: .relaxed) }
        }

        func record(_ id: Int64, name: String, price: String) { written.withLock { $0[id] = (name, price) } }
        func fail(_ text: String) { failures.withLock { $0.append(text) } }
    }

    /// Runs one client until `stop` is set: inserts, updates of the rows of its stripe
    /// (`id % 4 == stripe`, so no two clients write one row) and reads, in turn.
    static func client(
        url: DatabaseURL, version: String?, stripe: Int64, rows: Int64, ledger: Ledger, stop: Ledger.Stop
    ) async {
        do {
            let database = try await TestBackend.open(url)
            defer { Task { await database.close() } }
            if let version { try await database.execute("SET search_path TO \(version), public") }
            var step: Int64 = 0
            while !stop.isSet {
                step += 1
                let name = "\(version ?? "old")-\(stripe)-\(step)"
                do {
                    switch step % 3 {
                    case 0:
                        let id = 1_000_000 * (stripe + 1) + step
                        if version == nil {
                            try await database.execute("INSERT INTO users (id, name, price) VALUES ($1, $2, $3)", [.integer(id), .text(name), .integer(step % 300)])
                            ledger.record(id, name: name, price: "\(step % 300).00")
                        } else {
                            try await database.execute(
                                "INSERT INTO users (id, full_name, price, status) VALUES ($1, $2, $3::numeric, 'vip')", [.integer(id), .text(name), .text("\(step % 300).25")])
                            ledger.record(id, name: name, price: "\(step % 300).25")
                        }
                    case 1:
                        let id = (Int64.random(in: 0..<(rows / 4)) * 4 + stripe) % rows + 1
                        guard (id - 1) % 4 == stripe else { continue }
                        if version == nil {
                            try await database.execute("UPDATE users SET name = $1, price = $2 WHERE id = $3", [.text(name), .integer(step % 300), .integer(id)])
                            ledger.record(id, name: name, price: "\(step % 300).00")
                        } else {
                            try await database.execute(
                                "UPDATE users SET full_name = $1, price = $2::numeric WHERE id = $3", [.text(name), .text("\(step % 300).75"), .integer(id)])
                            ledger.record(id, name: name, price: "\(step % 300).75")
                        }
                    default:
                        let id = Int64.random(in: 1...rows)
                        let columns = version == nil ? "name, price" : "full_name, price, status"
                        let found = try await database.query("SELECT \(columns) FROM users WHERE id = $1", [.integer(id)])
                        if found.count != 1 { ledger.fail("\(version ?? "old") read \(found.count) rows for id \(id)") }
                    }
                    ledger.operations.add(1, ordering: .relaxed)
                } catch {
                    ledger.fail("\(version ?? "old") step \(step): \(error)")
                }
            }
        } catch {
            ledger.fail("\(version ?? "old") could not connect: \(error)")
        }
    }

    /// Waits until the clients have done `count` more operations (a deadline, not a sleep, decides failure).
    static func waitForOperations(_ ledger: Ledger, more count: Int) async throws {
        let target = ledger.operations.load(ordering: .relaxed) + count
        let deadline = ContinuousClock.now + .seconds(300)
        while ledger.operations.load(ordering: .relaxed) < target {
            guard ContinuousClock.now < deadline else { throw CutoverError(.ioFailed, "the clients did \(count) operations in 300 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("no failed query from either version, every row converted, every write kept")
    func bothVersionsUnderLoad() async throws {
        let rows: Int64 = 20_000
        let fx = try await ExpandContractFixture.make(rows: Int(rows))
        defer { Task { await fx.fixture.cleanUp() } }
        let ledger = Ledger()
        let stopOld = Ledger.Stop(), stopNew = Ledger.Stop()
        let url = fx.fixture.url

        // Old nodes run from before the start until the new version is rolled out.
        let oldClients = (0..<2).map { stripe in
            Task { await Self.client(url: url, version: nil, stripe: Int64(stripe), rows: rows, ledger: ledger, stop: stopOld) }
        }
        try await Self.waitForOperations(ledger, more: 100)
        let started = try await fx.deployment.startExpandContract(ExpandContractFixture.id, backfill: .init(targetBatchDuration: .milliseconds(20), initialBatchSize: 500))
        #expect(started.phase == .expanded)

        // The new version rolls out; both run side by side for a while; the old one drains.
        let newClients = (2..<4).map { stripe in
            Task { await Self.client(url: url, version: "public_2", stripe: Int64(stripe), rows: rows, ledger: ledger, stop: stopNew) }
        }
        try await Self.waitForOperations(ledger, more: 300)
        stopOld.set()
        for client in oldClients { await client.value }

        let completed = try await fx.deployment.completeExpandContract(ExpandContractFixture.id)
        #expect(completed.phase == .completed)
        try await Self.waitForOperations(ledger, more: 100)
        stopNew.set()
        for client in newClients { await client.value }

        #expect(ledger.failures.withLock { $0 }.isEmpty, "\(ledger.failures.withLock { $0.prefix(5) })")
        #expect(try await fx.columns() == ["id", "full_name", "price", "status"])
        let written = ledger.written.withLock { $0 }
        #expect(written.count > 100)
        let final = try await fx.query("SELECT id, full_name, price::text AS price FROM users")
        var byID: [Int64: (String, String)] = [:]
        for row in final { byID[Int64(row.int("id") ?? 0)] = (row.string("full_name") ?? "", row.string("price") ?? "") }
        let lost = written.filter { id, value in byID[id].map { $0.0 != value.name || $0.1 != value.price } ?? true }
        #expect(lost.isEmpty, "\(lost.count) writes lost, e.g. \(lost.prefix(3).map { "\($0.key): wrote \($0.value), found \(String(describing: byID[$0.key]))" })")
        // Every original row was converted: its price equals the old integer (or what a client wrote).
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE id <= \(rows) AND price IS NULL") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM users WHERE id <= \(rows) AND status NOT IN ('new', 'premium')") == 0)
    }

    @Test("complete with a revert window keeps the old version working; revert brings it back with every write of both versions, no query failing")
    func revertWithinWindowUnderLoad() async throws {
        let rows: Int64 = 5_000
        let fx = try await ExpandContractFixture.make(rows: Int(rows))
        defer { Task { await fx.fixture.cleanUp() } }
        let ledger = Ledger()
        let stopOld = Ledger.Stop(), stopNew = Ledger.Stop()
        let url = fx.fixture.url
        let before = try await fx.columns()

        let oldClients = (0..<2).map { stripe in
            Task { await Self.client(url: url, version: nil, stripe: Int64(stripe), rows: rows, ledger: ledger, stop: stopOld) }
        }
        try await Self.waitForOperations(ledger, more: 100)
        #expect(try await fx.deployment.startExpandContract(ExpandContractFixture.id, backfill: .init(targetBatchDuration: .milliseconds(20))).phase == .expanded)
        let newClients = (2..<4).map { stripe in
            Task { await Self.client(url: url, version: "public_2", stripe: Int64(stripe), rows: rows, ledger: ledger, stop: stopNew) }
        }
        try await Self.waitForOperations(ledger, more: 200)

        // Completed within a window, with old clients still running: nothing is dropped.
        let completed = try await fx.deployment.completeExpandContract(ExpandContractFixture.id, revertWindow: .seconds(1800))
        #expect(completed.phase == .revertible)
        #expect((completed.revertibleUntil ?? .distantPast) > Date().addingTimeInterval(1700))
        try await Self.waitForOperations(ledger, more: 200)

        // The new version misbehaves: roll the application back, then revert.
        stopNew.set()
        for client in newClients { await client.value }
        let reverted = try await fx.deployment.revertExpandContract(ExpandContractFixture.id)
        #expect(reverted.phase == .reverted)
        try await Self.waitForOperations(ledger, more: 100)
        stopOld.set()
        for client in oldClients { await client.value }

        #expect(ledger.failures.withLock { $0 }.isEmpty, "\(ledger.failures.withLock { $0.prefix(5) })")
        #expect(try await fx.columns() == before)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'public_2'") == 0)
        #expect(try await fx.count("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal") == 0)
        // Every value written by either version is in the old shape (new prices as `down` converts them).
        let written = ledger.written.withLock { $0 }
        #expect(written.count > 100)
        var byID: [Int64: (String, Int)] = [:]
        for row in try await fx.query("SELECT id, name, price FROM users") { byID[Int64(row.int("id") ?? 0)] = (row.string("name") ?? "", row.int("price") ?? -1) }
        let lost = written.filter { id, value in
            byID[id].map { $0.0 != value.name || $0.1 != Int((Double(value.price) ?? -9).rounded()) } ?? true
        }
        #expect(lost.isEmpty, "\(lost.count) writes lost, e.g. \(lost.prefix(3).map { "\($0.key): wrote \($0.value), found \(String(describing: byID[$0.key]))" })")
        #expect(written.values.contains { $0.name.hasPrefix("public_2") })
    }
}
