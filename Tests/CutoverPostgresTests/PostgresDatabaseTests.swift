import CutoverCore
import CutoverPostgres
import CutoverTestSupport
import Foundation
import Testing

@Suite("PostgresDatabase statements")
struct PostgresDatabaseTests {
    @Test("binds and reads back every SQLValue kind, including NULL")
    func roundTripsEveryKind() async throws {
        try await withSession { db, _ in
            try await db.execute("""
                CREATE TABLE kinds (id bigint PRIMARY KEY, i int4, d float8, n numeric(12,3), t text, b boolean, nothing text)
                """)
            try await db.execute(
                "INSERT INTO kinds VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [.integer(Int64.max), .integer(-42), .double(1.5), .double(-2.25), .text("héllo 'world' ✓"), .bool(true), .null]
            )
            let rows = try await db.query("SELECT id, i, d, n, t, b, nothing FROM kinds WHERE id = $1", [.integer(Int64.max)])
            let row = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(row.columns == ["id", "i", "d", "n", "t", "b", "nothing"])
            #expect(row.values == [.integer(Int64.max), .integer(-42), .double(1.5), .double(-2.25), .text("héllo 'world' ✓"), .bool(true), .null])
            // A NULL bind compares as NULL, and a false bool stays false.
            #expect(try await scalar(db, "SELECT $1::text IS NULL", [.null]) == .bool(true))
            #expect(try await scalar(db, "SELECT NOT $1", [.bool(false)]) == .bool(true))
        }
    }

