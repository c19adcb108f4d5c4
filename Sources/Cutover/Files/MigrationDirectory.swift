import CutoverCore
import Foundation
import Logging

/// Reads the migrations folder: every `<id>_<name>.sql` file, parsed and ordered by id.
///
/// With a ``MigrationFileCache``, files whose metadata has not changed since an earlier run
/// are taken from the cache instead of being read and parsed again.
public struct MigrationDirectory: Sendable {
    /// The folder's absolute path.
    public let path: String
    /// Where parsed files are remembered between runs; nil reads every file every time.
    public let cache: MigrationFileCache?
    private let logger: Logger

    /// A migrations folder.
    ///
    /// ```swift
    /// let migrations = try MigrationDirectory(path: config.migrationsDirectory).load()
    /// ```
    ///
    /// - Parameters:
    ///   - path: the folder (`config.migrationsDirectory` for the configured one).
    ///   - cache: remembers parsed files between runs; nil (the default) parses every file.
    ///   - logger: where cache misses and reads are logged at debug level.
    public init(path: String, cache: MigrationFileCache? = nil, logger: Logger = Logger(label: "cutover.migrations")) {
        self.path = path
        self.cache = cache
        self.logger = logger
    }

    /// How a ``MigrationDirectory/load()`` went: how many files were parsed and how many came
    /// from the cache.
    public struct LoadStatistics: Sendable, Equatable {
        /// Files read and parsed.
        public var parsed: Int
        /// Files taken from the cache.
        public var fromCache: Int

        /// Statistics of a load.
        public init(parsed: Int, fromCache: Int) {
            self.parsed = parsed
            self.fromCache = fromCache
        }
    }

    /// Loads and parses every migration file, in id order.
    /// - Returns: the migrations, ordered by id.
    /// - Throws: `CutoverError` `.missingMigrations` when the folder does not exist,
    ///   `.invalidMigration` for a badly named or malformed file or a duplicate id.
    public func load() throws -> [Migration] {
        try loadWithStatistics().migrations
    }

    /// ``load()``, also telling how many files came from the cache.
    ///
    /// ```swift
    /// let (migrations, statistics) = try directory.loadWithStatistics()
    /// print("\(migrations.count) migrations, \(statistics.fromCache) from the cache")
    /// ```
    ///
    /// - Returns: the migrations, ordered by id, and how many were parsed or cached.
    /// - Throws: what ``load()`` throws.
    public func loadWithStatistics() throws -> (migrations: [Migration], statistics: LoadStatistics) {
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else {
            if errno == ENOENT || errno == ENOTDIR {
                throw CutoverError(
                    .missingMigrations, "the migrations folder '\(path)' does not exist",
                    hint: "run `cutover init`, or set migrations = \"…\" in cutover.toml")
            }
            throw CutoverError(.missingMigrations, "cannot open the migrations folder '\(path)': \(String(cString: strerror(errno)))", hint: "check its permissions")
        }
        defer { close(folder) }
        guard let listed = PosixFile.names(in: folder) else {
            throw CutoverError(.missingMigrations, "cannot list the migrations folder '\(path)'", hint: "check its permissions")
        }
        // Every problem is reported for the first file in name order, as a serial read would:
        // badly named files first, then unreadable files and duplicate ids.
        var naming = FirstProblem()
        var files: [(id: MigrationID, name: String)] = []
        files.reserveCapacity(listed.count)
        for name in listed {
            if name.utf8.first == UInt8(ascii: ".") { continue }
            if Self.hasSuffix(name, ".yaml") || Self.hasSuffix(name, ".yml") {
                // Expand/contract migrations run through `cutover start` / `complete`
                // (ExpandContractFile), not through the .sql engine; a misnamed one is still an error.
                if name.split(separator: "_", maxSplits: 1).count < 2 || name.split(separator: "_", maxSplits: 1).first.flatMap({ MigrationID($0) }) == nil {
                    naming.note(CutoverError(
                        .invalidMigration, "'\(name)' is not named <id>_<name>.yaml",
                        hint: "rename it, e.g. with `cutover new NAME --ops`, which writes a UTC timestamp id", file: name), file: name)
                }
                continue
            }
            guard Self.hasSuffix(name, ".sql") else { continue }
            guard let parsed = MigrationFileParser.parseFileName(name) else {
                naming.note(CutoverError(
                    .invalidMigration, "'\(name)' is not named <id>_<name>.sql",
                    hint: "rename it, e.g. with `cutover new NAME`, which writes a UTC timestamp id", file: name), file: name)
                continue
            }
            files.append((parsed.id, name))
        }
        try naming.throwIfAny()
        // Id order, names breaking ties: the result's order, and duplicate ids end up side by side.
        files = Self.sortedByID(files)
        let readAt = FileIdentity.Timestamp.now
        let cached = cache?.read() ?? [:]
        var results = [ParsedFile?](repeating: nil, count: files.count)
        var toParse: [Int] = []
        let identities = cached.isEmpty ? [] : Self.identities(of: files.map(\.name), in: folder)
        for (index, file) in files.enumerated() {
            if let entry = cached[file.name], let identity = identities[index], identity == entry.identity {
                results[index] = ParsedFile(result: .success(entry.migration), identity: identity)
            } else {
                toParse.append(index)
            }
        }
        for (index, parsed) in zip(toParse, parseAll(toParse.map { files[$0].name }, in: folder)) {
            results[index] = parsed
        }
        let statistics = LoadStatistics(parsed: toParse.count, fromCache: files.count - toParse.count)
        var migrations: [Migration] = []
        migrations.reserveCapacity(files.count)
        var contents = FirstProblem()
        // Nothing to store when every file came from the cache and the cache has no others.
        let storing = cache != nil && (!toParse.isEmpty || cached.count != files.count)
        var store: [String: CachedMigrationFile] = [:]
        for (index, file) in files.enumerated() {
            let parsed = results[index]!
            let migration: Migration
            switch parsed.result {
            case .success(let value): migration = value
            case .failure(let error):
                contents.note(error, file: file.name)
                continue
            }
            if storing, let cache, let identity = parsed.identity, cache.isSettled(identity, readAt: readAt) {
                store[file.name] = CachedMigrationFile(identity: identity, migration: migration)
            }
            if index > 0, files[index - 1].id == file.id {
                let other = files[index - 1].name
                contents.note(CutoverError(
                    .invalidMigration, "'\(file.name)' and '\(other)' have the same id \(file.id)",
                    hint: "give one of them a new id (`cutover new` uses the current UTC time)", file: file.name), file: file.name)
            }
            migrations.append(migration)
        }
        try contents.throwIfAny()
        // Rewrite the cache only when it would hold something else: a file parsed now and
        // settled, or one that is gone or no longer settled.
        if storing, let cache, store.count != cached.count || toParse.contains(where: { store[files[$0].name] != nil }) {
            cache.write(store, logger: logger)
        }
        return (migrations, statistics)
    }

