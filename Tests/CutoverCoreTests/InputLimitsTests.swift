import CutoverCore
import Testing

/// Input that used to trap, overflow the stack or be read wrongly: every such input is an
/// error naming the file, the line and the key (exit 2), never a crash.
@Suite("Hostile input is an error, never a trap")
struct InputLimitsTests {
    let parser = ConfigurationParser()

    private func configError(_ text: String) -> CutoverError? {
        do {
            _ = try parser.parse(text, file: "/p/cutover.toml", baseDirectory: "/p")
            return nil
        } catch {
            return error as? CutoverError
        }
    }

    // MARK: - Durations

    @Test("durations beyond the range are rejected, not trapped on", arguments: [
        "9999999999999999s", "9223372036854775807", "9223372036854775807h", "1e400", "2147483648ms", "24.86 days",
        "999999999999999999999999999999999999999999999999min",
    ])
    func durationOutOfRange(_ text: String) {
        let result = DurationParser.parseChecked(text)
        if case .success(let duration) = result { Issue.record("accepted \(text) as \(duration)") }
        #expect(DurationParser.parse(text) == nil)
    }

    @Test("durations up to the maximum are accepted")
    func durationsInRange() {
        #expect(DurationParser.parse("2147483647") == .milliseconds(2_147_483_647))
        #expect(DurationParser.parse("2147483s") == .seconds(2_147_483))
        #expect(DurationParser.parse("24h") == .seconds(86_400))
        #expect(DurationParser.parse("1.5s") == .milliseconds(1_500))
        #expect(DurationParser.parse("0") == .zero)
        #expect(DurationParser.parseChecked("2147483648") == .failure(.outOfRange))
        #expect(DurationParser.parseChecked("soon") == .failure(.notADuration))
        #expect(DurationParser.parseChecked("-5s") == .failure(.notADuration))
    }

    @Test("an overflowing duration in cutover.toml names file, line, key and range", arguments: [
        "lock_wait = \"9999999999999999s\"", "lock_wait = 9223372036854775807", "connect_timeout = \"99999999h\"",
        "lock_timeout = -1", "statement_timeout = \"2147483648ms\"",
    ])
    func durationInConfig(_ line: String) throws {
        let error = try #require(configError("[safety]\n\(line)\n[env.dev]\nurl = \"sqlite:x\"\n"))
        #expect(error.code == .invalidConfig)
        #expect(error.file == "/p/cutover.toml")
        #expect(error.line == 2)
        let key = String(line.prefix(while: { $0 != " " }))
        #expect(error.message.contains("safety.\(key)"))
        #expect(error.message.contains(DurationParser.allowedRange))
    }

    @Test("Duration.milliseconds saturates instead of overflowing")
    func millisecondsSaturate() {
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
        #expect(Duration.seconds(Int64.min).milliseconds == .min)
        #expect(Duration.seconds(3).milliseconds == 3_000)
    }

    @Test("a PostgreSQL version with huge parts is no version, not an overflow", arguments: [
        "99999999999999999.1", "10.9223372036854775807", "9.9999999999999.1",
    ])
    func hugeVersion(_ text: String) {
        #expect(Linter.Configuration.postgresVersionNumber(text) == nil)
    }

    // MARK: - connect_timeout in URLs

