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

extension CutoverCommand.Lint {
    /// Without FILES, when cutover.toml names a database that answers: the pending `.yaml`
    /// migrations planned against its tables (``Deployment/expandContractPlanFindings()``). A
    /// database that does not answer costs a warning, never the lint; a SQLite file that does
    /// not exist is not created.
    func planFindings(_ files: [ExpandContractFile], config: Configuration?) async -> [LintFinding] {
        guard self.files.isEmpty, !files.isEmpty, let config,
            let deployment = try? Deployment(
                config: config, environment: global.env, drivers: CommandContext.linkedDrivers, logger: CommandContext.makeLogger(global))
        else { return [] }
        let url = deployment.target.url
        if url.scheme == "sqlite", !FileManager.default.fileExists(atPath: url.path) { return [] }
        do {
            return try await deployment.expandContractPlanFindings().map { finding in
                var finding = finding
                finding.file = Self.displayPath(config.migrationsDirectory, (finding.file as NSString).lastPathComponent)
                return finding
            }
        } catch {
            if !global.quiet {
                let reason = (error as? CutoverError)?.message ?? ErrorDescription.of(error)
                Terminal.err(Terminal.yellow("warning: ") + "could not plan the .yaml migrations against env \(deployment.target.environment) (\(reason)); their operations were not checked against its tables")
            }
            return []
        }
    }
}
