import CutoverCore
import Testing

@Suite struct MigrationFileParserTests {
    private let parser = MigrationFileParser()

    /// The error `parse` throws for `contents`, checked to carry the file, a line and a hint.
    private func failure(_ contents: String, fileName: String = "1_x.sql") -> CutoverError? {
        do {
            _ = try parser.parse(fileName: fileName, contents: contents)
            Issue.record("expected an error")
            return nil
        } catch let error as CutoverError {
            #expect(error.code == .invalidMigration)
            #expect(error.file == fileName)
            #expect(error.hint?.isEmpty == false)
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    // MARK: - File names

    @Test(
        "accepts <digits>_<name>.sql",
        arguments: [
            ("10_x.sql", "10", "x"),
            ("007_a.sql", "007", "a"),
            ("20261124120000_create_users.sql", "20261124120000", "create_users"),
            ("3_add-index.v2.sql", "3", "add-index.v2"),
            ("4__leading_underscore.sql", "4", "_leading_underscore"),
            // Unicode letters, as `cutover new 'ünïcödé name'` writes them.
            ("1_é.sql", "1", "é"),
            ("5_ünïcödé_name.sql", "5", "ünïcödé_name"),
        ])
    func validFileNames(fileName: String, id: String, name: String) throws {
        let parsed = try #require(MigrationFileParser.parseFileName(fileName))
        #expect(parsed.id.rawValue == id)
        #expect(parsed.name == name)
    }

    @Test(
        "rejects other file names",
        arguments: [
            "abc.sql", "_x.sql", "1.sql", "1_.sql", "1_x.txt", "1_x.sql.bak", "1_x", "x1_y.sql", "1a_x.sql",
            "1_a b.sql", "1_é😀.sql", "1_x.SQL", ".sql", "",
        ])
    func invalidFileNames(fileName: String) {
        #expect(MigrationFileParser.parseFileName(fileName) == nil)
    }

    @Test("orders parsed ids numerically")
    func idOrdering() throws {
        let nine = try #require(MigrationFileParser.parseFileName("9_a.sql")).id
        let ten = try #require(MigrationFileParser.parseFileName("10_b.sql")).id
        let padded = try #require(MigrationFileParser.parseFileName("0009_c.sql")).id
        #expect(nine < ten)
        #expect(nine == padded)
    }

    @Test("rejects a bad file name in parse(fileName:contents:)")
    func parseRejectsName() {
        #expect(failure("SELECT 1;", fileName: "notes.sql")?.message.contains("notes.sql") == true)
    }

    @Test("uses the last path component for the id and keeps the path for messages")
    func pathFileName() throws {
        let migration = try parser.parse(fileName: "migrations/5_x.sql", contents: "SELECT 1;")
        #expect(migration.id == MigrationID("5"))
        #expect(migration.name == "x")
        #expect(migration.fileName == "migrations/5_x.sql")
    }

    // MARK: - Sections

    @Test("parses up and down sections with file line numbers")
    func sections() throws {
        let contents = """
            -- Creates the users table.
            -- cutover:up
            CREATE TABLE users (id int);
            CREATE INDEX users_id ON users (id);

            -- cutover:down
            DROP TABLE users;

            """
        let migration = try parser.parse(fileName: "20261124120000_create_users.sql", contents: contents)
        #expect(migration.id == MigrationID("20261124120000"))
        #expect(migration.name == "create_users")
        #expect(migration.fileName == "20261124120000_create_users.sql")
        #expect(migration.up == [
            SQLStatement(sql: "CREATE TABLE users (id int)", line: 3),
            SQLStatement(sql: "CREATE INDEX users_id ON users (id)", line: 4),
        ])
        #expect(migration.down == [SQLStatement(sql: "DROP TABLE users", line: 7)])
        #expect(migration.isTransactional)
        #expect(migration.checksum == Checksum.of(fileContents: contents))
    }

