import CutoverCore
import CutoverOperations
import Foundation

/// A `migrations/<id>_<name>.yaml` file of expand/contract operations, read and parsed, with
/// the checksum `cutover start` records so that `complete` notices a file edited meanwhile.
///
/// ```swift
/// let file = try ExpandContractFile.load(id: MigrationID("20261201120000")!, folder: "migrations")
/// file.migration.operations.count
/// ```
public struct ExpandContractFile: Sendable {
    /// The file's path.
    public var path: String
    /// The parsed operations.
    public var migration: ExpandContractMigration
    /// SHA-256 of the file, line endings normalised (as for `.sql` migrations).
    public var checksum: String

    /// Reads and parses the `.yaml` (or `.yml`) migration `id` in `folder`.
    ///
    /// - Throws: `CutoverError` `.invalidArgument` when there is no such file or several,
    ///   `.invalidMigration` with file and line when it does not parse.
    public static func load(id: MigrationID, folder: String) throws -> ExpandContractFile {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let matches = names.filter { name in
            isExpandContractFileName(name) && name.split(separator: "_", maxSplits: 1).first.flatMap { MigrationID($0) } == id
        }
        guard matches.count == 1, let name = matches.first else {
            throw CutoverError(
                .invalidArgument,
                matches.isEmpty ? "no expand/contract migration \(id)_<name>.yaml in '\(folder)'" : "several .yaml migrations have the id \(id)",
                hint: matches.isEmpty ? "write one with `cutover new NAME --ops`" : "keep one: \(matches.sorted().joined(separator: ", "))")
        }
        let path = (folder as NSString).appendingPathComponent(name)
        let text = try RegularFile.readText(path, code: .invalidMigration)
        return ExpandContractFile(path: path, migration: try OperationsFileParser.parse(text, fileName: path), checksum: Checksum.of(fileContents: text))
    }

    /// Reads and parses the migrations of a chain (several pending migrations started as one
    /// step): one migration with every file's operations in order, under the last one's id and
    /// name; its checksum covers every file. A chain of one is that file.
    ///
    /// - Throws: as ``load(id:folder:)``, for the first file that fails.
    public static func load(chain ids: [MigrationID], folder: String) throws -> ExpandContractFile {
        let files = try ids.map { try load(id: $0, folder: folder) }
        guard files.count > 1, let last = files.last else {
            guard let only = files.first else { throw CutoverError(.invalidArgument, "no migration to start", hint: "name one: cutover start ID") }
            return only
        }
        let migration = ExpandContractMigration(
            id: last.migration.id, name: last.migration.name, fileName: last.migration.fileName, operations: files.flatMap(\.migration.operations))
        let checksums = zip(ids, files).map { "\($0.normalized) \($1.checksum)\n" }.joined()
        return ExpandContractFile(path: last.path, migration: migration, checksum: Checksum.of(fileContents: checksums))
    }

    /// Reads and parses every `.yaml`/`.yml` migration in `folder`, in id order: what
    /// `cutover validate` checks, so a mistake shows before `start` or a deploy meets it.
    ///
    /// - Throws: the first file's `CutoverError` `.invalidMigration`, with file and line.
    public static func loadAll(folder: String) throws -> [ExpandContractFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let ids = names.filter(isExpandContractFileName).compactMap { $0.split(separator: "_", maxSplits: 1).first.flatMap { MigrationID($0) } }
        return try Set(ids).sorted().map { try load(id: $0, folder: folder) }
    }

    /// Whether a file name is that of an expand/contract migration (`.yaml` or `.yml`).
    public static func isExpandContractFileName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }
}
