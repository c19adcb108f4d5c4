import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// The migration cache may only ever save time: every test here checks that what `load()`
/// returns is what parsing the files returns, whatever happened to the files or the cache.
@Suite("Parsed migration files are cached between runs")
struct MigrationFileCacheTests {
    /// A migrations folder and a cache folder, both fresh.
    struct Setup {
        let folder: TemporaryDirectory
        var migrations: String { folder.path("migrations") }
        var cacheFolder: String { folder.path("cache") }

        init() throws {
            folder = try TemporaryDirectory(prefix: "cutover-cache")
            try folder.write("migrations/1_users.sql", "-- cutover:up\nCREATE TABLE users (id integer PRIMARY KEY);\nCREATE INDEX users_id ON users (id);\n-- cutover:down\nDROP TABLE users;\n")
            try folder.write("migrations/2_orders.sql", "-- cutover:no-transaction\n-- cutover:up\n-- cutover:allow add-index-non-concurrently because it is new\nCREATE INDEX CONCURRENTLY orders_id ON orders (id);\n")
            try folder.write("migrations/10_seed.sql", "-- cutover:up\nINSERT INTO users VALUES (1);\n")
        }

        /// A cache that stores files at once (no settle margin), so tests need not wait a second.
        func directory(settleMargin: Duration = .zero, builtBy: String = "test build") -> MigrationDirectory {
            MigrationDirectory(path: migrations, cache: MigrationFileCache(directory: migrations, cacheFolder: cacheFolder, settleMargin: settleMargin, builtBy: builtBy))
        }

        /// What the files say, parsed without any cache.
        func parsedFresh() throws -> [Migration] { try MigrationDirectory(path: migrations).load() }
    }

