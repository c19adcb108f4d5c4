import CutoverCore
import CutoverOperations
import Foundation
import Testing

/// Shared tables and helpers for the expand/contract operation tests.
enum OperationFixture {
    static let id = MigrationID("20261201120000")!
    static let context = OperationContext(schema: "public", migrationID: id)

    /// `users (id bigint NOT NULL, name text, nickname text NOT NULL DEFAULT '')` and
    /// `products (id bigint NOT NULL, price integer NOT NULL)`.
    static let shape = VersionShape(tables: [
        TableShape(name: "users", columns: [
            ColumnShape(name: "id", type: "bigint", isNullable: false),
            ColumnShape(name: "name", type: "text"),
            ColumnShape(name: "nickname", type: "text", isNullable: false, defaultExpression: "''"),
        ]),
        TableShape(name: "products", columns: [
            ColumnShape(name: "id", type: "bigint", isNullable: false),
            ColumnShape(name: "price", type: "integer", isNullable: false),
        ]),
    ])

    /// Parses `yaml` as `20261201120000_fixture.yaml`.
    static func parse(_ yaml: String) throws -> ExpandContractMigration {
        try OperationsFileParser.parse(yaml, fileName: "20261201120000_fixture.yaml")
    }

    /// Parses and plans `yaml` against ``shape``.
    static func plan(_ yaml: String, context: OperationContext = context) throws -> ExpandContractPlan {
        try parse(yaml).plan(shape: shape, context: context)
    }

    /// The error parsing `yaml` throws, as `file:line: message`.
    static func parseError(_ yaml: String) -> CutoverError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error as? CutoverError
        }
    }

    /// The error planning `yaml` throws.
    static func planError(_ yaml: String) -> CutoverError? {
        do {
            _ = try plan(yaml)
            return nil
        } catch {
            return error as? CutoverError
        }
    }

    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares the rendered plan with `Golden/<name>.sql`. With `CUTOVER_UPDATE_GOLDEN=1` in
    /// the environment the file is rewritten instead (review the diff before committing).
    static func expectGolden(_ plan: ExpandContractPlan, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = goldenFolder.appendingPathComponent("\(name).sql")
        let actual = plan.rendered()
        if ProcessInfo.processInfo.environment["CUTOVER_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "rendered plan differs from Golden/\(name).sql", sourceLocation: sourceLocation)
    }
}
