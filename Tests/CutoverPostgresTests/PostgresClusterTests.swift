import CutoverCore
import CutoverPostgres
import Foundation
import Testing

@testable import CutoverTestSupport

@Suite("PostgresCluster test support")
struct PostgresClusterTests {
    @Test("missing server binaries fail with install instructions")
    func missingBinaries() async throws {
        let error = try await #require(throws: PostgresClusterError.self) {
            try await PostgresCluster.findBinDirectory(environment: ["PATH": "/nonexistent"], libraryRoot: "/nonexistent")
        }
        #expect(error.description.contains("apt-get install -y postgresql"))
        #expect(error.description.contains("CUTOVER_TEST_POSTGRES_URL"))

        await #expect(throws: PostgresClusterError.self) {
            try await PostgresCluster.findBinDirectory(environment: ["CUTOVER_TEST_POSTGRES_BIN": "/nonexistent"])
        }
    }

    @Test("databases are created empty, named by prefix, and dropped")
    func databases() async throws {
        let url = try await PostgresCluster.shared.makeDatabase(prefix: "Cluster-Test!")
        let name = try #require(url.database)
        #expect(name.hasPrefix("clustertest_"))
        let db = try await PostgresDriver().connect(url, logger: testLogger)
        #expect(try await scalar(db, "SELECT current_database()") == .text(name))
        #expect(try await scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == .integer(0))
        // A session still open does not stop the drop.
        await PostgresCluster.shared.dropDatabase(url)
        let left = try await PostgresCluster.shared.queryAsSuperuser("SELECT 1 FROM pg_database WHERE datname = '\(name)'")
        #expect(left.isEmpty)
        await db.close()
    }

    @Test("an own cluster runs with a password, as the postgres user, and records its owner")
    func ownCluster() async throws {
        let server = try await PostgresCluster.shared.server()
        if let directory = server.directory {
            #expect(server.password != nil)
            let owner = try String(contentsOfFile: directory + "/owner.pid", encoding: .utf8)
            #expect(owner.trimmingCharacters(in: .whitespacesAndNewlines) == String(getpid()))
            let user = try await PostgresCluster.shared.queryAsSuperuser("SELECT current_setting('data_directory') AS dir")
            #expect(user.first?.string("dir") == directory + "/data")
        } else {
            // CUTOVER_TEST_POSTGRES_URL names the server; there is nothing of ours to inspect.
            #expect(ProcessInfo.processInfo.environment["CUTOVER_TEST_POSTGRES_URL"] != nil)
        }
    }
}