    /// Everything `Migration` carries, for comparing a cached load with a fresh parse.
    static func summary(_ migrations: [Migration]) -> [String] {
        migrations.map { migration in
            let up = migration.up.map { "\($0.line):\($0.sql)" }.joined(separator: "|")
            let down = migration.down.map { $0.map { "\($0.line):\($0.sql)" }.joined(separator: "|") } ?? "none"
            let allowances = migration.allowances.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.sorted())" }.joined(separator: ",")
            let draft = migration.draft.map { "\($0.line):\($0.isMarked)" } ?? "none"
            return "\(migration.id.rawValue) \(migration.name) \(migration.fileName) \(migration.checksum) tx=\(migration.isTransactional) up=\(up) down=\(down) allow=\(allowances)"
                + " draft=\(draft) downEmpty=\(migration.isDownEmptyByIntent) markers=\(migration.upMarkerLine ?? 0),\(migration.downMarkerLine ?? 0)"
        }
    }

    @Test("drafts, no-ops and `-- cutover:down empty` come back from the cache as parsed")
    func draftsAndMarkers() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try setup.folder.write("migrations/20_draft.sql", "-- cutover:draft\n-- cutover:up\n\n-- cutover:down\n")
        try setup.folder.write("migrations/21_blank.sql", "-- header\n-- cutover:up\n\n")
        try setup.folder.write("migrations/22_noop.sql", "-- cutover:up\n-- done in code\n-- cutover:down empty\n")
        try await Self.tick()
        _ = try setup.directory().loadWithStatistics()
        let cached = try setup.directory().loadWithStatistics()
        #expect(cached.statistics == .init(parsed: 0, fromCache: 6))
        #expect(Self.summary(cached.migrations) == Self.summary(try setup.parsedFresh()))
        #expect(cached.migrations.map(\.draft) == [nil, nil, nil, .init(line: 1, isMarked: true), .init(line: 2, isMarked: false), nil])
        #expect(cached.migrations.last?.isDownEmptyByIntent == true)
        #expect(cached.migrations.last?.downMarkerLine == 3)
    }

    /// Lets the file system clock move on, so a later write gets new times even on a file
    /// system with coarse timestamps.
    static func tick() async throws { try await Task.sleep(for: .milliseconds(30)) }

    @Test("the second load takes every unchanged file from the cache and returns the same migrations")
    func reusesUnchangedFiles() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try await Self.tick()
        let first = try setup.directory().loadWithStatistics()
        #expect(first.statistics == .init(parsed: 3, fromCache: 0))
        let second = try setup.directory().loadWithStatistics()
        #expect(second.statistics == .init(parsed: 0, fromCache: 3))
        #expect(Self.summary(second.migrations) == Self.summary(try setup.parsedFresh()))
        #expect(second.migrations.map(\.id.rawValue) == ["1", "2", "10"])
    }

    @Test("a file edited in place, same size, is parsed again and its new checksum is seen")
    func editedFileIsParsedAgain() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try await Self.tick()
        let before = try setup.directory().load()
        try await Self.tick()
        // Same length, same inode: only the times tell the change.
        let path = setup.migrations + "/10_seed.sql"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data("-- cutover:up\nINSERT INTO users VALUES (2);\n".utf8))
        try handle.close()
        let after = try setup.directory().loadWithStatistics()
        #expect(after.statistics == .init(parsed: 1, fromCache: 2))
        #expect(Self.summary(after.migrations) == Self.summary(try setup.parsedFresh()))
        #expect(after.migrations[2].checksum != before[2].checksum)
        #expect(after.migrations[2].up.first?.sql == "INSERT INTO users VALUES (2)")
    }

    @Test("files changed within the settle margin are not stored (git's racy-file rule)")
    func freshFilesAreNotStored() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        _ = try setup.directory(settleMargin: .seconds(60)).load()
        let second = try setup.directory(settleMargin: .seconds(60)).loadWithStatistics()
        #expect(second.statistics == .init(parsed: 3, fromCache: 0))
    }

    @Test("a corrupt, truncated or foreign cache file is ignored and replaced")
    func badCacheIsIgnored() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try await Self.tick()
        let directory = setup.directory()
        _ = try directory.load()
        let cachePath = try #require(directory.cache?.path)
        let good = try Data(contentsOf: URL(fileURLWithPath: cachePath))
        for damaged in [Data("not a cache".utf8), good.prefix(good.count / 2), good + Data([0]), Data()] {
            try damaged.write(to: URL(fileURLWithPath: cachePath))
            let loaded = try directory.loadWithStatistics()
            #expect(loaded.statistics == .init(parsed: 3, fromCache: 0))
            #expect(Self.summary(loaded.migrations) == Self.summary(try setup.parsedFresh()))
            #expect(try directory.loadWithStatistics().statistics == .init(parsed: 0, fromCache: 3), "the cache was not rewritten")
        }
        // Another build of cutover may split differently: its cache is not used.
        #expect(try setup.directory(builtBy: "another build").loadWithStatistics().statistics == .init(parsed: 3, fromCache: 0))
    }

    @Test("removed and added files are seen; a file that does not parse is reported and never cached")
    func filesComeAndGo() async throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try await Self.tick()
        _ = try setup.directory().load()
        try FileManager.default.removeItem(atPath: setup.migrations + "/2_orders.sql")
        try setup.folder.write("migrations/11_broken.sql", "-- cutover:up\nINSERT INTO users VALUES ('unterminated);\n")
        try await Self.tick()
        #expect(throws: CutoverError.self) { try setup.directory().load() }
        try setup.folder.write("migrations/11_broken.sql", "-- cutover:up\nINSERT INTO users VALUES ('fixed');\n")
        try await Self.tick()
        let loaded = try setup.directory().loadWithStatistics()
        #expect(loaded.migrations.map(\.id.rawValue) == ["1", "10", "11"])
        #expect(loaded.statistics == .init(parsed: 1, fromCache: 2))
        #expect(Self.summary(loaded.migrations) == Self.summary(try setup.parsedFresh()))
    }

    @Test("the command-line cache is off with CUTOVER_NO_CACHE and follows CUTOVER_CACHE_DIR, XDG_CACHE_HOME, HOME")
    func standardLocation() {
        #expect(MigrationFileCache.standard(for: "/p/migrations", environment: ["CUTOVER_NO_CACHE": "1", "HOME": "/home/u"]) == nil)
        #expect(MigrationFileCache.standard(for: "/p/migrations", environment: [:]) == nil)
        let explicit = MigrationFileCache.standard(for: "/p/migrations", environment: ["CUTOVER_CACHE_DIR": "/c", "HOME": "/home/u"])
        #expect(explicit?.path.hasPrefix("/c/migrations-") == true)
        #expect(MigrationFileCache.standard(for: "/p/migrations", environment: ["XDG_CACHE_HOME": "/x", "HOME": "/home/u"])?.path.hasPrefix("/x/cutover/") == true)
        let home = MigrationFileCache.standard(for: "/p/migrations", environment: ["HOME": "/home/u"])
        #expect(home?.path.hasPrefix("/home/u/.cache/cutover/migrations-") == true)
        #expect(home?.path != MigrationFileCache.standard(for: "/q/migrations", environment: ["HOME": "/home/u"])?.path, "two folders share one cache file")
    }
}
