/// The contents of `cutover.toml`, validated.
///
/// ```toml
/// migrations = "migrations"
/// default_env = "dev"
///
/// [safety]
/// lock_timeout = "2s"
/// statement_timeout = "0"
/// lock_retries = 5
///
/// [env.dev]
/// url = "sqlite:dev.sqlite3"
/// ```
///
/// Built by ``ConfigurationParser``; URLs keep their `${VAR}` references until an
/// environment is selected, so a variable that only production uses need not be set on a
/// developer's machine.
public struct Configuration: Sendable {
    /// The config file this came from (for messages), or nil for defaults.
    public var file: String?
    /// The folder relative paths are resolved against (the config file's folder).
    public var baseDirectory: String
    /// The migrations folder as written (relative to ``baseDirectory`` unless absolute).
    public var migrations: String = "migrations"
    /// The environment used when neither `--env` nor `DATABASE_URL` is given.
    public var defaultEnv: String?
    /// Timeouts and retries applied while migrating.
    public var safety = Safety()
    /// `[backup]`: when `migrate` takes backups, where they go, how many to keep.
    public var backup = Backup()
    /// `[dump]`: the schema file `migrate` and `cutover dump` keep in the repository.
    public var dump = Dump()
    /// Environments by name.
    public var environments: [String: Environment] = [:]
    /// Settings that this version reads but does not act on yet, with the reason; printed
    /// as warnings so nobody believes they are in effect.
    public var ignoredSettings: [String] = []

    /// Creates a configuration with defaults.
    public init(file: String?, baseDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// The migrations folder as an absolute path.
    public var migrationsDirectory: String { Paths.resolve(migrations, against: baseDirectory) }

    /// The backup folder (`[backup] dir`) as an absolute path.
    public var backupDirectory: String { Paths.resolve(backup.directory, against: baseDirectory) }

    /// The schema file (`[dump] schema`) as an absolute path; nil when none is configured.
    public var schemaDumpPath: String? { dump.schema.map { Paths.resolve($0, against: baseDirectory) } }
}

extension Configuration {
    /// `[dump]`: the normalised schema written into the repository after every migrate
    /// (and by `cutover dump`), so a pull request shows what its migrations change.
    ///
    /// ```toml
    /// [dump]
    /// schema = "schema.sql"  # relative to cutover.toml's folder
    /// ```
    ///
    /// Without a `[dump]` section (or without `schema`), no file is written.
    public struct Dump: Sendable, Equatable {
        /// `schema`, as written (relative to the config file's folder unless absolute); nil
        /// when no schema file is kept.
        public var schema: String?
        /// The line of `schema` in the config file, when there is one.
        public var line: Int?

        public init() {}
    }
}

extension Configuration {
    /// `[backup]`: backups `cutover migrate` takes, and where all backups go.
    ///
    /// ```toml
    /// [backup]
    /// mode = "before"        # off | before | before-and-after
    /// dir = "backups"        # relative to cutover.toml's folder
    /// keep = 20              # older ones are removed once a newer one is verified
    /// ```
    ///
    /// Without a `[backup]` section, `mode` is `off`; a `[backup]` section without `mode`
    /// means `before`.
    public struct Backup: Sendable, Equatable {
        /// When `cutover migrate` takes a backup.
        public enum Mode: String, Sendable, CaseIterable {
            /// Never (`cutover backup` still works).
            case off
            /// Before applying migrations; if it fails, nothing is applied.
            case before
            /// Before, and again after a run that applied something.
            case beforeAndAfter = "before-and-after"
        }

        /// `mode`.
        public var mode: Mode = .off
        /// `dir`, as written (relative to the config file's folder unless absolute).
        public var directory: String = "backups"
        /// `keep`: how many backups per environment to keep; nil keeps all.
        public var keep: Int?
        /// The line of `[backup]` in the config file, when there is one.
        public var line: Int?

        public init() {}
    }
}

extension Configuration {
    /// `[safety]`: how long statements may wait for locks, and how often to retry.
    public struct Safety: Sendable, Equatable {
        /// The lock timeout applied when `[safety]` does not set `lock_timeout`: 2 s, with
        /// the `lock_retries` retries, so no ALTER waits behind a long query unprotected.
        public static let defaultLockTimeout: Duration = .seconds(2)
        /// The `small_table` threshold when `[safety]` does not set one: 10 MB.
        public static let defaultSmallTableBytes: Int64 = 10 * 1024 * 1024

        /// `lock_timeout`, set for every migration; ``defaultLockTimeout`` when not
        /// configured, nil when turned off (`lock_timeout = "0"` or `"off"`).
        public var lockTimeout: Duration? = Safety.defaultLockTimeout
        /// Whether ``lockTimeout`` is the default (no `lock_timeout` key in `[safety]`).
        public var lockTimeoutIsDefault = true
        /// `small_table`: the lint gate of `migrate` lets through blocking findings on tables
        /// whose size in the target is below this many bytes (PostgreSQL:
        /// `pg_total_relation_size`, so indexes and TOAST count); 0 turns that off.
        public var smallTableBytes: Int64 = Safety.defaultSmallTableBytes
        /// `statement_timeout`, set for every migration; nil when not configured (`"0"` = none).
        public var statementTimeout: Duration?
        /// `lock_retries`: retries after a lock timeout, with exponential backoff and jitter.
        public var lockRetries: Int = 5
        /// `lock_wait`: how long a run waits for another run's migration lock.
        public var lockWait: Duration = .seconds(60)
        /// `connect_timeout`: how long to wait for the server to answer.
        public var connectTimeout: Duration = .seconds(10)
        /// `revert_window`: how long `cutover complete` keeps the old shape of an
        /// expand/contract migration, in sync, so `cutover revert` can bring it back; nil: none
        /// (complete drops it at once).
        public var revertWindow: Duration?
        /// `index_build_workers`: the parallel workers an index build of the expand phase may
        /// start besides its own process (PostgreSQL's `max_parallel_maintenance_workers` for
        /// the build's session). 0 by default: one core builds and the others stay with the
        /// application (on 2 cores, two workers took the application to 11 % of its rate); nil
        /// (`"server"`): the server's setting, for a large server where a faster build costs
        /// the application little.
        public var indexBuildWorkers: Int? = 0

        public init() {}
    }

    /// `[env.NAME]`: one database.
    public struct Environment: Sendable, Equatable {
        /// The name after `env.`.
        public var name: String
        /// The URL as written, `${VAR}` references not yet resolved.
        public var url: String
        /// The line of `url` in the config file.
        public var line: Int
        /// `rehearse = true`: `cutover migrate` first rehearses on a clone and stops if that fails.
        public var rehearse = false

        public init(name: String, url: String, line: Int) {
            self.name = name
            self.url = url
            self.line = line
        }
    }
}

/// Path helpers that do no I/O.
public enum Paths {
    /// `path` if absolute, else `base/path`, with `./` segments removed.
    public static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") { return path }
        var trimmed = Substring(path)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        if trimmed.isEmpty || trimmed == "." { return base }
        let rest = String(trimmed)
        return base.hasSuffix("/") ? base + rest : base + "/" + rest
    }
}
