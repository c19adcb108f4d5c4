import CutoverCore
import Yams

/// Reads `migrations/<id>_<name>.yaml`, an expand/contract migration:
///
/// ```yaml
/// operations:
///   - rename_column: { table: users, from: name, to: full_name }
///   - add_column:
///       table: users
///       column: { name: status, type: text, nullable: false }
///       up: "'active'"
/// ```
///
/// Each list item is a mapping with exactly one key, the operation's name (see
/// ``operationNames``). Mistakes are ``CutoverError``s (`invalid_migration`) with the file and
/// the line of the offending node, saying what was expected.
public enum OperationsFileParser {
    /// Reads one operation from its mapping.
    typealias Reader = @Sendable (YAMLObject) throws -> any ExpandContractOperation

    /// The operations a file may use, by name. Adding an operation: one type in
    /// `Operations/`, one line here.
    static let readers: [String: Reader] = [
        CreateTable.name: { try CreateTable($0) },
        AddColumn.name: { try AddColumn($0) },
        DropColumn.name: { try DropColumn($0) },
        RenameColumn.name: { try RenameColumn($0) },
        AlterColumn.name: { try AlterColumn($0) },
        CreateIndex.name: { try CreateIndex($0) },
        DropIndex.name: { try DropIndex($0) },
        DropTable.name: { try DropTable($0) },
        RenameTable.name: { try RenameTable($0) },
        AddConstraint.name: { try AddConstraint($0).convertingColumn() },
        DropConstraint.name: { try DropConstraint($0) },
        CreateView.name: { try CreateView($0) },
        ReplaceFunction.name: { try ReplaceFunction($0) },
        CreateTrigger.name: { try CreateTrigger($0) },
        RawSQL.name: { try RawSQL($0) },
    ]

    /// The operation names a file may use, sorted.
    public static var operationNames: [String] { readers.keys.sorted() }

    /// Parses a migration file's text.
    ///
    /// ```swift
    /// let migration = try OperationsFileParser.parse(text, fileName: "20261201120000_split_name.yaml")
    /// ```
    ///
    /// - Parameters:
    ///   - text: the file's content.
    ///   - fileName: `<id>_<name>.yaml`, possibly with a directory; used for the id, the name and messages.
    /// - Returns: the migration.
    /// - Throws: ``CutoverError`` (`invalid_migration`) with file and line.
    public static func parse(_ text: String, fileName: String) throws -> ExpandContractMigration {
        let (id, name) = try identity(of: fileName)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: fileName)
        }
        guard let root else {
            throw CutoverError(.invalidMigration, "the file is empty", hint: "write `operations:` followed by a list of operations", file: fileName, line: 1)
        }
        var object = try YAMLObject(root, path: YAMLObject.root, file: fileName)
        let items = try object.requiredList("operations", example: "[{ rename_column: { table: users, from: name, to: full_name } }]")
        try object.finish()
        let operations = try items.map { try operation(from: $0, file: fileName) }
        return ExpandContractMigration(id: id, name: name, fileName: fileName, operations: operations)
    }

    private static func operation(from node: Node, file: String) throws -> any ExpandContractOperation {
        guard case .mapping(let mapping) = node, mapping.count == 1, let (key, value) = mapping.first, let name = key.scalar?.string else {
            throw CutoverError(
                .invalidMigration, "each operation must be a mapping with one key, the operation's name, not \(node.kindDescription)",
                hint: "for example `- drop_column: { table: users, column: nickname }`; operations: \(operationNames.joined(separator: ", "))",
                file: file, line: node.line)
        }
        guard let reader = readers[name] else {
            throw CutoverError(
                .invalidMigration, "unknown operation \"\(name)\"", hint: "operations: \(operationNames.joined(separator: ", "))",
                file: file, line: key.line)
        }
        // Errors about the operation as a whole point at its name's line.
        var object = try YAMLObject(value, path: name, file: file)
        object.line = key.line
        return try reader(object)
    }

    /// The id and name from `<id>_<name>.yaml`.
    private static func identity(of fileName: String) throws -> (MigrationID, String) {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        let stem = base.hasSuffix(".yaml") ? String(base.dropLast(5)) : base.hasSuffix(".yml") ? String(base.dropLast(4)) : base
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard let first = parts.first, let id = MigrationID(first), parts.count == 2 else {
            throw CutoverError(
                .invalidMigration, "the file name \"\(base)\" is not <id>_<name>.yaml", hint: "for example 20261201120000_rename_user_name.yaml",
                file: fileName)
        }
        return (id, String(parts[1]))
    }

    private static func syntaxError(_ error: YamlError, file: String) -> CutoverError {
        let line: Int?
        let problem: String
        switch error {
        case .scanner(_, let text, let mark, _), .parser(_, let text, let mark, _), .composer(_, let text, let mark, _):
            line = mark.line
            problem = text
        case .duplicatedKeysInMapping(let duplicates, let context):
            line = context.mark.line
            problem = "duplicated keys \(duplicates.joined(separator: ", "))"
        default:
            line = nil
            problem = "\(error)"
        }
        return CutoverError(
            .invalidMigration, "not valid YAML: \(problem)", hint: "check the indentation and quoting near this line; quote SQL containing `: ` or `#`",
            file: file, line: line, underlying: error)
    }
}
