import CutoverCore
import Testing

@Suite struct SQLSplitterTests {
    private let splitter = SQLSplitter()

    private func sql(_ script: String) throws -> [String] {
        try splitter.split(script).map(\.sql)
    }

    /// The error thrown for `script`, checked to be an invalid-migration error.
    private func failure(_ script: String, file: String? = "f.sql", startingLine: Int = 1) -> CutoverError? {
        do {
            _ = try splitter.split(script, startingLine: startingLine, file: file)
            return nil
        } catch let error as CutoverError {
            #expect(error.code == .invalidMigration)
            #expect(error.hint?.isEmpty == false)
            #expect(error.file == file)
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    // MARK: - Basics

    @Test("splits on top-level semicolons, trims, and drops the semicolon")
    func basic() throws {
        #expect(try sql("  SELECT 1 ;\n\nSELECT 2;SELECT 3  ") == ["SELECT 1", "SELECT 2", "SELECT 3"])
    }

    @Test("drops empty statements and comment-only statements")
    func empties() throws {
        #expect(try sql(";;\n ; -- nothing\n/* still nothing */;\n") == [])
        #expect(try sql("") == [])
        #expect(try sql("SELECT 1;\n-- trailing comment\n") == ["SELECT 1"])
    }

    @Test("drops leading and trailing comments but keeps comments between tokens")
    func commentsAroundStatements() throws {
        let script = "-- header\n/* doc */ SELECT 1, -- first\n 2 -- tail\n;"
        #expect(try sql(script) == ["SELECT 1, -- first\n 2"])
    }

    // MARK: - Strings and identifiers

    @Test("ignores semicolons inside strings, with '' escapes")
    func singleQuotes() throws {
        #expect(try sql("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT ';'") == [
            "INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT ';'",
        ])
    }

    @Test("treats a backslash as ordinary in standard strings")
    func backslashInStandardString() throws {
        #expect(try sql(#"SELECT 'C:\'; SELECT 2"#) == [#"SELECT 'C:\'"#, "SELECT 2"])
    }

    @Test("understands E'…' strings with backslash escapes")
    func escapeStrings() throws {
        #expect(try sql(#"SELECT E'it\'s; here', e'\\'; SELECT 2"#) == [#"SELECT E'it\'s; here', e'\\'"#, "SELECT 2"])
        #expect(try sql(#"SELECT E'a''b;c'; SELECT 2"#) == [#"SELECT E'a''b;c'"#, "SELECT 2"])
    }

    @Test("applies '' and \\' escapes together inside one E-string")
    func mixedEscapes() throws {
        #expect(try sql(#"SELECT E'a''\'; b'; SELECT 2"#) == [#"SELECT E'a''\'; b'"#, "SELECT 2"])
    }

    @Test("does not treat the E ending an identifier as an escape-string prefix")
    func identifierEndingInE() throws {
        // `name` followed by a string is not E'…': the backslash is literal, so `\'` closes.
        #expect(try sql(#"SELECT name'\'; SELECT 2"#) == [#"SELECT name'\'"#, "SELECT 2"])
    }

    @Test("ignores semicolons inside double-quoted identifiers with \"\" escapes")
    func doubleQuotes() throws {
        #expect(try sql(#"CREATE TABLE "a;""b" (x int); SELECT 1"#) == [#"CREATE TABLE "a;""b" (x int)"#, "SELECT 1"])
    }

    @Test("ignores semicolons inside backtick and bracket identifiers (SQLite)")
    func sqliteIdentifiers() throws {
        #expect(try sql("CREATE TABLE `a;b` ([c;d] int); SELECT 1") == ["CREATE TABLE `a;b` ([c;d] int)", "SELECT 1"])
    }

    @Test("ignores a semicolon inside a bracket identifier outside parentheses")
    func bracketIdentifierTopLevel() throws {
        #expect(try sql("SELECT [a;b] FROM t; SELECT 2") == ["SELECT [a;b] FROM t", "SELECT 2"])
    }

