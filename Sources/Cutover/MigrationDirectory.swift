import CutoverCore
import Dispatch
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
        var files: [String] = []
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
            files.append(name)
        }
        var migrations: [Migration] = []
        migrations.reserveCapacity(files.count)
        var seen: [MigrationID: String] = [:]
        // Errors are reported for the first bad file in name order, as a serial read would.
        for (name, parsed) in zip(files, parseAll(files)) {
            let migration = try parsed.get()
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

    /// Reads and parses the files on every core: a project with a thousand migrations
    /// parses and checksums all of them on every command.
    private func parseAll(_ names: [String]) -> [Result<Migration, CutoverError>] {
        let results = UnsafeMutableBufferPointer<Result<Migration, CutoverError>?>.allocate(capacity: names.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results  // each iteration writes only its own slot
        let directory = path
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            slots[index] = Result { () throws(CutoverError) in try Self.parse(names[index], in: directory) }
        }
        return results.map { $0! }
    }

    private static func parse(_ name: String, in directory: String) throws(CutoverError) -> Migration {
        guard let bytes = readFile(directory + "/" + name), let contents = String(validating: bytes, as: UTF8.self) else {
            throw CutoverError(.invalidMigration, "cannot read '\(name)' as UTF-8 text", hint: "save the file as UTF-8", file: name)
        }
        do {
            return try MigrationFileParser().parse(fileName: name, contents: contents)
        } catch let error as CutoverError {
            throw error
        } catch {
            throw CutoverError(.invalidMigration, "cannot parse '\(name)': \(error)", hint: "check the file", file: name)
        }
    }

    /// The whole file, read with plain POSIX calls; nil when it cannot be read.
    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
