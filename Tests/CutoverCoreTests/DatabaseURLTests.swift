import CutoverCore
import Testing

@Suite struct DatabaseURLRedactionTests {
    static let secret = "S3cr3t-pw"

    @Test("parseable URLs lose the password in the user part and in password= parameters", arguments: [
        ("postgres://app:S3cr3t-pw@db:5432/shop", "postgres://app:***@db:5432/shop"),
        ("postgres://app:S3cr3t-pw@db/shop?sslmode=require", "postgres://app:***@db/shop?sslmode=require"),
        ("postgres://app@db/shop?password=S3cr3t-pw", "postgres://app@db/shop?password=***"),
        ("postgres://app@db/shop?sslmode=require&password=S3cr3t-pw&application_name=x", "postgres://app@db/shop?sslmode=require&password=***&application_name=x"),
        ("postgres://app@db/shop?PASSWORD=S3cr3t-pw", "postgres://app@db/shop?PASSWORD=***"),
        ("postgres://app@db/shop?sslpassword=S3cr3t-pw", "postgres://app@db/shop?sslpassword=***"),
        ("postgres://app:S3cr3t-pw@[::1]:5432/shop", "postgres://app:***@[::1]:5432/shop"),
    ])
    func parseable(input: String, expected: String) throws {
        #expect(DatabaseURL.redact(input) == expected)
        #expect(try DatabaseURL(input).redacted == expected)
        #expect(try "\(DatabaseURL(input))" == expected)
    }

    @Test("mistyped URLs and other text lose the password too", arguments: [
        ("postgres:/app:S3cr3t-pw@host/db", "postgres:/app:***@host/db"),
        ("postgres:app:S3cr3t-pw@host/db", "postgres:app:***@host/db"),
        ("postgresql//app:S3cr3t-pw@host", "postgresql//app:***@host"),
        ("app:S3cr3t-pw@host/db", "app:***@host/db"),
        ("postgres://app:p@ss:S3cr3t-pw@db/shop", "postgres://app:***@db/shop"),
        ("'postgres:app:S3cr3t-pw@host/db' is not a valid URL", "'postgres:app:***@host/db' is not a valid URL"),
        ("postgres://app:S3cr3t-pw/db", "postgres://app:***/db"),
        ("host=db user=app password=S3cr3t-pw dbname=shop", "host=db user=app password=*** dbname=shop"),
        ("host=db password='S3cr3t-pw with space' dbname=shop", "host=db password=*** dbname=shop"),
        ("PGPASSWORD=S3cr3t-pw cutover migrate", "PGPASSWORD=*** cutover migrate"),
        ("url = postgres://app:S3cr3t-pw@db/shop", "url = postgres://app:***@db/shop"),
        ("the backup of prod (postgres://app@db/shop?password=***) failed", "the backup of prod (postgres://app@db/shop?password=***) failed"),
        ("postgres:app:\u{301}S3cr3t-pw@\u{301}host/db", "postgres:app:***@\u{301}host/db"),
        ("postgres://app@db/shop?password=\u{301}S3cr3t-pw", "postgres://app@db/shop?password=***"),
        ("postgres://app:\u{301}S3cr3t-pw/db", "postgres://app:***/db"),
        ("postgres://app@db/shop?password=S3cr3t-pw\r\nx", "postgres://app@db/shop?password=***\r\nx"),
    ])
    func unparseable(input: String, expected: String) {
        #expect(DatabaseURL.redact(input) == expected)
        #expect(DatabaseURL.redact(expected) == expected, "redacting twice changes nothing")
        #expect(!DatabaseURL.redact(input).contains(Self.secret))
    }

    @Test("text without a password is left alone", arguments: [
        "postgres://app@db:5432/shop?sslmode=require", "sqlite:dev.sqlite3", "sqlite::memory:", "postgres://[::1]:5432/db",
        "user@example.com", "the migration 20261124120000 failed at line 3: x::int",
    ])
    func untouched(input: String) {
        #expect(DatabaseURL.redact(input) == input)
    }

    @Test("URLs that fail to parse are named redacted in the error", arguments: [
        "postgres:/app:S3cr3t-pw@host/db", "postgres:app:S3cr3t-pw@host/db", "postgresql//app:S3cr3t-pw@host",
        "postgres://app:S3cr3t-pw@host:99999999999999999999999/db", "postgres://app:S3cr3t-pw/db",
    ])
    func parseErrors(input: String) {
        do {
            _ = try DatabaseURL(input)
            Issue.record("\(input) parsed")
        } catch let error as CutoverError {
            #expect(error.code == .invalidURL)
            #expect(!error.message.contains(Self.secret), "\(error.message)")
            #expect(!(error.hint ?? "").contains(Self.secret))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct DatabaseURLPortTests {
    @Test("ports outside 1…65535, or not digits, are bad input (exit 2)", arguments: [
        "postgres://u:p@127.0.0.1:99999999999999999999999/db", "postgres://u:p@127.0.0.1:18446744073709551621/db",
        "postgres://u:p@127.0.0.1:65536/db", "postgres://u:p@127.0.0.1:0/db", "postgres://u:p@127.0.0.1:-1/db",
        "postgres://u:p@127.0.0.1:54x/db", "postgres://u:p@127.0.0.1:+5432/db", "postgres://u:p@[::1]:70000/db",
        "postgres://u:p@127.0.0.1:5432 /db", "mysql://u:p@db:123456/db",
    ])
    func outOfRange(url: String) {
        do {
            let parsed = try DatabaseURL(url)
            Issue.record("\(url) parsed with port \(String(describing: parsed.port))")
        } catch let error as CutoverError {
            #expect(error.code == .invalidURL)
            #expect(error.exitCode == 2)
            #expect(error.message.contains("u:***@"), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("ports in range parse; no port means the default", arguments: [
        ("postgres://u:p@db:1/x", 1), ("postgres://u:p@db:65535/x", 65535), ("postgres://u:p@db:05432/x", 5432),
        ("postgres://[::1]:6543/x", 6543), ("postgres://u:p@db/x", nil), ("postgres://db:/x", nil),
    ] as [(String, Int?)])
    func inRange(url: String, port: Int?) throws {
        #expect(try DatabaseURL(url).port == port)
    }
}