    @Test("decodes integer, floating, numeric and text-like column types")
    func decodesScalarTypes() async throws {
        try await withSession { db, _ in
            let row = try #require(try await db.query("""
                SELECT 7::int2 AS i2, 8::int4 AS i4, 9::int8 AS i8, 0.5::float4 AS f4, 0.1::float8 AS f8,
                       12.345::numeric AS n1, -0.00012::numeric AS n2, 10000::numeric AS n3, 123456789.5::numeric(20,4) AS n4,
                       'NaN'::numeric AS nan, 'abc'::varchar AS vc, 'ab'::char(3) AS bp, 'x'::"char" AS ch,
                       'pg_class'::name AS nm, '{"a": 1}'::json AS js, '{"a": 1}'::jsonb AS jb,
                       'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS id, '\\x0aff'::bytea AS bytes,
                       'pg_class'::regclass AS rc, NULL::int4 AS nothing
                """).first)
            #expect(row["i2"] == .integer(7))
            #expect(row["i4"] == .integer(8))
            #expect(row["i8"] == .integer(9))
            #expect(row["f4"] == .double(0.5))
            #expect(row["f8"] == .double(0.1))
            #expect(row["n1"] == .double(12.345))
            #expect(row["n2"] == .double(-0.00012))
            #expect(row["n3"] == .double(10000))
            #expect(row["n4"] == .double(123456789.5))
            if case .double(let value) = row["nan"] { #expect(value.isNaN) } else { Issue.record("NaN numeric: \(String(describing: row["nan"]))") }
            #expect(row["vc"] == .text("abc"))
            #expect(row["bp"] == .text("ab "))
            #expect(row["ch"] == .text("x"))
            #expect(row["nm"] == .text("pg_class"))
            #expect(row["js"] == .text(#"{"a": 1}"#))
            #expect(row["jb"] == .text(#"{"a": 1}"#))
            #expect(row["id"] == .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
            #expect(row["bytes"] == .text("\\x0aff"))
            #expect(row["rc"] == .integer(1259))
            #expect(row["nothing"] == .null)
        }
    }

    @Test("timestamps become ISO-8601 UTC text with milliseconds")
    func decodesTimestamps() async throws {
        try await withSession { db, _ in
            // A session time zone far from UTC proves the conversion does not depend on it.
            try await db.execute("SET TIME ZONE 'Asia/Kathmandu'")
            let row = try #require(try await db.query("""
                SELECT '2026-11-24 12:00:00.123456+00'::timestamptz AS a,
                       '2026-11-24 14:00:00+02'::timestamptz AS b,
                       '1999-12-31 23:59:59.5'::timestamp AS c,
                       '1970-01-01 00:00:00+00'::timestamptz AS d,
                       'infinity'::timestamptz AS e,
                       '2024-02-29'::date AS f,
                       '13:45:00.25'::time AS g,
                       '2024-02-29 23:59:59.999999+00'::timestamptz AS h,
                       '0001-01-01 00:00:00+00'::timestamptz AS i,
                       '10000-01-01 00:00:00+00'::timestamptz AS j
                """).first)
            #expect(row["a"] == .text("2026-11-24T12:00:00.123Z"))
            #expect(row["b"] == .text("2026-11-24T12:00:00.000Z"))
            #expect(row["c"] == .text("1999-12-31T23:59:59.500Z"))
            #expect(row["d"] == .text("1970-01-01T00:00:00.000Z"))
            #expect(row["e"] == .text("infinity"))
            #expect(row["f"] == .text("2024-02-29"))
            #expect(row["g"] == .text("13:45:00.25"))
            #expect(row["h"] == .text("2024-02-29T23:59:59.999Z"))  // truncated, as to_char's MS is
            #expect(row["i"] == .text("0001-01-01T00:00:00.000Z"))
            #expect(row["j"] == .text("10000-01-01T00:00:00.000Z"))

            // What the engine writes with the dialect's timestamp cast reads back unchanged.
            let dialect = PostgresDialect()
            let stamp = "2026-11-24T20:01:00.042Z"
            #expect(try await scalar(db, "SELECT \(dialect.timestamp("$1"))", [.text(stamp)]) == .text(stamp))
        }
    }

    @Test("arrays, enums and unknown types")
    func decodesOtherTypes() async throws {
        try await withSession { db, _ in
            try await db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')")
            let row = try #require(try await db.query("""
                SELECT ARRAY['a', 'b c', NULL, '', 'x"y'] AS texts, ARRAY[[1, 2], [3, 4]] AS grid,
                       '{}'::int4[] AS empty, 'sad'::mood AS mood, '1 day'::interval AS span
                """).first)
            #expect(row["texts"] == .text(#"{a,"b c",NULL,"","x\"y"}"#))
            #expect(row["grid"] == .text("{{1,2},{3,4}}"))
            #expect(row["empty"] == .text("{}"))
            #expect(row["mood"] == .text("sad"))
            #expect(row["span"] == .text("<unsupported type 1186>"))
        }
    }

    @Test("a failing statement keeps SQLSTATE, server message, hint and the statement")
    func statementErrors() async throws {
        try await withSession { db, _ in
            let missing = "SELECT * FROM no_such_table"
            let error = try await #require(throws: CutoverError.self) { try await db.query(missing) }
            #expect(error.code == .statementFailed)
            #expect(error.sqlState == .undefinedTable)
            #expect(error.statement == missing)
            #expect(error.message.contains("no_such_table"))

            // The server's hint is passed on.
            let noFunction = try await #require(throws: CutoverError.self) { try await db.execute("SELECT no_such_function(1)") }
            #expect(noFunction.sqlState == .undefinedFunction)
            #expect(noFunction.hint?.contains("explicit type casts") == true)

            // The detail is part of the message.
            try await db.execute("CREATE TABLE users (email text UNIQUE)")
            try await db.execute("INSERT INTO users VALUES ('a@example.com')")
            let duplicate = try await #require(throws: CutoverError.self) {
                try await db.execute("INSERT INTO users VALUES ($1)", [.text("a@example.com")])
            }
            #expect(duplicate.sqlState == .uniqueViolation)
            #expect(duplicate.message.contains("Key (email)=(a@example.com) already exists"))

            // An error raised after the first rows were sent still surfaces, from query and execute.
            let late = "SELECT 10 / (3 - g) FROM generate_series(1, 5) g"
            let division = try await #require(throws: CutoverError.self) { try await db.query(late) }
            #expect(division.sqlState == .divisionByZero)
            let divisionExecute = try await #require(throws: CutoverError.self) { try await db.execute(late) }
            #expect(divisionExecute.sqlState == .divisionByZero)

            // The session is still usable.
            #expect(try await scalar(db, "SELECT 1") == .integer(1))
        }
    }

    @Test("a lock timeout is recognised by the dialect as retryable")
    func lockTimeout() async throws {
        try await withSession { db, url in
            try await db.execute("CREATE TABLE busy (id int)")
            let other = try await PostgresDriver().connect(url, logger: testLogger)
            try await other.execute("BEGIN")
            try await other.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
            for statement in db.dialect.timeoutStatements(lockTimeout: .milliseconds(100), statementTimeout: nil, local: false) {
                try await db.execute(statement)
            }
            let error = try await #require(throws: CutoverError.self) { try await db.execute("ALTER TABLE busy ADD COLUMN x int") }
            #expect(error.sqlState == .lockNotAvailable)
            #expect(db.dialect.isLockTimeout(error))
            try await other.execute("ROLLBACK")
            await other.close()
        }
    }

    @Test("transactions sent as statements commit and roll back")
    func transactions() async throws {
        try await withSession { db, _ in
            try await db.execute("CREATE TABLE t (id int)")
            try await db.execute(db.dialect.beginTransaction)
            try await db.execute("INSERT INTO t VALUES (1)")
            try await db.execute("ROLLBACK")
            try await db.execute(db.dialect.beginTransaction)
            try await db.execute("INSERT INTO t VALUES (2)")
            try await db.execute("COMMIT")
            #expect(try await db.query("SELECT id FROM t").map { $0.int("id") } == [2])
        }
    }

    @Test("executeCountingRows returns the command tag's row count, nil for a tag without one")
    func rowCounts() async throws {
        try await withSession { db, _ in
            #expect(try await db.executeCountingRows("CREATE TABLE t (id int PRIMARY KEY, x int)", []) == nil)
            #expect(try await db.executeCountingRows("INSERT INTO t SELECT g, 0 FROM generate_series(1, 500) g", []) == 500)
            #expect(try await db.executeCountingRows("UPDATE t SET x = $1 WHERE id <= 300", [.integer(1)]) == 300)
            #expect(try await db.executeCountingRows("DELETE FROM t WHERE id > 450", []) == 50)
            #expect(try await db.executeCountingRows("SELECT * FROM t WHERE id <= 7 FOR UPDATE", []) == 7)
            #expect(try await db.executeCountingRows("DO $$ BEGIN UPDATE t SET x = 2; END $$", []) == nil)
            if db.serverVersionNumber >= 150000 {
                let merged = try await db.executeCountingRows("MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = 3", [])
                #expect(merged == 1)
            }
        }
    }

    @Test("a session ended by the server reports a lost connection")
    func terminatedSession() async throws {
        try await withSession { db, _ in
            let pid = try #require(try await scalar(db, "SELECT pg_backend_pid()")?.int)
            try await PostgresCluster.shared.executeAsSuperuser("SELECT pg_terminate_backend(\(pid))")
            // Wait until the client has seen the server close the socket, then use the session.
            let deadline = ContinuousClock.now + .seconds(60)
            while !db.isClosed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(db.isClosed)
            let error = try await #require(throws: CutoverError.self) { try await db.query("SELECT 1") }
            #expect(error.code == .connectionFailed)
            #expect(error.statement == "SELECT 1")
            #expect(error.exitCode == 4)
        }
    }

    @Test("cancelling a running statement stops it on the server")
    func cancellation() async throws {
        try await withSession { db, url in
            let pid = try #require(try await scalar(db, "SELECT pg_backend_pid()")?.int)
            let started = ContinuousClock.now
            let task = Task { try await db.execute("SELECT pg_sleep(600)") }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - started < .seconds(120), "long before the 10 min sleep ends, with slack for a loaded machine")

            // The backend goes away (client_connection_check_interval), long before the sleep ends.
            let observer = try await PostgresDriver().connect(url, logger: testLogger)
            var gone = false
            let deadline = ContinuousClock.now + .seconds(120)
            while !gone, ContinuousClock.now < deadline {
                gone = try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)").isEmpty
                if !gone { try await Task.sleep(for: .milliseconds(100)) }
            }
            await observer.close()
            #expect(gone)
        }
    }

    @Test("the session reports its server version, dialect and redacted URL")
    func sessionFacts() async throws {
        try await withSession { db, url in
            #expect(db.serverVersionNumber >= 90600)
            #expect(db.dialect.name == "postgresql")
            if let password = url.password {
                #expect(!db.redactedURL.contains(password))
            }
            #expect(db.redactedURL == url.redacted)
            // close() may be called twice.
            await db.close()
            await db.close()
        }
    }

    @Test("PostgresDialect: statements that cannot run in a transaction")
    func cannotRunInTransaction() {
        let dialect = PostgresDialect()
        #expect(dialect.cannotRunInTransaction("CREATE INDEX CONCURRENTLY users_email ON users (email)"))
        #expect(dialect.cannotRunInTransaction("/* big */ create unique index concurrently if not exists i ON t (a)"))
        #expect(dialect.cannotRunInTransaction("DROP INDEX CONCURRENTLY users_email"))
        #expect(dialect.cannotRunInTransaction("REINDEX INDEX CONCURRENTLY users_email"))
        #expect(dialect.cannotRunInTransaction("VACUUM users"))
        #expect(!dialect.cannotRunInTransaction("CREATE INDEX users_email ON users (email)"))
        #expect(!dialect.cannotRunInTransaction("SELECT 'CREATE INDEX CONCURRENTLY'"))
    }
}
