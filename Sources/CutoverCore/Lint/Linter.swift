/// Finds statements in migrations that would take strong locks on a live database, rewrite
/// a table, fail, or break application nodes still running the old code.
///
/// The linter reads SQL only; it never connects. It knows, for each statement:
///
/// - **the transaction**: a migration runs in one transaction unless it says
///   `-- cutover:no-transaction`, so `CREATE INDEX CONCURRENTLY` there is an error, and
///   ACCESS EXCLUSIVE locks on several tables pile up until commit;
/// - **new tables**: anything done to a table created earlier in the same migration is
///   fine (no rows, no readers);
/// - **the PostgreSQL version**: defaults are free since 11, `SET NOT NULL` can use a
///   validated CHECK since 12;
/// - **the dialect**: for SQLite, which locks the whole file for every write, only the
///   rules about breaking old code and failing statements run (see ``rules``).
///
/// `-- cutover:allow RULE` on the line above a statement silences that rule there (see
/// ``Migration/allowances``). `down` sections are linted too, after their up section (see
/// ``lint(_:dialect:)-(Migration,_)``): their findings say "down section" and are warnings
/// at most, since a rollback is run by hand, behind a backup and a confirmation; dropping
/// what the up section itself created is expected there and not reported.
///
/// ```swift
/// var configuration = Linter.Configuration()
/// configuration.postgresVersion = 15_00_00
/// configuration.lockTimeoutConfigured = config.safety.lockTimeout != nil
/// let findings = Linter(configuration: configuration).lint(migrations, dialect: PostgresDialect())
/// if findings.contains(where: { $0.severity == .error }) { … }
/// ```
///
/// ## Topics
/// ### Linting
/// - ``init(configuration:)``
/// - ``lint(_:dialect:)-(Migration,_)``
/// - ``lint(_:dialect:)-([Migration],_)``
/// ### Rules
/// - ``rules``
/// - ``Configuration``
public struct Linter: Sendable {
    /// What the linter cannot read from the SQL.
    ///
    /// ```swift
    /// let configuration = Linter.Configuration(postgresVersion: 11_00_00, lockTimeoutConfigured: true)
    /// ```
    public struct Configuration: Sendable, Equatable {
        /// The PostgreSQL version migrations will run on, as `server_version_num`
        /// (`150004` for 15.4); nil assumes ``assumedPostgresVersion``.
        public var postgresVersion: Int?
        /// Whether a lock timeout is in force for every migration (`[safety] lock_timeout`,
        /// or its 2 s default), so `require-lock-timeout` has nothing to report.
        public var lockTimeoutConfigured: Bool
        /// The target of a run, when the linter is the gate of one: errors that cannot hurt
        /// anyone there get a ``LintFinding/harmlessBecause``. Nil (`cutover lint FILES`): none do.
        public var target: LintTarget?

        /// The version assumed when ``postgresVersion`` is nil: 13, the oldest release the
        /// PostgreSQL project still supported when this linter was written.
        public static let assumedPostgresVersion = 13_00_00

        /// Creates a configuration.
        /// - Parameters:
        ///   - postgresVersion: `server_version_num` of the target server, or nil.
        ///   - lockTimeoutConfigured: Whether `[safety] lock_timeout` is set.
        public init(postgresVersion: Int? = nil, lockTimeoutConfigured: Bool = false) {
            self.postgresVersion = postgresVersion
            self.lockTimeoutConfigured = lockTimeoutConfigured
        }

        /// Creates a configuration from `cutover.toml`'s `[safety]` section: a lock timeout
        /// is in force unless `lock_timeout` turns it off (`"0"`, `"off"`); without the key
        /// Cutover applies its 2 s default.
        ///
        /// ```swift
        /// let linter = Linter(configuration: .init(safety: config.safety))
        /// ```
        ///
        /// - Parameters:
        ///   - safety: The `[safety]` settings.
        ///   - postgresVersion: `server_version_num` of the target server, or nil.
        public init(safety: CutoverCore.Configuration.Safety, postgresVersion: Int? = nil) {
            self.init(postgresVersion: postgresVersion, lockTimeoutConfigured: safety.lockTimeout.map { $0 > .zero } ?? false)
        }

