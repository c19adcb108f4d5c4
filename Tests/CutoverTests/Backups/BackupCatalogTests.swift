import Cutover
import Crypto
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("the backup catalog records what a backup holds")
struct BackupCatalogTests {
    @Test("a backup is catalogued with id, env, redacted URL, size, SHA-256, counts and the last migration", arguments: TestBackend.all)
    func catalogContents(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        let report = try await shop.manager().backup(reason: "manual")
        let record = report.record
        let catalog = try shop.catalog()
        #expect(catalog.backups == [record])
        #expect(catalog.formatVersion == 1)

        #expect(record.id.wholeMatch(of: /\d{8}T\d{6}Z-test/) != nil, "\(record.id)")
        #expect(record.env == "test")
        #expect(record.reason == "manual")
        #expect(record.database == shop.url.redacted)
        if let password = shop.url.password {
            #expect(!record.database.contains(password))
            let text = try String(contentsOfFile: shop.backupDirectory + "/catalog.json", encoding: .utf8)
            #expect(!text.contains(password))
        }
        #expect(record.createdAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(record.createdAt)")
        #expect(record.lastMigration == "3")
        #expect(record.toolVersion == CutoverVersion.current)
        #expect(record.durationMilliseconds >= 0)
        #expect(record.verifiedAt == nil)

        let path = shop.backupDirectory + "/" + record.file
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(record.sizeBytes == Int64(data.count))
        #expect(record.sha256 == SHA256.hex(data))
        #expect(record.schemaSHA256 == (try await shop.summary()).schemaChecksum)
        if backend.name == "postgres" {
            #expect(record.format == "pg_dump-custom")
            #expect(record.file.hasSuffix(".dump"))
            #expect(record.dumpTool.hasPrefix("pg_dump (PostgreSQL)"))
            #expect(data.prefix(5) == Data("PGDMP".utf8), "custom-format archive")
            #expect(record.rowCounts["public.users"] == 200)
            #expect(record.rowCounts["public.orders"] == 400)
            #expect(record.rowCounts["public.events"] == 30)
            #expect(record.rowCounts["cutover.history"] == 3)
            #expect(record.properties["encoding"] == "UTF8")
        } else {
            #expect(record.format == "sqlite")
            #expect(record.file.hasSuffix(".sqlite3"))
            #expect(record.dumpTool.hasPrefix("SQLite 3."))
            #expect(data.prefix(15) == Data("SQLite format 3".utf8))
            #expect(record.rowCounts["users"] == 200)
            #expect(record.rowCounts["orders"] == 400)
            #expect(record.rowCounts["events"] == 25)
            #expect(record.rowCounts["cutover_history"] == 3)
        }

        // Only finished files: no partial left, the schema beside it, private permissions.
        let files = try FileManager.default.contentsOfDirectory(atPath: shop.backupDirectory).sorted()
        #expect(files == ["\(record.id).schema.txt", record.file, "catalog.json", "catalog.lock"].sorted())
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: shop.backupDirectory)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        await shop.cleanUp()
    }

    @Test("restore and verify find ids within their own environment only, even by a prefix")
    func idsMatchWithinTheEnvironment() async throws {
        let shop = try await BackupFixture.make(.sqlite)
        defer { Task { await shop.cleanUp() } }
        let ours = try await shop.manager().backup().record
        let production = BackupManager(
            driver: shop.manager().driver, url: shop.url, environment: "production",
            configuration: .init(directory: shop.backupDirectory), logger: BackupFixture.logger)
        let theirs = try await production.backup().record
        // A prefix that both ids share ("2026…") picks this environment's backup only.
        let shared = String(zip(ours.id, theirs.id).prefix { $0 == $1 }.map(\.0))
        #expect(try shop.catalog().record(shared, env: "test").id == ours.id)
        #expect(try shop.catalog().record(shared, env: "production").id == theirs.id)
        // Another environment's full id is refused, naming where it belongs.
        let error = await #expect(throws: CutoverError.self) { try await shop.manager().restore(theirs.id) }
        #expect(error?.message == "backup \(theirs.id) is a backup of env production, not of test")
        #expect(error?.hint?.contains("--env production") == true)
        await #expect(throws: CutoverError.self) { try await shop.manager().verify(theirs.id) }
    }

    @Test("backups taken in the same second get distinct ids; all land in the catalog")
    func concurrentBackups() async throws {
        let shop = try await BackupFixture.make(.sqlite)
        let manager = shop.manager()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try await manager.backup().record.id } }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 4)
        #expect(Set(try shop.catalog().backups.map(\.id)) == Set(ids))
        await shop.cleanUp()
    }

    @Test("the last migration is the one applied at the snapshot", arguments: TestBackend.all)
    func lastMigration(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend, migrate: false)
        let empty = try await shop.manager().backup().record
        #expect(empty.lastMigration == nil)
        _ = try await shop.fixture.withMigrator { try await $0.migrate(to: MigrationID("2")!) }
        #expect(try await shop.manager().backup().record.lastMigration == "2")
        await shop.cleanUp()
    }

    @Test("a backup that fails leaves no file and no catalog entry", arguments: TestBackend.all)
    func failedBackupLeavesNothing(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        var configuration = BackupManager.Configuration(directory: shop.backupDirectory)
        configuration.lockWait = .seconds(5)
        let missing = backend.name == "postgres"
            ? try await PostgresCluster.shared.superuserURL(database: "cutover_missing_\(PostgresCluster.randomHex(6))")
            : try DatabaseURL("sqlite:" + shop.fixture.directory.path("missing.sqlite3"))
        let manager = BackupManager(driver: shop.driver, url: missing, environment: "test", configuration: configuration)
        let error = await #expect(throws: CutoverError.self) { try await manager.backup() }
        #expect(error?.code == .unknownDatabase)
        #expect(try shop.catalog().backups.isEmpty)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: shop.backupDirectory)) ?? []
        #expect(files.filter { $0.hasSuffix(".partial") || $0.hasSuffix(".dump") || $0.hasSuffix(".sqlite3") }.isEmpty, "\(files)")
        await shop.cleanUp()
    }

    @Test("a backup folder that cannot be created is a backup failure naming it")
    func unwritableFolder() async throws {
        let shop = try await BackupFixture.make(.sqlite)
        try shop.fixture.directory.write("blocker", "a file where a folder should be")
        let configuration = BackupManager.Configuration(directory: shop.fixture.directory.path("blocker/backups"))
        let manager = BackupManager(driver: shop.driver, url: shop.url, environment: "test", configuration: configuration)
        let error = await #expect(throws: CutoverError.self) { try await manager.backup() }
        #expect(error?.code == .backupFailed)
        #expect(error?.exitCode == 1)
        #expect(error?.message.contains("blocker/backups") == true)
        #expect(error?.hint?.contains("[backup] dir") == true)
        await shop.cleanUp()
    }

    @Test("long backups report the bytes written so far", arguments: TestBackend.all)
    func progress(backend: TestBackend) async throws {
        let shop = try await BackupFixture.make(backend)
        // Enough rows that the copy outlasts a few 2 ms polls.
        let fill = backend.name == "postgres"
            ? "INSERT INTO users (id, email) SELECT g, 'bulk' || g || repeat('x', 200) FROM generate_series(1000, 60000) g"
            : "INSERT INTO users (id, email) WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) SELECT i, 'bulk' || i || printf('%.200c', 'x') FROM n"
        try await shop.execute(fill)
        let seen = ProgressLog()
        let record = try await shop.manager(progressInterval: .milliseconds(2)) { event in
            if case .progress(let progress) = event { seen.append(progress) }
        }.backup().record
        let reports = seen.all.filter { $0.operation == "backup" }
        #expect(!reports.isEmpty)
        #expect(seen.all.allSatisfy { $0.operation == "backup" || $0.operation == "checksum" })
        #expect(reports.compactMap(\.bytes).allSatisfy { $0 <= record.sizeBytes })
        #expect(reports.contains { ($0.bytes ?? 0) > 0 })
        await shop.cleanUp()
    }
}

/// Progress reports collected from any task.
final class ProgressLog: @unchecked Sendable {
    // @unchecked: `reports` is only touched under `lock`.
    private let lock = NSLock()
    private var reports: [BackupProgress] = []

    func append(_ progress: BackupProgress) { lock.withLock { reports.append(progress) } }
    var all: [BackupProgress] { lock.withLock { reports } }
}
