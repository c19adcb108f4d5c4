import Cutover
import CutoverCore
import Foundation

/// The `.yaml` migrations `cutover lint` reads: the hand-written SQL in them is linted by
/// ``ExpandContractLint`` in the library; here they are only found and named.
extension CutoverCommand.Lint {
    /// The `.yaml` migrations of `folder`, named relative to the working directory.
    /// - Throws: `CutoverError` `.invalidMigration` (file and line) for one that does not parse.
    static func folderExpandContract(_ folder: String?) throws -> [ExpandContractFile] {
        guard let folder else { return [] }
        return try ExpandContractFile.loadAll(folder: folder).map { file in
            var file = file
            file.path = displayPath(folder, (file.path as NSString).lastPathComponent)
            return file
        }
    }

    /// The `.yaml` files among FILES, and those in the folders among them.
    func fileExpandContract() throws -> [ExpandContractFile] {
        var result: [ExpandContractFile] = []
        for path in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                result += try Self.folderExpandContract(path)
            } else if ExpandContractFile.isExpandContractFileName(path) {
                result.append(try ExpandContractFile.load(path: path))
            }
        }
        return result
    }

    /// The findings of `.sql` and `.yaml` migrations merged in migration id order (a stable
    /// sort: each file's findings keep their order).
    static func inIDOrder(_ sql: [LintFinding], _ yaml: [LintFinding]) -> [LintFinding] {
        guard !yaml.isEmpty else { return sql }
        return (sql + yaml).enumerated().sorted { a, b in
            a.element.migrationID != b.element.migrationID ? a.element.migrationID < b.element.migrationID : a.offset < b.offset
        }.map(\.element)
    }
}