        /// Reads a PostgreSQL version as users write it: `15`, `9.6`, `15.4`, or a
        /// `server_version_num` such as `150004`.
        ///
        /// ```swift
        /// Linter.Configuration.postgresVersionNumber("9.6")    // 90600
        /// Linter.Configuration.postgresVersionNumber("15")     // 150000
        /// ```
        ///
        /// - Parameter text: The version.
        /// - Returns: The version as `server_version_num`, or nil when `text` is not a version.
        public static func postgresVersionNumber(_ text: String) -> Int? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            let numbers = parts.map { $0! }
            // Parts of a dotted version are small; larger ones would overflow the arithmetic below.
            guard numbers.count == 1 || numbers.allSatisfy({ $0 < 1_000_000 }) else { return nil }
            switch numbers.count {
            case 1 where numbers[0] >= 10_000: return numbers[0]
            case 1 where numbers[0] >= 7: return numbers[0] * 10_000
            case 2 where numbers[0] >= 10: return numbers[0] * 10_000 + numbers[1]
            case 2 where numbers[0] >= 7: return numbers[0] * 10_000 + numbers[1] * 100
            case 3 where numbers[0] < 10: return numbers[0] * 10_000 + numbers[1] * 100 + numbers[2]
            default: return nil
            }
        }
    }

    /// What the linter knows beyond the SQL.
    public var configuration: Configuration

    /// Creates a linter.
    /// - Parameter configuration: The target version and whether a lock timeout is configured.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Every rule, in the order findings for one statement are reported.
    static let allRules: [any LintRule] = [
        RequireConcurrentIndexCreation(),
        RequireConcurrentIndexDeletion(),
        ConcurrentlyInTransaction(),
        ConstraintMissingNotValid(),
        DisallowedUniqueConstraint(),
        AddingNotNullableField(),
        AddingFieldWithVolatileDefault(),
        AddingRequiredField(),
        ChangingColumnType(),
        RenamingColumn(),
        RenamingTable(),
        BanDropColumn(),
        BanDropTable(),
        MultipleStrongLocksInTransaction(),
        RequireLockTimeout(),
    ]

    /// The rules, with their ids, severities and whether they run for SQLite.
    ///
    /// ```swift
    /// Linter.rules.map(\.id)   // ["require-concurrent-index-creation", …]
    /// ```
    public static var rules: [LintRuleDescription] {
        allRules.map {
            let rule = type(of: $0)
            return LintRuleDescription(id: rule.id, severity: rule.severity, summary: rule.summary, appliesToSQLite: rule.appliesBeyondPostgres)
        }
    }

    /// Lints one migration on its own: its up section, then its down section.
    ///
    /// ```swift
    /// let findings = Linter().lint(migration, dialect: PostgresDialect())
    /// ```
    ///
    /// - Parameters:
    ///   - migration: A parsed migration; its ``Migration/allowances`` silence findings.
    ///   - dialect: The database the migration is for; rules about PostgreSQL locks only
    ///     run for ``PostgresDialect``.
    /// - Returns: The findings in statement order.
    public func lint(_ migration: Migration, dialect: any Dialect) -> [LintFinding] {
        var knowledge = LintSchemaKnowledge()
        return lint(migration, dialect: dialect, knowledge: &knowledge)
    }

    /// Lints migrations in order, carrying what earlier ones say about the schema into the
    /// later ones: the column types a type change starts from, and the validated
    /// `CHECK (col IS NOT NULL)` constraints that make `SET NOT NULL` cheap. Tables created by
    /// an earlier migration are not new: by the time a later one runs they may hold rows.
    ///
    /// ```swift
    /// let findings = Linter().lint(try MigrationDirectory(path: "migrations").load(), dialect: PostgresDialect())
    /// ```
    ///
    /// - Parameters:
    ///   - migrations: Migrations in the order they apply (id order).
    ///   - dialect: The database they are for.
    /// - Returns: The findings, by migration then statement.
    public func lint(_ migrations: [Migration], dialect: any Dialect) -> [LintFinding] {
        var knowledge = LintSchemaKnowledge()
        return migrations.flatMap { lint($0, dialect: dialect, knowledge: &knowledge) }
    }

    private func lint(_ migration: Migration, dialect: any Dialect, knowledge: inout LintSchemaKnowledge) -> [LintFinding] {
        let isPostgres = dialect.name == PostgresDialect().name
        let rules = Self.allRules.filter { isPostgres || type(of: $0).appliesBeyondPostgres }
        let recognizer = LintRecognizer(
            lexerConfiguration: dialect.lexerConfiguration, foldsQuotedIdentifiers: dialect.name == SQLiteDialect().name)
        let version = configuration.postgresVersion ?? Configuration.assumedPostgresVersion
        var state = LintState(
            knowledge: knowledge, isTransactional: migration.isTransactional, lockTimeoutConfigured: configuration.lockTimeoutConfigured)
        var findings: [LintFinding] = []
        for statement in migration.up {
            let shape = recognizer.recognize(statement.sql)
            let linted = LintedStatement(statement: statement, shape: shape, state: state, dialect: dialect, postgresVersion: version)
            let allowed = migration.allowances[statement.line] ?? []
            for rule in rules where !allowed.contains(type(of: rule).id) {
                let hits = rule.check(linted)
                guard !hits.isEmpty else { continue }
                let note = type(of: rule).severity == .error
                    ? configuration.target?.note(type(of: rule).harmless, locks: linted.locks, createdInRun: state.knowledge.createdTables) : nil
                for hit in hits {
                    findings.append(
                        LintFinding(
                            rule: type(of: rule).id, severity: type(of: rule).severity, file: migration.fileName, line: statement.line,
                            migrationID: migration.id, statement: statement.sql, message: hit.message, lock: hit.lock, why: hit.why,
                            safeRewrite: hit.safeRewrite, harmlessBecause: note))
                }
            }
            state.apply(shape, locks: linted.locks)
        }
        knowledge = state.knowledge
        return findings + lintDownSection(of: migration, dialect: dialect, knowledge: knowledge)
    }
}
