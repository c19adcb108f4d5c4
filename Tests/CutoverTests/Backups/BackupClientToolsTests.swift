import CutoverCore
import CutoverTestSupport
import Foundation
import Logging
import Testing

@testable import CutoverPostgres

@Suite("finding pg_dump: versions, refusal of an older one, connection without the password")
struct BackupClientToolsTests {
    @Test("version output is read as a server_version_num")
    func versions() {
        #expect(PostgresClientTools.versionNumber(fromVersionOutput: "pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+1)") == 160004)
        #expect(PostgresClientTools.versionNumber(fromVersionOutput: "pg_dump (PostgreSQL) 9.6.24") == 90624)
        #expect(PostgresClientTools.versionNumber(fromVersionOutput: "pg_dump (PostgreSQL) 17devel") == 170000)
        #expect(PostgresClientTools.versionNumber(fromVersionOutput: "no version here") == nil)
        #expect(PostgresClientTools.majorVersion(160004) == 160000)
        #expect(PostgresClientTools.majorVersion(90624) == 90600)
    }

    @Test("a pg_dump older than the server is refused; newer and same major are fine")
    func compatibility() throws {
        let error = #expect(throws: CutoverError.self) {
            try PostgresClientTools.checkCompatible(toolVersionOutput: "pg_dump (PostgreSQL) 14.9", serverVersionNumber: 150004)
        }
        #expect(error?.code == .backupFailed)
        #expect(error?.message.contains("older than the server (PostgreSQL 15.4)") == true, "\(error?.message ?? "")")
        #expect(error?.hint?.contains("15") == true)
        try PostgresClientTools.checkCompatible(toolVersionOutput: "pg_dump (PostgreSQL) 15.1", serverVersionNumber: 150004)
        try PostgresClientTools.checkCompatible(toolVersionOutput: "pg_dump (PostgreSQL) 16.0", serverVersionNumber: 150004)
        #expect(throws: CutoverError.self) {
            try PostgresClientTools.checkCompatible(toolVersionOutput: "pg_dump (PostgreSQL) 9.5.2", serverVersionNumber: 90624)
        }
    }

    @Test("find skips an old pg_dump on PATH for a newer one, and refuses when only old ones exist")
    func find() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let old = try directory.write("old/pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        let new = try directory.write("new/pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1'\n")
        chmod(old, 0o755)
        chmod(new, 0o755)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let both = ["PATH": directory.path("old") + ":" + directory.path("new")]
        let found = try await PostgresClientTools.find(serverVersionNumber: 150004, environment: both, libraryRoot: "/nonexistent", logger: logger)
        #expect(found.directory == directory.path("new"))
        let error = await #expect(throws: CutoverError.self) {
            try await PostgresClientTools.find(serverVersionNumber: 150004, environment: ["PATH": directory.path("old")], libraryRoot: "/nonexistent", logger: logger)
        }
        #expect(error?.code == .backupFailed)
        #expect(error?.message.contains("9.6") == true)
        #expect(error?.message.contains("older than the server (PostgreSQL 15.4)") == true, "\(error?.message ?? "")")
        let none = await #expect(throws: CutoverError.self) {
            try await PostgresClientTools.find(serverVersionNumber: 150004, environment: ["PATH": "/nonexistent"], libraryRoot: "/nonexistent", logger: logger)
        }
        #expect(none?.message.contains("pg_dump was not found") == true)
        #expect(none?.hint?.contains("postgresql-client") == true)
    }

    @Test("the connection string carries sslmode but never the password")
    func connectionString() throws {
        let url = try DatabaseURL("postgres://app:s3cr3t'pw@db.internal:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        let settings = try PostgresConnectionSettings(url: url, configuration: .init(), environment: [:])
        let (conninfo, environment) = PostgresClientTools.connection(settings, applicationName: "cutover-backup")
        #expect(!conninfo.contains("s3cr3t"))
        #expect(conninfo.contains("host='db.internal'"))
        #expect(conninfo.contains("port='6543'"))
        #expect(conninfo.contains("sslmode='verify-full'"))
        #expect(conninfo.contains("sslrootcert='/etc/ca.pem'"))
        #expect(environment["PGPASSWORD"] == .some("s3cr3t'pw"))
        #expect(PostgresClientTools.quote("it's a\\b") == "'it\\'s a\\\\b'")
    }
}