    /// `files` in id order, names breaking ties. Ids of up to 19 digits (all timestamp ids)
    /// are sorted as plain numbers paired with positions, which moves no strings.
    private static func sortedByID(_ files: [(id: MigrationID, name: String)]) -> [(id: MigrationID, name: String)] {
        var keys: [(value: UInt64, position: Int)] = []
        keys.reserveCapacity(files.count)
        for position in files.indices {
            guard let value = files[position].id.value else {
                return files.sorted { $0.id == $1.id ? $0.name.precedesBytewise($1.name) : $0.id < $1.id }
            }
            keys.append((value, position))
        }
        keys.sort { $0.value != $1.value ? $0.value < $1.value : files[$0.position].name.precedesBytewise(files[$1.position].name) }
        return keys.map { files[$0.position] }
    }

    /// The problem found for the first file in name order (bytewise), of those noted.
    private struct FirstProblem {
        private var file: String?
        private var error: CutoverError?

        mutating func note(_ error: CutoverError, file: String) {
            if let earlier = self.file, !file.precedesBytewise(earlier) { return }
            self.file = file
            self.error = error
        }

        func throwIfAny() throws {
            if let error { throw error }
        }
    }

    /// Whether `name` ends in `suffix` (lowercase ASCII), ignoring ASCII case.
    private static func hasSuffix(_ name: String, _ suffix: StaticString) -> Bool {
        let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        let bytes = name.utf8
        guard bytes.count >= tail.count else { return false }
        return zip(bytes.suffix(tail.count), tail).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }

    /// One file's parse result, and the file's identity when it was read (nil if it could not be examined).
    private struct ParsedFile {
        var result: Result<Migration, CutoverError>
        var identity: FileIdentity?
    }

    /// Every file's identity (nil when it cannot be examined).
    private static func identities(of names: [String], in folder: Int32) -> [FileIdentity?] {
        names.map { FileIdentity.of($0, in: folder) }
    }

    /// Reads and parses the files, in order.
    private func parseAll(_ names: [String], in folder: Int32) -> [ParsedFile] {
        names.map { Self.parse($0, in: folder) }
    }

    /// Reads and parses one file. The identity is taken before and after the read; it is
    /// returned only when both agree, so a file written meanwhile is never cached.
    ///
    /// Only a regular file (or a link to one) is opened: a FIFO would block the read
    /// forever, and a directory or a broken link is reported as what it is.
    private static func parse(_ name: String, in folder: Int32) -> ParsedFile {
        let descriptor: Int32
        switch RegularFile.open(name, in: folder) {
        case .success(let opened): descriptor = opened
        case .failure(let problem):
            return ParsedFile(
                result: .failure(CutoverError(
                    .invalidMigration, "'\(name)' is named like a migration but \(problem.description)",
                    hint: RegularFile.hint(for: problem), file: name)),
                identity: nil)
        }
        let before = FileIdentity.of(descriptor: descriptor)
        let bytes = PosixFile.read(descriptor: descriptor)
        let after = FileIdentity.of(descriptor: descriptor)
        close(descriptor)
        let identity = before != nil && before == after ? before : nil
        guard let bytes else {
            return ParsedFile(result: .failure(CutoverError(.invalidMigration, "cannot read '\(name)'", hint: "check the file's permissions", file: name)), identity: nil)
        }
        guard let contents = String(validating: bytes, as: UTF8.self) else {
            return ParsedFile(result: .failure(CutoverError(.invalidMigration, "cannot read '\(name)' as UTF-8 text", hint: "save the file as UTF-8", file: name)), identity: nil)
        }
        do {
            return ParsedFile(result: .success(try MigrationFileParser().parse(fileName: name, contents: contents)), identity: identity)
        } catch let error as CutoverError {
            return ParsedFile(result: .failure(error), identity: nil)
        } catch {
            return ParsedFile(result: .failure(CutoverError(.invalidMigration, "cannot parse '\(name)': \(ErrorDescription.of(error))", hint: "check the file", file: name)), identity: nil)
        }
    }
}
