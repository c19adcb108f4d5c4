import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

@Suite("`cutover new NAME --ops` writes an expand/contract template")
struct NewOpsCommandTests {
    @Test("writes <id>_<name>.yaml with commented operations, next to the .sql migrations, with its own id")
    func writesTemplate() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        let sql = try await cli.json("new", "add email")
        let new = try await cli.json("new", "split name", "--ops")
        let path = try #require(new["file"] as? String)
        #expect(path.hasSuffix("_split_name.yaml"))
        #expect(new["id"] as? String != sql["id"] as? String)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\noperations:\n#  - create_table:\n"))
        #expect(text.contains("#  - alter_column:"))
        await cli.cleanUp()
    }

    @Test("--no-transaction with --ops is a usage error (exit 2, the contract's bad input)")
    func noTransaction() async throws {
        let cli = try await CLIFixture.make(.sqlite)
        let result = try await cli.run("new", "x", "--ops", "--no-transaction")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--no-transaction applies to .sql migrations"))
        await cli.cleanUp()
    }
}
