import Cutover
import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

@Suite("clones for rehearsals: template, dump, VACUUM INTO")
struct BackupCloneTests {
    @Test("PostgreSQL: a template clone while nobody is connected; identical contents; dropped again")
    func templateClone() async throws {
        let shop = try await BackupFixture.make(.postgres)
        let driver = PostgresDriver()
        let name = (shop.url.database ?? "t") + "_clone"
        let clone = try await driver.makeClone(of: shop.url, name: name, strategy: .template, logger: BackupFixture.logger)
        #expect(clone.strategy == .template)
        #expect(clone.url.database == name)
        #expect(try await shop.summary(of: clone.url) == shop.summary())
        // The clone is independent of its source.
        try await shop.execute("DELETE FROM orders", in: clone.url)
        #expect(try await shop.rows("SELECT count(*) AS n FROM orders") == [[.integer(400)]])
        // A second clone of the same name is refused.
        let taken = await #expect(throws: CutoverError.self) {
            try await driver.makeClone(of: shop.url, name: name, strategy: .dump, logger: BackupFixture.logger)
        }
        #expect(taken?.code == .cloneFailed)
        try await driver.dropClone(clone.url, logger: BackupFixture.logger)
        #expect(try await databaseExists(name) == false)
        // Dropping a clone that is gone succeeds.
        try await driver.dropClone(clone.url, logger: BackupFixture.logger)
        await shop.cleanUp()
    }

    @Test("PostgreSQL: with a session connected, template is refused naming it, automatic and dump copy by dump")
    func sessionsForceDump() async throws {
        let shop = try await BackupFixture.make(.postgres)
        let driver = PostgresDriver()
        let live = try await driver.connect(shop.url, logger: BackupFixture.logger)
        try await live.execute("SET application_name = 'shop-web'")
        let base = shop.url.database ?? "t"
        let refused = await #expect(throws: CutoverError.self) {
            try await driver.makeClone(of: shop.url, name: base + "_tpl", strategy: .template, logger: BackupFixture.logger)
        }
        #expect(refused?.code == .cloneFailed)
        #expect(refused?.message.contains("1 other session is connected") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.contains("shop-web") == true)
        #expect(refused?.hint?.contains("--strategy dump") == true)
        #expect(try await databaseExists(base + "_tpl") == false)

        let automatic = try await driver.makeClone(of: shop.url, name: base + "_auto", strategy: .automatic, logger: BackupFixture.logger)
        #expect(automatic.strategy == .dump)
        let dumped = try await driver.makeClone(of: shop.url, name: base + "_dump", strategy: .dump, logger: BackupFixture.logger)
        #expect(dumped.strategy == .dump)
        let source = try await shop.summary()
        #expect(try await shop.summary(of: automatic.url) == source)
        #expect(try await shop.summary(of: dumped.url) == source)
        await live.close()
        try await driver.dropClone(automatic.url, logger: BackupFixture.logger)
        try await driver.dropClone(dumped.url, logger: BackupFixture.logger)
        #expect(try await databaseExists(base + "_auto") == false)
        await shop.cleanUp()
    }

    @Test("PostgreSQL: dropClone refuses a database Cutover did not make")
    func refusesForeignDatabase() async throws {
        let shop = try await BackupFixture.make(.postgres)
        let error = await #expect(throws: CutoverError.self) { try await PostgresDriver().dropClone(shop.url, logger: BackupFixture.logger) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("did not create it") == true)
        #expect(try await shop.rows("SELECT count(*) AS n FROM users") == [[.integer(200)]])
        await shop.cleanUp()
    }

    @Test("SQLite: VACUUM INTO a sibling file, whatever the strategy")
    func sqliteClone() async throws {
        let shop = try await BackupFixture.make(.sqlite)
        let driver = shop.driver
        let clone = try await driver.makeClone(of: shop.url, name: "shop_rehearsal", strategy: .template, logger: BackupFixture.logger)
        #expect(clone.strategy == .snapshot)
        #expect(clone.url.path == shop.fixture.directory.path("shop_rehearsal.sqlite3"))
        #expect(try await shop.summary(of: clone.url) == shop.summary())
        let taken = await #expect(throws: CutoverError.self) {
            try await driver.makeClone(of: shop.url, name: "shop_rehearsal", strategy: .dump, logger: BackupFixture.logger)
        }
        #expect(taken?.code == .cloneFailed)
        try await driver.dropClone(clone.url, logger: BackupFixture.logger)
        #expect(!FileManager.default.fileExists(atPath: clone.url.path))
        await shop.cleanUp()
    }

    private func databaseExists(_ name: String) async throws -> Bool {
        try await !PostgresCluster.shared.queryAsSuperuser("SELECT 1 AS x FROM pg_database WHERE datname = '\(name)'").isEmpty
    }
}
