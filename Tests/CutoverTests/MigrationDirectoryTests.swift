import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Reading the migrations folder: id order, and which problem is reported when there are
/// several (always the first file in name order, naming problems before contents), with and
/// without the cache.
@Suite("The migrations folder is read in id order and its problems are reported first-file-first")
struct MigrationDirectoryTests {
    static let body = "-- cutover:up\nSELECT 1;\n"

    /// A folder holding `files` (name → contents).
    static func folder(_ files: [String: String]) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "cutover-folder")
        try FileManager.default.createDirectory(atPath: folder.path("migrations"), withIntermediateDirectories: true)
        for (name, contents) in files { try folder.write("migrations/\(name)", contents) }
        return folder
    }

    /// Loads the folder without a cache and, twice, with a fresh one (the second load reads
    /// from the cache): all three must agree, in result or in error message.
    static func loadEveryWay(_ folder: TemporaryDirectory) -> [Result<[String], CutoverError>] {
        let plain = MigrationDirectory(path: folder.path("migrations"))
        let cache = MigrationFileCache(directory: folder.path("migrations"), cacheFolder: folder.path("cache"), settleMargin: .zero, builtBy: "test")
        let cached = MigrationDirectory(path: folder.path("migrations"), cache: cache)
        return [plain, cached, cached].map { directory in
            Result { try directory.load().map(\.fileName) }.mapError { $0 as! CutoverError }
        }
    }

    @Test("files come back in numeric id order, whatever the names' byte order")
    func idOrder() throws {
        let folder = try Self.folder([
            "10_c.sql": Self.body, "9_b.sql": Self.body, "1_a.sql": Self.body, "0002_d.sql": Self.body,
            "20261124120000_e.sql": Self.body, "README.md": "not a migration", ".hidden.sql": "ignored",
        ])
        defer { folder.remove() }
        for result in Self.loadEveryWay(folder) {
            #expect(try result.get() == ["1_a.sql", "0002_d.sql", "9_b.sql", "10_c.sql", "20261124120000_e.sql"])
        }
    }

    @Test("two files with one id: the later name is reported, naming the earlier")
    func duplicateIDs() throws {
        let folder = try Self.folder(["1_a.sql": Self.body, "01_b.sql": Self.body, "001_c.sql": Self.body, "2_d.sql": Self.body])
        defer { folder.remove() }
        for result in Self.loadEveryWay(folder) {
            let error = try #require(result.failure)
            #expect(error.code == .invalidMigration)
            #expect(error.message == "'01_b.sql' and '001_c.sql' have the same id 01")
            #expect(error.file == "01_b.sql")
        }
    }

    @Test("a badly named file is reported before any file's contents, the first name first")
    func namingFirst() throws {
        let folder = try Self.folder([
            "1_a.sql": "-- cutover:up\n-- cutover:up\nSELECT 1;\n",  // a duplicate marker: a contents error
            "zz.sql": Self.body, "b-2.sql": Self.body, "3_ok.sql": Self.body,
        ])
        defer { folder.remove() }
        for result in Self.loadEveryWay(folder) {
            let error = try #require(result.failure)
            #expect(error.message == "'b-2.sql' is not named <id>_<name>.sql")
            #expect(error.file == "b-2.sql")
        }
    }

    @Test("of several files that cannot be parsed, the first in name order is reported")
    func firstContentsError() throws {
        let folder = try Self.folder([
            "5_e.sql": "-- cutover:up\n-- cutover:up\nSELECT 1;\n", "30_c.sql": "-- cutover:up\n-- cutover:up\nSELECT 1;\n",
            "4_d.sql": Self.body,
        ])
        defer { folder.remove() }
        for result in Self.loadEveryWay(folder) {
            let error = try #require(result.failure)
            #expect(error.file == "30_c.sql")
        }
    }

    @Test("expand/contract .yaml files are left to `cutover start` (not .sql migrations); a misnamed one is refused with its name")
    func yaml() throws {
        let folder = try Self.folder(["1_a.sql": Self.body, "2_b.yaml": "operations: []\n", "3_c.yml": "operations: []\n"])
        defer { folder.remove() }
        for result in Self.loadEveryWay(folder) {
            #expect(try result.get() == ["1_a.sql"])
        }
        let misnamed = try Self.folder(["1_a.sql": Self.body, "reshape.yaml": "operations: []\n"])
        defer { misnamed.remove() }
        let error = try #require(Self.loadEveryWay(misnamed)[0].failure)
        #expect(error.message == "'reshape.yaml' is not named <id>_<name>.yaml")
        #expect(error.file == "reshape.yaml")
    }
}

extension Result {
    /// The error, or nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
