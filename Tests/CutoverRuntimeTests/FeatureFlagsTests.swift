import Cutover
import CutoverCore
import CutoverRuntime
import CutoverTestSupport
import Foundation
import Testing

/// Run-time switches on a real SQLite file and a real PostgreSQL: the `requires` rule held by
/// the database itself, the reader's cache, and the stable percentage rollout.
@Suite("FeatureFlags and the flags table")
struct FeatureFlagsTests {
    @Test("a switch requiring an unapplied migration cannot be turned on, by the library nor by hand-written SQL; once applied it can", arguments: TestBackend.all)
    func requiresIsEnforcedByTheDatabase(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        let required = MigrationID("1")!
        // Off with a requirement: allowed, the requirement is kept.
        let off = try await fx.deployment.setFlag("new_checkout", enabled: false, requires: required)
        #expect(off.requires == required && !off.isEnabled)

        let refused = await #expect(throws: CutoverError.self) { try await fx.deployment.setFlag("new_checkout", enabled: true) }
        #expect(refused?.code == .flagRequirementNotMet)
        #expect(refused?.message.contains("requires migration 1") == true)
        #expect(refused?.hint?.contains("cutover migrate") == true)
        // By hand: the trigger refuses it too.
        let table = backend.name == "postgres" ? "cutover.flags" : "cutover_flags"
        let enabled = backend.name == "postgres" ? "true" : "1"
        await #expect(throws: (any Error).self) { _ = try await fx.fixture.query("UPDATE \(table) SET enabled = \(enabled) WHERE name = 'new_checkout'") }
        await #expect(throws: (any Error).self) {
            _ = try await fx.fixture.query("INSERT INTO \(table) (name, enabled, requires, updated_by) VALUES ('other', \(enabled), '1', 'x')")
        }
        #expect(try await fx.deployment.flag(named: "new_checkout")?.isEnabled == false)

        _ = try await fx.deployment.migrate()
        let on = try await fx.deployment.setFlag("new_checkout", enabled: true)
        #expect(on.isEnabled && on.requires == required)
        // Removing the requirement, and a switch without one.
        #expect(try await fx.deployment.setFlag("new_checkout", enabled: true, clearRequires: true).requires == nil)
        #expect(try await fx.deployment.setFlag("plain", enabled: true).isEnabled)
    }

    @Test("isEnabled serves the values read within the refresh interval, reads again after it, and is off for a switch never set", arguments: TestBackend.all)
    func cacheAndRefresh(_ backend: TestBackend) async throws {
        let fx = try await RuntimeFixture.make(backend)
        defer { Task { await fx.fixture.cleanUp() } }
        // Before any switch exists (no table yet): everything is off.
        let cached = FeatureFlags(deployment: fx.deployment, refreshInterval: .seconds(3600))
        #expect(try await cached.isEnabled("new_checkout") == false)

        _ = try await fx.deployment.setFlag("new_checkout", enabled: true)
        // Within the interval: the value read before.
        #expect(try await cached.isEnabled("new_checkout") == false)
        try await cached.refresh()
        #expect(try await cached.isEnabled("new_checkout") == true)

        // An interval of zero reads every time.
        let uncached = FeatureFlags(deployment: fx.deployment, refreshInterval: .zero)
        #expect(try await uncached.isEnabled("new_checkout") == true)
        _ = try await fx.deployment.setFlag("new_checkout", enabled: false)
        #expect(try await uncached.isEnabled("new_checkout") == false)
        #expect(try await cached.isEnabled("new_checkout") == true)

        // The maintenance switch reads like any other.
        _ = try await fx.deployment.setMaintenance(true)
        #expect(try await uncached.isEnabled(FeatureFlag.maintenance) == true)
    }

    @Test("fifty concurrent callers on a cold cache all get the value read")
    func concurrentCallersShareOneRead() async throws {
        let fx = try await RuntimeFixture.make(.sqlite)
        defer { Task { await fx.fixture.cleanUp() } }
        _ = try await fx.deployment.setFlag("a", enabled: true)
        let flags = FeatureFlags(deployment: fx.deployment, refreshInterval: .seconds(3600))
        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { try await flags.isEnabled("a") } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: true, count: 50))
    }

    @Test("the rollout is stable: the same keys on every call, about the share asked for, different keys for different switches")
    func stableRollout() {
        let tenPercent = FeatureFlag(name: "new_checkout", isEnabled: true, percent: 10)
        let keys = (0..<20_000).map { "user-\($0)" }
        let on = keys.filter { tenPercent.isEnabled(for: $0) }
        #expect((1_700...2_300).contains(on.count), "\(on.count) of 20,000")
        #expect(keys.filter { tenPercent.isEnabled(for: $0) } == on)
        // The documented hash: a change of it would move users between groups on upgrade.
        for key in keys.prefix(500) {
            let bucket: Int = FlagRollout.bucket(flag: "new_checkout", key: key)
            let expected: Int = Self.fnvBucket("new_checkout", key)
            #expect(bucket == expected)
        }
        let other = FeatureFlag(name: "dark_mode", isEnabled: true, percent: 10)
        #expect(keys.filter { other.isEnabled(for: $0) } != on)
        #expect(!FeatureFlag(name: "x", isEnabled: false, percent: 100).isEnabled(for: "k"))
        #expect(FeatureFlag(name: "x", isEnabled: true, percent: 100).isEnabled(for: "k"))
        #expect(!FeatureFlag(name: "x", isEnabled: true, percent: 0).isEnabled(for: "k"))
    }

    /// FNV-1a 64 of `flag`, NUL, `key`, modulo 100, written out independently of FlagRollout.
    static func fnvBucket(_ flag: String, _ key: String) -> Int {
        let bytes = Array(flag.utf8) + [0] + Array(key.utf8)
        let hash = bytes.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int(hash % 100)
    }
}
