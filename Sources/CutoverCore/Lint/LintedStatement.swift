/// A lock a statement takes on a table that existed before the migration.
struct LintTableLock: Sendable, Equatable {
    /// The table; nil when it is not known (`DROP INDEX name` names only the index).
    var table: LintTableName?
    /// How the locked object is named in messages (`orders`, `the table of index orders_idx`).
    var object: String
    var mode: LintLockMode

    var description: String { "\(mode.name) on \(object)" }
}

/// What a rule sees: one statement, its recognised shape, the locks it takes on existing
/// tables, and the migration's state just before it.
struct LintedStatement: Sendable {
    let statement: SQLStatement
    let shape: LintStatement
    let state: LintState
    let locks: [LintTableLock]
    let isPostgres: Bool
    let dialect: any Dialect
    /// The PostgreSQL version rules follow: configured, else ``Linter/Configuration/assumedPostgresVersion``.
    let postgresVersion: Int

    init(statement: SQLStatement, shape: LintStatement, state: LintState, dialect: any Dialect, postgresVersion: Int) {
        self.statement = statement
        self.shape = shape
        self.state = state
        self.dialect = dialect
        self.isPostgres = dialect.name == PostgresDialect().name
        self.postgresVersion = postgresVersion
        self.locks = isPostgres ? Self.locks(of: shape, state: state) : []
    }

    /// The lock described for a finding on `table`: the strongest this statement takes there.
    func lock(on table: LintTableName) -> String {
        guard isPostgres else { return "the database's write lock (SQLite locks the whole file for every write)" }
        let modes = locks.filter { $0.table == table }.map(\.mode)
        return modes.max().map { "\($0.name) on \(table) (\($0.effect))" } ?? "none on \(table)"
    }

    /// The table-level locks a statement takes on tables that existed before the migration
    /// (the lock tables of https://www.postgresql.org/docs/current/explicit-locking.html and
    /// each command's reference page).
    static func locks(of shape: LintStatement, state: LintState) -> [LintTableLock] {
        var locks: [LintTableLock] = []
        func add(_ table: LintTableName, _ mode: LintLockMode) {
            guard !state.isNew(table) else { return }
            if let index = locks.firstIndex(where: { $0.table == table }) {
                locks[index].mode = max(locks[index].mode, mode)
            } else {
                locks.append(LintTableLock(table: table, object: table.description, mode: mode))
            }
        }
        switch shape {
        case .createTable(let create):
            // Adding a foreign key takes SHARE ROW EXCLUSIVE on the referenced table.
            for table in create.referencedTables where table != create.name { add(table, .shareRowExclusive) }
        case .createIndex(let create):
            add(create.table, create.isConcurrent ? .shareUpdateExclusive : .share)
        case .dropIndex(let drop):
            for index in drop.names {
                let mode: LintLockMode = drop.isConcurrent ? .shareUpdateExclusive : .accessExclusive
                if let table = state.indexTables[index] {
                    add(table, mode)
                } else {
                    locks.append(LintTableLock(table: nil, object: "the table of index \(index)", mode: mode))
                }
            }
        case .dropTable(let tables):
            for table in tables { add(table, .accessExclusive) }
        case .lockTables(let tables, let mode):
            for table in tables { add(table, mode) }
        case .reindex(let table, let index):
            // REINDEX blocks writes to the table (SHARE) and reads through the index.
            if let table { add(table, .share) }
            if let index {
                if let table = state.indexTables[index] { add(table, .share) } else {
                    locks.append(LintTableLock(table: nil, object: "the table of index \(index)", mode: .share))
                }
            }
        case .alterTable(let alter):
            for action in alter.actions {
                switch action {
                case .addConstraint(let constraint):
                    if case .foreignKey(let referenced) = constraint.kind {
                        add(alter.table, .shareRowExclusive)
                        if let referenced { add(referenced, .shareRowExclusive) }
                    } else {
                        add(alter.table, .accessExclusive)
                    }
                case .addColumn(let column):
                    add(alter.table, .accessExclusive)
                    if let referenced = column.references { add(referenced, .shareRowExclusive) }
                case .validateConstraint:
                    add(alter.table, .shareUpdateExclusive)
                case .other(_, let mode):
                    add(alter.table, mode)
                case .dropColumn, .alterColumnType, .setNotNull, .dropConstraint, .renameColumn, .renameTable:
                    add(alter.table, .accessExclusive)
                }
            }
        case .setting, .other:
            break
        }
        return locks
    }
}
