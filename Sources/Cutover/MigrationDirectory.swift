import CutoverCore
import Foundation

/// Reads the migrations folder: every `<id>_<name>.sql` file, parsed and ordered by id.
public struct MigrationDirectory: Sendable {
    /// The folder's absolute path.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Loads and parses every migration file, in id order.
    /// - Throws: ``CutoverError`` `.missingMigrations` when the folder does not exist,
    ///   `.invalidMigration` for a badly named or malformed file or a duplicate id.
    public func load() throws -> [Migration] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CutoverError(
                .missingMigrations, "the migrations folder '\(path)' does not exist",
                hint: "run `cutover init`, or set migrations = \"…\" in cutover.toml")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        let parser = MigrationFileParser()
        var migrations: [Migration] = []
        var seen: [MigrationID: String] = [:]
        for name in names {
            if name.hasPrefix(".") { continue }
            let lowered = name.lowercased()
            if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
                throw CutoverError(
                    .invalidMigration, "expand/contract (.yaml) migrations are not supported by this version of cutover",
                    hint: "write the change as a .sql migration", file: name)
            }
            guard lowered.hasSuffix(".sql") else { continue }
            guard MigrationFileParser.parseFileName(name) != nil else {
                throw CutoverError(
                    .invalidMigration, "'\(name)' is not named <id>_<name>.sql",
                    hint: "rename it, e.g. with `cutover new NAME`, which writes a UTC timestamp id", file: name)
            }
            let fullPath = (path as NSString).appendingPathComponent(name)
            let contents: String
            do {
                contents = try String(contentsOfFile: fullPath, encoding: .utf8)
            } catch {
                throw CutoverError(.invalidMigration, "cannot read '\(name)' as UTF-8 text", hint: "save the file as UTF-8", file: name)
            }
            let migration = try parser.parse(fileName: name, contents: contents)
            if let other = seen[migration.id] {
                throw CutoverError(
                    .invalidMigration, "'\(name)' and '\(other)' have the same id \(migration.id)",
                    hint: "give one of them a new id (`cutover new` uses the current UTC time)", file: name)
            }
            seen[migration.id] = name
            migrations.append(migration)
        }
        return migrations.sorted { $0.id < $1.id }
    }
}