    @Test("accepts directives in any case and with any spacing after --")
    func directiveSpelling() throws {
        let migration = try parser.parse(
            fileName: "1_x.sql", contents: "  --CUTOVER:Up  \nSELECT 1;\n\t--   cutover:DOWN\t\nSELECT 2;")
        #expect(migration.up.map(\.sql) == ["SELECT 1"])
        #expect(migration.down?.map(\.sql) == ["SELECT 2"])
    }

    @Test("treats an empty down section as an explicit no-op rollback")
    func emptyDown() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nSELECT 1;\n-- cutover:down\n-- nothing to undo\n")
        #expect(migration.down == [])
    }

    @Test("has no down section (irreversible) when there is no down marker")
    func noDown() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\nSELECT 1;\n")
        #expect(migration.down == nil)
    }

    @Test("treats a file without markers as all up")
    func noMarkers() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- comment\nCREATE TABLE t (x int);\n\nSELECT 1;")
        #expect(migration.up == [
            SQLStatement(sql: "CREATE TABLE t (x int)", line: 2), SQLStatement(sql: "SELECT 1", line: 4),
        ])
        #expect(migration.down == nil)
        #expect(migration.isTransactional)
    }

    @Test("parses CRLF files like LF files, with the same lines and checksum")
    func crlf() throws {
        let lf = "-- cutover:up\nCREATE TABLE t (\n  x int\n);\n-- cutover:down\nDROP TABLE t;\n"
        let crlf = lf.replacing("\n", with: "\r\n")
        let a = try parser.parse(fileName: "1_x.sql", contents: lf)
        let b = try parser.parse(fileName: "1_x.sql", contents: crlf)
        #expect(a.up == b.up)
        #expect(a.down == b.down)
        #expect(a.checksum == b.checksum)
        #expect(b.up.first?.sql == "CREATE TABLE t (\n  x int\n)")
        #expect(b.down == [SQLStatement(sql: "DROP TABLE t", line: 6)])
    }

    @Test("ignores a leading byte-order mark")
    func byteOrderMark() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "\u{FEFF}-- cutover:up\nSELECT 1;")
        #expect(migration.up == [SQLStatement(sql: "SELECT 1", line: 2)])
    }

    @Test("accepts and ignores -- cutover:allow RULE")
    func allowDirective() throws {
        let migration = try parser.parse(
            fileName: "1_x.sql",
            contents: "-- cutover:allow add-column-default\n-- cutover:up\n-- cutover:allow lock-table\nALTER TABLE t ADD x int DEFAULT 1;")
        #expect(migration.up.map(\.sql) == ["ALTER TABLE t ADD x int DEFAULT 1"])
        #expect(migration.up.first?.line == 4)
    }

    @Test("leaves block comments before the up marker alone")
    func blockCommentHeader() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "/* a\n   b; */\n-- cutover:up\nSELECT 1;")
        #expect(migration.up.map(\.line) == [4])
    }

    @Test("splits statements with the splitter's rules inside sections")
    func splitterRules() throws {
        let contents = "-- cutover:up\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- cutover:down\nDROP FUNCTION f;"
        let migration = try parser.parse(fileName: "1_x.sql", contents: contents)
        #expect(migration.up.count == 1)
        #expect(migration.up.first?.line == 2)
    }

    // MARK: - no-transaction

    @Test("sets isTransactional to false for -- cutover:no-transaction in the header")
    func noTransactionHeader() throws {
        let migration = try parser.parse(
            fileName: "1_x.sql", contents: "-- cutover:no-transaction\n-- cutover:up\nCREATE INDEX CONCURRENTLY i ON t (x);")
        #expect(!migration.isTransactional)
    }

    @Test("sets isTransactional to false for -- cutover:no-transaction in the up section")
    func noTransactionUp() throws {
        let migration = try parser.parse(
            fileName: "1_x.sql",
            contents: "-- cutover:up\n-- cutover:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- cutover:down\nDROP INDEX i;")
        #expect(!migration.isTransactional)
        #expect(migration.up.first?.line == 3)
    }

    @Test("sets isTransactional to false in a file without markers")
    func noTransactionAllUp() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:no-transaction\nVACUUM;")
        #expect(!migration.isTransactional)
        #expect(migration.up.map(\.sql) == ["VACUUM"])
    }

    @Test("rejects -- cutover:no-transaction in the down section")
    func noTransactionDown() {
        #expect(failure("-- cutover:up\nSELECT 1;\n-- cutover:down\n-- cutover:no-transaction\nSELECT 2;")?.line == 4)
    }

    // MARK: - Errors

    @Test("rejects an unknown directive, naming it and its line and listing the valid ones")
    func unknownDirective() {
        let error = failure("-- cutover:up\nSELECT 1;\n\n-- cutover:dwon\nSELECT 2;")
        #expect(error?.line == 4)
        #expect(error?.message.contains("dwon") == true)
        for valid in ["up", "down", "no-transaction", "allow"] {
            #expect(error?.hint?.contains("cutover:\(valid)") == true)
        }
    }

    @Test("rejects text after a directive on the same line")
    func directiveWithTrailingText() {
        #expect(failure("-- cutover:up please\nSELECT 1;")?.line == 1)
    }

    @Test("rejects -- cutover:allow without a rule id")
    func allowWithoutRule() {
        #expect(failure("-- cutover:up\n-- cutover:allow\nSELECT 1;")?.line == 2)
    }

    @Test("does not treat ordinary comments mentioning cutover as directives")
    func ordinaryComments() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- run by cutover:up is implied\nSELECT 1; -- cutover:down\n")
        #expect(migration.down == nil)
        #expect(migration.up.count == 1)
    }

    @Test("rejects a duplicate up marker at the second one")
    func duplicateUp() {
        let error = failure("-- cutover:up\nSELECT 1;\n-- cutover:up\nSELECT 2;")
        #expect(error?.line == 3)
        #expect(error?.message.contains("line 1") == true)
    }

    @Test("rejects a duplicate down marker at the second one")
    func duplicateDown() {
        #expect(failure("-- cutover:up\nSELECT 1;\n-- cutover:down\nSELECT 2;\n-- cutover:down\n")?.line == 5)
    }

    @Test("rejects a down marker without an up marker")
    func downWithoutUp() {
        #expect(failure("SELECT 1;\n-- cutover:down\nSELECT 2;")?.line == 2)
    }

    @Test("rejects a down section placed before the up section")
    func downBeforeUp() {
        #expect(failure("-- cutover:down\nSELECT 2;\n-- cutover:up\nSELECT 1;")?.line == 3)
    }

    @Test("rejects SQL before -- cutover:up at the statement's line")
    func sqlBeforeUp() {
        let error = failure("-- header\n\nSELECT 0;\n-- cutover:up\nSELECT 1;")
        #expect(error?.line == 3)
        #expect(error?.message.contains("before -- cutover:up") == true)
    }

    @Test("an up section with only comments is a no-op, not an error")
    func commentOnlyUp() throws {
        let migration = try parser.parse(fileName: "1_x.sql", contents: "-- cutover:up\n-- only a comment\n\n-- cutover:down\nSELECT 2;")
        #expect(migration.up.isEmpty)
        #expect(migration.isNoOp)
        #expect(migration.draft == nil)
        #expect(migration.upMarkerLine == 1)
        let markerless = try parser.parse(fileName: "1_x.sql", contents: "-- just a comment\n")
        #expect(markerless.isNoOp)
    }

    @Test("an empty file, or a blank up section, is a draft, not an error")
    func blankIsDraft() throws {
        #expect(try parser.parse(fileName: "1_x.sql", contents: "").draft == Migration.Draft(line: 1, isMarked: false))
        let blank = try parser.parse(fileName: "1_x.sql", contents: "-- header\n-- cutover:up\n\n  \n-- cutover:allow ban-drop-table\n-- cutover:down\n")
        #expect(blank.draft == Migration.Draft(line: 2, isMarked: false))
        #expect(!blank.isNoOp)
    }

    @Test("reports splitter errors at file lines")
    func splitterErrors() {
        let error = failure("-- cutover:up\nSELECT 1;\n-- cutover:down\nSELECT 'oops;\n")
        #expect(error?.line == 4)
        #expect(error?.message.contains("string") == true)
    }
}
