import Crypto
import CutoverCore
import Foundation
import Logging

/// Remembers parsed migration files between runs, so a command on a project with a thousand
/// migrations reads one cache file and checks each migration file's metadata instead of
/// opening, checksumming and splitting every file again.
///
/// A cached file is reused only when its device, inode, size, modification time and change
/// time (ctime, which no user can set back) are exactly what they were when it was parsed.
/// Any write to a file changes its ctime, so an edited file is always parsed again.
///
/// Like git's index, the cache guards against "racy" files: a file whose times are within
/// ``settleMargin`` of the moment it was read might still be written again within the same
/// clock tick without its times changing, so such a file is never stored and is parsed on
/// every run until it is older than that.
///
/// The cache is keyed by the running executable's identity as well, so a different build of
/// cutover (whose parser may split differently) never reuses another build's results.
///
/// The command-line tool and ``Deployment`` use ``standard(for:environment:)``; a
/// ``MigrationDirectory`` created by hand has no cache unless given one. Set `CUTOVER_NO_CACHE=1` to turn it off, or
/// `CUTOVER_CACHE_DIR` to choose its folder (default `$XDG_CACHE_HOME/cutover`, else
/// `~/.cache/cutover`). A missing, unreadable, corrupt or foreign cache file is ignored.
///
/// Measured for issue 12 (Benchmarks/README.md, "Speed code: measured, kept or removed"):
/// without the cache a no-op `migrate` or a `status --no-drift` of 1,000 migrations used
/// 1.6–1.8× the CPU (≈ +13 ms on ≈ 20 ms); the same cache stored as `Codable` JSON 1.65×,
/// as slow as no cache. So the cache, and its binary format (`MigrationCacheCodec`), stay.
public struct MigrationFileCache: Sendable {
    /// The cache file.
    public let path: String
    /// Files changed less than this long before they were read are not stored.
    public let settleMargin: Duration
    private let builtBy: String

    /// A cache for the migrations folder `directory`, stored in `cacheFolder`.
    ///
    /// ```swift
    /// let cache = MigrationFileCache(directory: "/srv/shop/migrations", cacheFolder: "/var/cache/shop")
    /// let migrations = try MigrationDirectory(path: "/srv/shop/migrations", cache: cache).load()
    /// ```
    ///
    /// - Parameters:
    ///   - directory: the migrations folder (its path names the cache file).
    ///   - cacheFolder: where the cache file is kept; created when missing.
    ///   - settleMargin: how old a file's times must be before it is stored (tests use zero).
    ///   - builtBy: identifies the build that parses; nil uses the running executable's identity.
    public init(directory: String, cacheFolder: String, settleMargin: Duration = .seconds(1), builtBy: String? = nil) {
        let key = SHA256.hex(Array(directory.utf8)).prefix(24)
        self.path = cacheFolder + "/migrations-" + key + ".cache"
        self.settleMargin = settleMargin
        self.builtBy = builtBy ?? Self.executableIdentity
    }

    /// The cache the command-line tool uses for `directory`, from the environment; nil when
    /// `CUTOVER_NO_CACHE` is set or no cache folder can be named.
    ///
    /// The folder is `$CUTOVER_CACHE_DIR`, else `$XDG_CACHE_HOME/cutover`, else
    /// `~/.cache/cutover`.
    ///
    /// ```swift
    /// let migrations = try MigrationDirectory(path: folder, cache: .standard(for: folder)).load()
    /// ```
    ///
    /// - Parameters:
    ///   - directory: the migrations folder the cache is for.
    ///   - environment: where `CUTOVER_NO_CACHE`, `CUTOVER_CACHE_DIR`, `XDG_CACHE_HOME` and
    ///     `HOME` are read from.
    /// - Returns: the cache, or nil when caching is off.
    public static func standard(for directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> MigrationFileCache? {
        if let off = environment["CUTOVER_NO_CACHE"], !off.isEmpty, off != "0" { return nil }
        let folder: String
        if let explicit = environment["CUTOVER_CACHE_DIR"], !explicit.isEmpty {
            folder = explicit
        } else if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            folder = xdg + "/cutover"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            folder = home + "/.cache/cutover"
        } else {
            return nil
        }
        return MigrationFileCache(directory: directory, cacheFolder: folder)
    }

    /// The entries stored by an earlier run, by file name; empty when there is no usable cache.
    func read() -> [String: CachedMigrationFile] {
        guard let bytes = PosixFile.read(path) else { return [:] }
        return MigrationCacheCodec.decode(bytes, builtBy: builtBy) ?? [:]
    }

    /// Replaces the cache with `entries`, atomically (Foundation's `.atomic` writes a
    /// temporary file and renames it over), so runners that read it at the same time see the
    /// old or the new cache, never a mix. Failures are logged and otherwise ignored: the
    /// cache only saves time.
    func write(_ entries: [String: CachedMigrationFile], logger: Logger) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(MigrationCacheCodec.encode(entries, builtBy: builtBy)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.debug("could not write the migration cache", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// Whether a file with these times may be stored, read at `readAt`.
    func isSettled(_ key: FileIdentity, readAt: FileIdentity.Timestamp) -> Bool {
        let newest = max(key.modified, key.changed)
        let margin = settleMargin.components
        let marginNanoseconds = margin.seconds * 1_000_000_000 + margin.attoseconds / 1_000_000_000
        return newest.nanoseconds + marginNanoseconds < readAt.nanoseconds
    }

    /// The running executable: its path, size and modification time (Linux `/proc/self/exe`);
    /// elsewhere the path of argument 0.
    static let executableIdentity: String = {
        #if os(Linux)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        #else
        let executable = CommandLine.arguments[0]
        #endif
        guard let identity = FileIdentity.of(executable) else { return "\(executable) \(CutoverVersion.current)" }
        return "\(executable) \(identity.size) \(identity.modified.nanoseconds) \(CutoverVersion.current)"
    }()
}

/// One parsed file and the metadata it had when it was read.
struct CachedMigrationFile: Sendable {
    var identity: FileIdentity
    var migration: Migration
}

/// What identifies one version of a file without reading it.
struct FileIdentity: Sendable, Equatable {
    /// Nanoseconds since 1970.
    struct Timestamp: Sendable, Comparable {
        var nanoseconds: Int64
        static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
        static var now: Timestamp {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
        }
    }

    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Timestamp
    var changed: Timestamp

    init(device: UInt64, inode: UInt64, size: Int64, modified: Timestamp, changed: Timestamp) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modified = Timestamp(nanoseconds: Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec))
        changed = Timestamp(nanoseconds: Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec))
        #else
        modified = Timestamp(nanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        changed = Timestamp(nanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
        #endif
    }

    /// The file at `path`, or nil when it cannot be examined.
    static func of(_ path: String) -> FileIdentity? {
        var info = stat()
        return stat(path, &info) == 0 ? FileIdentity(info) : nil
    }

    /// The file `name` in the open folder `folder`, or nil.
    static func of(_ name: String, in folder: Int32) -> FileIdentity? {
        var info = stat()
        return fstatat(folder, name, &info, 0) == 0 ? FileIdentity(info) : nil
    }

    /// The open file `descriptor`, or nil.
    static func of(descriptor: Int32) -> FileIdentity? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? FileIdentity(info) : nil
    }
}