    @Test("connect_timeout beyond the range is an invalid URL", arguments: [
        "9223372036854775807", "1e300", "2147484", "99999999999999999999999",
    ])
    func connectTimeoutOutOfRange(_ value: String) throws {
        let error = try #require(throws: CutoverError.self) {
            try DatabaseURL("postgres://app:secret@localhost/db?connect_timeout=\(value)")
        }
        #expect(error.code == .invalidURL)
        #expect(error.message.contains("connect_timeout"))
        #expect(error.message.contains("out of range"))
        #expect(error.hint?.contains("0 to 2147483 seconds") == true)
        #expect(!error.message.contains("secret"))
    }

    @Test("connect_timeout in range is kept")
    func connectTimeoutInRange() throws {
        #expect(try DatabaseURL.connectTimeout("2147483", in: "u") == .seconds(2_147_483))
        #expect(try DatabaseURL.connectTimeout("2.5", in: "u") == .milliseconds(2_500))
        #expect(try DatabaseURL.connectTimeout("0", in: "u") == .zero)
        #expect(try DatabaseURL.connectTimeout("0.0001", in: "u") == .milliseconds(1))
        #expect(throws: CutoverError.self) { try DatabaseURL.connectTimeout("-1", in: "u") }
        #expect(throws: CutoverError.self) { try DatabaseURL.connectTimeout("nan", in: "u") }
    }

    // MARK: - TOML structure

    @Test("5,000 nested arrays are an error naming file, line and key")
    func deeplyNestedArrays() throws {
        let error = try #require(configError("migrations = \"m\"\n\nx = " + String(repeating: "[", count: 5_000) + "\n"))
        #expect(error.code == .invalidConfig)
        #expect(error.file == "/p/cutover.toml")
        #expect(error.line == 3)
        #expect(error.message.contains("'x'"))
        #expect(error.message.contains("\(TOMLParser.maximumNesting)"))
    }

    @Test("arrays nested up to the limit still parse")
    func nestingAtTheLimit() throws {
        let depth = TOMLParser.maximumNesting
        let table = try TOMLParser.parse("x = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth), file: "t.toml")
        var value = try #require(table["x"])
        var levels = 0
        while case .array(let items) = value {
            levels += 1
            guard let first = items.first else { break }
            value = first
        }
        #expect(levels == depth)
    }

    @Test("a dotted key with thousands of parts is an error, not a stack overflow")
    func longDottedKey() throws {
        let key = Array(repeating: "a", count: 20_000).joined(separator: ".")
        let error = try #require(configError("[\(key)]\n"))
        #expect(error.line == 1)
        #expect(error.message.contains("dotted parts"))
    }

    @Test("a NUL byte in cutover.toml names file and line")
    func nulInConfig() throws {
        let error = try #require(configError("migrations = \"m\"\n[env.dev]\nurl = \"sqlite:x\u{0}.db\"\n"))
        #expect(error.code == .invalidConfig)
        #expect(error.file == "/p/cutover.toml")
        #expect(error.line == 3)
        #expect(error.message.contains("NUL"))
    }

    @Test("20,000 [env.NAME] sections load, each with its url and line")
    func manyEnvironments() throws {
        let count = 20_000
        var text = "default_env = \"e0\"\n"
        for index in 0..<count { text += "[env.e\(index)]\nurl = \"sqlite:e\(index).db\"\nrehearse = \(index % 2 == 0)\n" }
        let config = try parser.parse(text, file: "/p/cutover.toml", baseDirectory: "/p")
        #expect(config.environments.count == count)
        #expect(config.environments["e0"]?.url == "sqlite:e0.db")
        #expect(config.environments["e19999"]?.url == "sqlite:e19999.db")
        #expect(config.environments["e19999"]?.line == 2 + 3 * 19_999 + 1)
        #expect(config.environments["e19998"]?.rehearse == true)
        #expect(config.environments["e19999"]?.rehearse == false)
    }

    @Test("a section defined twice among thousands is still found")
    func duplicateAmongMany() throws {
        var text = ""
        for index in 0..<5_000 { text += "[env.e\(index)]\nurl = \"sqlite:x\"\n" }
        text += "[env.e42]\nurl = \"sqlite:y\"\n"
        let error = try #require(configError(text))
        #expect(error.line == 10_001)
        #expect(error.message.contains("env.e42"))
    }

    // MARK: - Migration files

    @Test("a NUL byte in a migration names file and line", arguments: [
        ("-- cutover:up\nSELECT 1;\u{0}\n", 2), ("\u{0}", 1), ("-- cutover:up\r\nSELECT 1;\r\n-- x\u{0}\r\n", 3),
    ])
    func nulInMigration(_ contents: String, line: Int) throws {
        let error = try #require(throws: CutoverError.self) {
            try MigrationFileParser().parse(fileName: "migrations/3_x.sql", contents: contents)
        }
        #expect(error.code == .invalidMigration)
        #expect(error.file == "migrations/3_x.sql")
        #expect(error.line == line)
        #expect(error.message.contains("NUL"))
    }

    @Test("the name `cutover new` derives is one the reader accepts", arguments: [
        ("ünïcödé name", "ünïcödé_name"), ("Add email to users", "add_email_to_users"), ("日本語 テーブル", "日本語_テーブル"),
        ("x\u{301}-y", "x\u{301}_y"), ("\u{301}abc", "abc"), ("😀 emoji 😀", "emoji"), ("---", ""),
    ])
    func newNames(_ description: String, expected: String) {
        let slug = MigrationFileParser.fileNameSlug(description)
        #expect(slug == expected)
        if !slug.isEmpty {
            let parsed = MigrationFileParser.parseFileName("20261124120000_\(slug).sql")
            #expect(parsed?.name == slug)
        }
    }

    @Test("file names with Unicode letters are migrations; symbols are not", arguments: [
        ("1_ünïcödé_name.sql", true), ("1_naïve.sql", true), ("1_😀.sql", false), ("1_a b.sql", false), ("1_a\u{FFFD}.sql", false),
    ])
    func unicodeFileNames(_ name: String, accepted: Bool) {
        #expect((MigrationFileParser.parseFileName(name) != nil) == accepted)
    }
}
