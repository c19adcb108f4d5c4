import CutoverCore
import CutoverOperations
import Testing

@Suite("the template `cutover new --ops` writes")
struct OperationsFileTemplateTests {
    @Test("as written it does not parse: an empty operations list cannot run by mistake")
    func draftDoesNotParse() {
        #expect(OperationFixture.parseError(OperationsFileTemplate.text)?.line == 16)
    }

    @Test("with its examples uncommented it parses, names every operation, and plans against the fixture tables")
    func examplesPlan() throws {
        // Below `operations:`, each example line loses its `#`.
        let lines = OperationsFileTemplate.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let list = try #require(lines.firstIndex(of: "operations:"))
        let uncommented = (lines[...list] + lines[(list + 1)...].map { $0.hasPrefix("#  ") ? String($0.dropFirst()) : $0 }).joined(separator: "\n")
        let migration = try OperationFixture.parse(uncommented)
        #expect(Set(migration.operations.map { type(of: $0).name }) == Set(OperationsFileParser.operationNames))
        // The fixture's tables, and `sessions` for drop_table.
        var shape = OperationFixture.shape
        shape.tables.append(TableShape(name: "sessions", columns: [ColumnShape(name: "id", type: "bigint", isNullable: false)]))
        let plan = try migration.plan(shape: shape, context: OperationFixture.context)
        #expect(plan.shape.tables.map(\.name) == ["users", "items", "orders"])
        #expect(plan.shape.views == ["active_users"])
    }
}
