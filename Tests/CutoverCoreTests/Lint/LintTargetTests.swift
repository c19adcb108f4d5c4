import CutoverCore
import Testing

/// The lint gate of a run knows the target (``LintTarget``): errors on tables created in the
/// same run, or under `small_table` there, carry a note and do not block.
@Suite("lint that knows the target")
struct LintTargetTests {
    private static let history = [
        "CREATE TABLE orders (id bigint, user_id bigint, note text);",
        "CREATE INDEX orders_user ON orders (user_id);",
    ]

    private func lint(
        _ sqls: [String], target: LintTarget?, dialect: any Dialect = PostgresDialect()
    ) throws -> [LintFinding] {
        let migrations = try sqls.enumerated().map { try LintFixture.migration($0.element, id: $0.offset + 1) }
        var configuration = Linter.Configuration(lockTimeoutConfigured: true)
        configuration.target = target
        return Linter(configuration: configuration).lint(migrations, dialect: dialect)
    }

    @Test("an index on a table created earlier in the same run is a note, not a blocking error")
    func createdInRun() throws {
        let findings = try lint(Self.history, target: LintTarget(smallTableBytes: 0, tableSizes: []))
        #expect(findings.map(\.rule) == ["require-concurrent-index-creation"])
        #expect(findings.first?.harmlessBecause == "table orders is created in this run")
        #expect(findings.first?.isBlocking == false)
        #expect(findings.first?.renderedText().contains("note: not blocking: table orders is created in this run") == true)
    }

    @Test("without a target (cutover lint FILES) the same history still reports a blocking error")
    func noTarget() throws {
        let findings = try lint(Self.history, target: nil)
        #expect(findings.map(\.rule) == ["require-concurrent-index-creation"])
        #expect(findings.first?.harmlessBecause == nil)
        #expect(findings.first?.isBlocking == true)
    }

    @Test("a table the target already has is not new, even when a pending migration creates it IF NOT EXISTS")
    func existingInTarget() throws {
        let sqls = ["CREATE TABLE IF NOT EXISTS orders (id bigint, user_id bigint);", "CREATE INDEX orders_user ON orders (user_id);"]
        let big = LintTarget(smallTableBytes: 1024, tableSizes: [.init(schema: "public", name: "orders", bytes: 50_000_000)])
        #expect(try lint(sqls, target: big).first?.isBlocking == true)
    }

    @Test("a table under small_table in the target: lock-duration rules are notes that say its size; bigger ones block")
    func smallTable() throws {
        let sql = ["CREATE INDEX users_email ON users (email);", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"]
        let small = LintTarget(smallTableBytes: 10 * 1024 * 1024, tableSizes: [.init(schema: "public", name: "users", bytes: 8192)])
        let findings = try lint(sql, target: small)
        #expect(findings.map(\.rule) == ["require-concurrent-index-creation", "adding-not-nullable-field"])
        #expect(findings.allSatisfy { $0.harmlessBecause == "table users is 8 kB in the target (under small_table 10 MB)" })
        let big = LintTarget(smallTableBytes: 4096, tableSizes: [.init(schema: nil, name: "users", bytes: 8192)])
        #expect(try lint(sql, target: big).allSatisfy { $0.isBlocking })
        let off = LintTarget(smallTableBytes: 0, tableSizes: [.init(schema: nil, name: "users", bytes: 0)])
        #expect(try lint(sql, target: off).allSatisfy { $0.isBlocking }, "small_table = 0 lets no table through")
    }

    @Test("rows matter, not size: ADD COLUMN NOT NULL without DEFAULT is excused only on a table created in the run")
    func requiredFieldNeedsNewTable() throws {
        let add = "ALTER TABLE orders ADD COLUMN code text NOT NULL;"
        let small = LintTarget(smallTableBytes: 1 << 20, tableSizes: [.init(schema: nil, name: "orders", bytes: 8192)])
        #expect(try lint([add], target: small).map(\.isBlocking) == [true])
        let created = try lint(["CREATE TABLE orders (id bigint);", add], target: LintTarget(smallTableBytes: 0, tableSizes: []))
        #expect(created.map(\.harmlessBecause) == ["table orders is created in this run"])
        // SQLite refuses the statement whatever the table holds.
        let sqlite = try lint(["CREATE TABLE orders (id bigint);", add], target: LintTarget(smallTableBytes: 1 << 20, tableSizes: []), dialect: SQLiteDialect())
        #expect(sqlite.map(\.rule) == ["adding-required-field"])
        #expect(sqlite.allSatisfy { $0.isBlocking })
    }

    @Test("a statement that also locks a big table is not excused by a small one")
    func everyTableCounts() throws {
        let sql = ["ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);"]
        let target = LintTarget(
            smallTableBytes: 1 << 20,
            tableSizes: [.init(schema: nil, name: "orders", bytes: 8192), .init(schema: nil, name: "users", bytes: 1 << 30)])
        #expect(try lint(sql, target: target).map(\.isBlocking) == [true])
    }

    @Test("a table dropped and renamed within the run follows its name")
    func renamedInRun() throws {
        let sqls = ["CREATE TABLE drafts (id bigint, a int);", "ALTER TABLE drafts RENAME TO posts;", "CREATE INDEX posts_a ON posts (a);"]
        let findings = try lint(sqls, target: LintTarget(smallTableBytes: 0, tableSizes: []))
        #expect(findings.filter { $0.severity == .error }.map(\.harmlessBecause) == ["table posts is created in this run"])
    }

    @Test("sizes read as PostgreSQL writes them", arguments: [
        ("10MB", Int64(10 << 20)), ("512kB", 512 << 10), ("1.5 GB", 3 << 29), ("0", 0), ("8192", 8192), ("2 mb", 2 << 20),
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test("not sizes", arguments: ["", "ten", "10 parsecs", "-1MB", "1e999"])
    func notSizes(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test("sizes shown as PostgreSQL shows them")
    func formatted() {
        #expect(ByteSize.formatted(8192) == "8 kB")
        #expect(ByteSize.formatted(10 << 20) == "10 MB")
        #expect(ByteSize.formatted(1536 << 10) == "1.5 MB")
        #expect(ByteSize.formatted(0) == "0 bytes")
    }
}