    @Test("reads [ as a PostgreSQL array subscript when a quote could hide a ]")
    func arrayBrackets() throws {
        #expect(try sql("SELECT ARRAY['a]', 'b;'][1]; SELECT arr[2] FROM t") == [
            "SELECT ARRAY['a]', 'b;'][1]", "SELECT arr[2] FROM t",
        ])
    }

    @Test("does not let quotes inside comments open a string")
    func quoteInComment() throws {
        #expect(try sql("SELECT 1; -- don't stop\nSELECT 2; /* it's \" ` $$ */ SELECT 3") == [
            "SELECT 1", "SELECT 2", "SELECT 3",
        ])
    }

    @Test("does not let comment markers inside strings start a comment")
    func commentInString() throws {
        #expect(try sql("SELECT '--', '/*'; SELECT 2") == ["SELECT '--', '/*'", "SELECT 2"])
    }

    // MARK: - Dollar quoting

    @Test("ignores semicolons inside $$ bodies")
    func dollarQuotes() throws {
        let script = "DO $$ BEGIN PERFORM 1; END $$; SELECT 2"
        #expect(try sql(script) == ["DO $$ BEGIN PERFORM 1; END $$", "SELECT 2"])
    }

    @Test("matches tagged dollar quotes only with the same tag, so tags nest")
    func nestedTags() throws {
        let script = """
            CREATE FUNCTION f() RETURNS text AS $outer$
            BEGIN
              EXECUTE $inner$ SELECT ';' $inner$;
              RETURN $x$ $$ ; $x$;
            END;
            $outer$ LANGUAGE plpgsql;
            SELECT f();
            """
        let statements = try splitter.split(script)
        #expect(statements.count == 2)
        #expect(statements[0].sql.hasPrefix("CREATE FUNCTION f()"))
        #expect(statements[0].sql.hasSuffix("$outer$ LANGUAGE plpgsql"))
        #expect(statements[1] == SQLStatement(sql: "SELECT f()", line: 7))
    }

    @Test("splits a plpgsql trigger function and its trigger")
    func plpgsql() throws {
        let script = """
            CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
              NEW.updated_at := now();
              IF NEW.note = 'x;y' THEN RAISE NOTICE 'semi;colon'; END IF;
              RETURN NEW;
            END;
            $body$;
            CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
            """
        let statements = try splitter.split(script)
        #expect(statements.map(\.line) == [1, 8])
        #expect(statements[1].sql == "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()")
    }

    @Test("treats $1 as a parameter, not a dollar quote")
    func positionalParameters() throws {
        #expect(try sql("SELECT $1, $2::int; SELECT $10") == ["SELECT $1, $2::int", "SELECT $10"])
        #expect(try sql("PREPARE p AS SELECT $1 || $$;$$; EXECUTE p('a')") == [
            "PREPARE p AS SELECT $1 || $$;$$", "EXECUTE p('a')",
        ])
    }

    @Test("does not start a dollar-quote tag with a digit")
    func tagStartsWithDigit() throws {
        #expect(try sql("SELECT $1$; SELECT 2") == ["SELECT $1$", "SELECT 2"])
    }

    @Test("treats $ inside identifiers and SQLite $name parameters as plain text")
    func dollarInIdentifiers() throws {
        #expect(try sql("SELECT a$b$c FROM t; SELECT $name; SELECT 3") == ["SELECT a$b$c FROM t", "SELECT $name", "SELECT 3"])
    }

    // MARK: - Comments

    @Test("handles nested block comments as PostgreSQL does")
    func nestedBlockComments() throws {
        #expect(try sql("/* outer /* inner; */ still comment; */ SELECT 1; SELECT 2") == ["SELECT 1", "SELECT 2"])
    }

    @Test("ends a line comment at a lone CR too")
    func lineCommentCR() throws {
        #expect(try sql("-- c\rSELECT 1;\r\nSELECT 2") == ["SELECT 1", "SELECT 2"])
    }

    // MARK: - BEGIN … END bodies

    @Test("keeps a SQLite trigger body together, including CASE … END inside")
    func sqliteTrigger() throws {
        let script = """
            CREATE TRIGGER audit AFTER UPDATE ON accounts
            WHEN CASE WHEN new.kind = 'x' THEN 1 ELSE 0 END
            BEGIN
              INSERT INTO log VALUES (old.id, 'changed;');
              UPDATE stats SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END;
              SELECT CASE WHEN new.balance < 0 THEN RAISE(ABORT, 'negative') END;
            END;
            INSERT INTO log VALUES (0, 'after');
            """
        let statements = try splitter.split(script)
        #expect(statements.count == 2)
        #expect(statements[0].sql.hasPrefix("CREATE TRIGGER audit"))
        #expect(statements[0].sql.hasSuffix("'negative') END;\nEND"))
        #expect(statements[1] == SQLStatement(sql: "INSERT INTO log VALUES (0, 'after')", line: 8))
    }

    @Test("keeps CREATE TEMP TRIGGER IF NOT EXISTS bodies together")
    func tempTrigger() throws {
        let script = "create temp trigger if not exists t after insert on a begin delete from b; delete from c; end; select 1"
        #expect(try sql(script) == [
            "create temp trigger if not exists t after insert on a begin delete from b; delete from c; end", "select 1",
        ])
    }

    @Test("keeps a PostgreSQL BEGIN ATOMIC body together")
    func beginAtomic() throws {
        let script = """
            CREATE OR REPLACE PROCEDURE insert_two(a int)
            LANGUAGE SQL
            BEGIN ATOMIC
              INSERT INTO t VALUES (a);
              INSERT INTO t VALUES (CASE WHEN a > 0 THEN a ELSE 0 END);
            END;
            CREATE FUNCTION one() RETURNS int LANGUAGE sql begin atomic SELECT 1; END;
            SELECT 3;
            """
        let statements = try splitter.split(script)
        #expect(statements.map(\.line) == [1, 7, 8])
        #expect(statements[0].sql.hasSuffix("ELSE 0 END);\nEND"))
        #expect(statements[1].sql == "CREATE FUNCTION one() RETURNS int LANGUAGE sql begin atomic SELECT 1; END")
    }

    @Test("opens a routine body only for BEGIN ATOMIC, not for words named begin or atomic")
    func routineWordsNamedBegin() throws {
        #expect(try sql("CREATE FUNCTION atomic(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql; SELECT 2") == [
            "CREATE FUNCTION atomic(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql", "SELECT 2",
        ])
        #expect(try sql("CREATE FUNCTION f(begin int, atomic int) RETURNS int RETURN 1; SELECT 2") == [
            "CREATE FUNCTION f(begin int, atomic int) RETURNS int RETURN 1", "SELECT 2",
        ])
    }

    @Test("splits plain BEGIN; … COMMIT; transaction statements")
    func plainTransactions() throws {
        #expect(try sql("BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\nBEGIN TRANSACTION; END;") == [
            "BEGIN", "CREATE TABLE t (x int)", "COMMIT", "BEGIN TRANSACTION", "END",
        ])
    }

    @Test("does not count CASE … END in ordinary statements")
    func caseInOrdinaryStatement() throws {
        #expect(try sql("SELECT CASE WHEN a THEN 1 END; SELECT 2") == ["SELECT CASE WHEN a THEN 1 END", "SELECT 2"])
    }

    @Test("does not open a body for a function whose body is a string")
    func functionWithStringBody() throws {
        #expect(try sql("CREATE FUNCTION f() RETURNS int AS 'SELECT 1; ' LANGUAGE sql; SELECT 2") == [
            "CREATE FUNCTION f() RETURNS int AS 'SELECT 1; ' LANGUAGE sql", "SELECT 2",
        ])
    }

    @Test("does not treat words in a CREATE TABLE as a body opener")
    func createTableWithBegin() throws {
        #expect(try sql(#"CREATE TABLE "begin" (x int); SELECT 2"#) == [#"CREATE TABLE "begin" (x int)"#, "SELECT 2"])
    }

    @Test("keeps semicolons inside parentheses, as in a PostgreSQL CREATE RULE with several actions")
    func parentheses() throws {
        let script = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t);\nSELECT 2;"
        #expect(try sql(script) == ["CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t)", "SELECT 2"])
    }

    @Test("tolerates a stray closing parenthesis")
    func strayCloseParen() throws {
        #expect(try sql("SELECT 1); SELECT (2)") == ["SELECT 1)", "SELECT (2)"])
    }

    // MARK: - Lines

    @Test("reports the line of each statement's first token, after comments")
    func lineNumbers() throws {
        let script = "-- header\n\nSELECT 1;\n/* a\n b */\n  SELECT\n 2; SELECT 3;\n"
        let statements = try splitter.split(script)
        #expect(statements.map(\.line) == [3, 6, 7])
    }

    @Test("offsets lines by startingLine and counts CRLF once")
    func startingLine() throws {
        let statements = try splitter.split("\r\nSELECT 1;\r\n\r\nSELECT 2;", startingLine: 10)
        #expect(statements.map(\.line) == [11, 13])
    }

    @Test("counts newlines inside strings and dollar quotes")
    func linesAfterMultilineLiterals() throws {
        let statements = try splitter.split("SELECT 'a\nb';\nSELECT $$\n\n$$;\nSELECT 3;")
        #expect(statements.map(\.line) == [1, 3, 6])
    }

    @Test("keeps non-ASCII text intact")
    func unicode() throws {
        #expect(try sql("INSERT INTO t VALUES ('héllo; wörld 🚀'); SELECT \"naïve\"") == [
            "INSERT INTO t VALUES ('héllo; wörld 🚀')", "SELECT \"naïve\"",
        ])
    }

    // MARK: - Errors

    @Test("reports an unterminated string at the line where it started")
    func unterminatedString() {
        let error = failure("SELECT 1;\nSELECT 'abc;\n\nmore", startingLine: 5)
        #expect(error?.line == 6)
        #expect(error?.message.contains("string") == true)
    }

    @Test("reports an unterminated E-string ended only by an escaped quote")
    func unterminatedEscapeString() {
        #expect(failure(#"SELECT 1;"# + "\n" + #"SELECT E'abc\';"#)?.line == 2)
    }

    @Test("reports an unterminated quoted identifier", arguments: ["\"", "`"])
    func unterminatedIdentifier(quote: String) {
        let error = failure("SELECT 1;\n\nSELECT \(quote)col;")
        #expect(error?.line == 3)
        #expect(error?.message.contains("identifier") == true)
    }

    @Test("reports an unterminated dollar-quoted string and names its tag")
    func unterminatedDollar() {
        let error = failure("SELECT 1;\nDO $fn$ BEGIN END $FN$;\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("$fn$") == true)
    }

    @Test("reports an unterminated block comment, counting nesting")
    func unterminatedBlockComment() {
        let error = failure("SELECT 1;\n/* a /* b */\nSELECT 2;")
        #expect(error?.line == 2)
        #expect(error?.message.contains("comment") == true)
    }

    @Test("reports an unterminated trigger body at its BEGIN")
    func unterminatedTrigger() {
        let error = failure("CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  DELETE FROM b;\n  SELECT CASE WHEN 1 THEN 2 END;\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("BEGIN") == true)
    }

    @Test("reports an unterminated BEGIN ATOMIC body")
    func unterminatedAtomic() {
        #expect(failure("SELECT 1;\nCREATE PROCEDURE p() BEGIN ATOMIC\n SELECT 1;\n", file: nil)?.line == 2)
    }

    @Test("reports an unclosed parenthesis at the outermost open one")
    func unclosedParenthesis() {
        let error = failure("SELECT 1;\nCREATE TABLE t (\n  id int,\n  CHECK ((id > 0);\nSELECT 2;")
        #expect(error?.line == 2)
        #expect(error?.message.contains("(") == true)
    }

    // MARK: - Scale

    @Test("splits a large script in linear time")
    func largeScript() throws {
        let statement = "INSERT INTO t (a, b) VALUES ('x;y', $$z;$$); -- c\n"
        let script = String(repeating: statement, count: 20_000)
        let statements = try splitter.split(script)
        #expect(statements.count == 20_000)
        #expect(statements.last?.line == 20_000)
    }
}
