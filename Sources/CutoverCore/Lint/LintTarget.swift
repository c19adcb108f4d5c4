/// What the target database tells the lint gate of a run (`migrate`, `promote`, `validate`):
/// the size of each table, and the `[safety] small_table` threshold.
///
/// A blocking finding cannot hurt anyone when every table its statement locks was created
/// by a pending migration of the same run (no rows, no application reads it yet), or, for
/// the rules about how long a lock is held (index builds, scans, rewrites), is smaller than
/// `small_table` in the target. With a target, such findings carry a ``LintFinding/note``
/// that says why, and the gate lets them through. `cutover lint FILES` has no target and
/// reports them as before.
///
/// ```swift
/// var configuration = Linter.Configuration(safety: config.safety, postgresVersion: db.serverVersion)
/// configuration.target = LintTarget(smallTableBytes: config.safety.smallTableBytes, tableSizes: sizes)
/// let findings = Linter(configuration: configuration).lint(pending, dialect: db.dialect)
/// let blocking = findings.filter(\.isBlocking)
/// ```
public struct LintTarget: Sendable, Equatable {
    /// One table of the target and its size on disk.
    public struct TableSize: Sendable, Hashable {
        /// The schema; nil (or `public`, SQLite's `main`) for the default one.
        public var schema: String?
        /// The table name as the catalog spells it.
        public var name: String
        /// Its size in bytes (PostgreSQL: `pg_total_relation_size`: heap, TOAST and indexes).
        public var bytes: Int64

        /// Creates a table size.
        public init(schema: String?, name: String, bytes: Int64) {
            self.schema = schema
            self.name = name
            self.bytes = bytes
        }
    }

    /// Tables below this many bytes are small; 0 makes no table small.
    public var smallTableBytes: Int64
    /// The size of every table the target has. A table missing here does not exist there.
    var sizes: [LintTableName: Int64]

    /// Creates a target description.
    /// - Parameters:
    ///   - smallTableBytes: `[safety] small_table` in bytes.
    ///   - tableSizes: every table of the target with its size; a table created by a pending
    ///     migration is only taken as new when the target does not have it yet.
    public init(smallTableBytes: Int64, tableSizes: [TableSize]) {
        self.smallTableBytes = smallTableBytes
        var sizes: [LintTableName: Int64] = [:]
        for table in tableSizes { sizes[LintTableName(schema: table.schema, name: table.name)] = table.bytes }
        self.sizes = sizes
    }

    /// Why the statement's finding from a rule that is harmless `when` cannot hurt anyone, or
    /// nil when one of the tables it locks may hold rows or readers that it would hurt.
    func note(_ when: LintHarmlessness, locks: [LintTableLock], createdInRun: Set<LintTableName>) -> String? {
        guard when != .never, !locks.isEmpty else { return nil }
        var reasons: [String] = []
        for lock in locks {
            guard let table = lock.table else { return nil }
            let size = sizes[table]
            if createdInRun.contains(table) && size == nil {
                reasons.append("table \(table) is created in this run")
            } else if when == .smallTable, let size, size < smallTableBytes {
                reasons.append("table \(table) is \(ByteSize.formatted(size)) in the target (under small_table \(ByteSize.formatted(smallTableBytes)))")
            } else {
                return nil
            }
        }
        return reasons.joined(separator: "; ")
    }
}

/// When a rule's blocking finding cannot hurt anyone on the target (``LintTarget``).
enum LintHarmlessness: Sendable, Equatable {
    /// Never: the statement fails or breaks old code whatever the table holds.
    case never
    /// On a table created earlier in the same run (no rows, no readers): rules about
    /// statements that fail on existing rows, or wait on other sessions' locks.
    case newTable
    /// On a new table or one under `small_table`: rules about how long a lock is held
    /// (an index build, a validating scan, a rewrite), which is short on a small table.
    case smallTable
}
