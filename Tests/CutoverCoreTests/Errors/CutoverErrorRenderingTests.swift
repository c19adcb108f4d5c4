import CutoverCore
import Testing

@Suite("CutoverError keeps its causes and renders them without passwords")
struct CutoverErrorRenderingTests {
    static let secret = "Pw-9e1b7d"

    /// A driver error that quotes the URL it was given, password and all.
    struct QuotingError: Error, CustomStringConvertible, CustomDebugStringConvertible {
        var url: String
        var description: String { "cannot reach \(url)" }
        var debugDescription: String { "QuotingError(url: \(url))" }
    }

    private var leakyURL: String { "postgres://app:\(Self.secret)@db.internal:5432/shop?sslpassword=\(Self.secret)" }

    @Test("the underlying and rollback errors are kept as typed values")
    func keepsTypedErrors() throws {
        let error = CutoverError(
            .statementFailed, "relation \"t\" does not exist", statement: "SELECT * FROM t", databaseCode: .postgres(.undefinedTable),
            underlying: QuotingError(url: "first"), rollbackError: QuotingError(url: "second"))
        #expect((error.underlying as? QuotingError)?.url == "first")
        #expect((error.rollbackError as? QuotingError)?.url == "second")
        #expect(error.sqlState == .undefinedTable)
    }

    @Test("debugDescription adds the SQLSTATE or result code, the statement, the underlying error and the rollback's")
    func debugDescription() {
        let postgres = CutoverError(
            .statementFailed, "relation \"t\" does not exist", statement: "SELECT * FROM t", databaseCode: .postgres(.undefinedTable),
            underlying: QuotingError(url: "x"), rollbackError: QuotingError(url: "y"))
        let lines = postgres.debugDescription.split(separator: "\n").map(String.init)
        #expect(lines == [
            "relation \"t\" does not exist", "SQLSTATE 42P01", "statement: SELECT * FROM t",
            "underlying: QuotingError(url: x)", "rollback failed too: QuotingError(url: y)",
        ])
        let sqlite = CutoverError(.statementFailed, "UNIQUE constraint failed: t.id", databaseCode: .sqlite(.constraintUnique))
        #expect(sqlite.debugDescription == "UNIQUE constraint failed: t.id\nSQLite result code SQLITE_CONSTRAINT_UNIQUE (2067)")
        #expect(CutoverError(.ioFailed, "plain").debugDescription == "plain")
    }

    @Test("no rendering shows the password of a URL the underlying or rollback error quotes")
    func redactsEveryRendering() {
        var error = CutoverError(
            .connectionFailed, "could not connect", hint: "check \(leakyURL)", statement: "-- \(leakyURL)",
            underlying: QuotingError(url: leakyURL), rollbackError: QuotingError(url: leakyURL))
        error.message = "could not connect to \(leakyURL)"
        var dumped = ""
        dump(error, to: &dumped)
        let renderings = [
            "\(error)", String(describing: error), String(reflecting: error), error.debugDescription,
            error.underlyingDescription ?? "", error.rollbackErrorDescription ?? "", dumped,
        ]
        for rendering in renderings {
            #expect(!rendering.contains(Self.secret), "\(rendering)")
        }
        // The text is still there, only the password is gone.
        #expect(error.underlyingDescription?.contains("db.internal:5432/shop") == true)
        #expect(String(reflecting: error).contains("rollback failed too:"))
        #expect(dumped.contains("db.internal"))
    }

    @Test("a wrapped error of the failed statement stays reachable with its own causes")
    func nestedErrors() {
        let statement = CutoverError(
            .statementFailed, "boom", databaseCode: .postgres(.divisionByZero), underlying: QuotingError(url: leakyURL))
        let migration = CutoverError(.migrationFailed, "migration 1 failed", databaseCode: statement.databaseCode, underlying: statement)
        let inner = migration.underlying as? CutoverError
        #expect(inner?.sqlState == .divisionByZero)
        #expect(inner?.underlying is QuotingError)
        #expect(!String(reflecting: migration).contains(Self.secret))
    }
}
