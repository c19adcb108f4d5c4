/// What earlier migrations tell about the schema: column types (so a type change can be
/// recognised as one of the safe ones) and `CHECK (col IS NOT NULL)` constraints (so
/// `SET NOT NULL` after a validated one is known to skip its scan). Carried from one
/// migration to the next by ``Linter/lint(_:dialect:)-([Migration],_)``.
struct LintSchemaKnowledge: Sendable {
    struct ConstraintKey: Hashable, Sendable {
        var table: LintTableName
        var name: String
    }

    struct ColumnKey: Hashable, Sendable {
        var table: LintTableName
        var column: String
    }

    var columnTypes: [LintTableName: [String: LintTypeName]] = [:]
    /// Tables created by the migrations linted so far (and not dropped since): in a run,
    /// tables the target gets only now (``LintTarget``).
    var createdTables: Set<LintTableName> = []
    /// `CHECK (col IS NOT NULL)` constraints by name, with whether they are validated.
    var notNullChecks: [ConstraintKey: (column: String, isValidated: Bool)] = [:]

    func hasValidatedNotNullCheck(_ table: LintTableName, _ column: String) -> Bool {
        notNullChecks.contains { $0.key.table == table && $0.value.column == column && $0.value.isValidated }
    }

    mutating func renameTable(_ table: LintTableName, to new: LintTableName) {
        columnTypes[new] = columnTypes.removeValue(forKey: table)
        if createdTables.remove(table) != nil { createdTables.insert(new) }
        for (key, value) in notNullChecks where key.table == table {
            notNullChecks.removeValue(forKey: key)
            notNullChecks[ConstraintKey(table: new, name: key.name)] = value
        }
    }

    mutating func dropTable(_ table: LintTableName) {
        columnTypes.removeValue(forKey: table)
        createdTables.remove(table)
        notNullChecks = notNullChecks.filter { $0.key.table != table }
    }
}

/// The linter's view of one migration while it walks the statements in order: which
/// tables are new, whether a lock timeout is in force, what earlier statements of the same
/// transaction locked. A rule sees the state as it was before its statement.
struct LintState: Sendable {
    var knowledge: LintSchemaKnowledge
    let isTransactional: Bool
    let lockTimeoutConfigured: Bool

    /// Tables created earlier in this migration: no rows and no readers yet.
    var newTables: Set<LintTableName> = []
    /// Indexes created earlier in this migration, with their table.
    var indexTables: [LintTableName: LintTableName] = [:]
    /// The lock_timeout the migration itself set (true: non-zero), nil when it set none.
    var migrationLockTimeout: Bool?
    /// Whether the migration set TimeZone to UTC.
    var timeZoneIsUTC = false
    /// Existing tables already locked ACCESS EXCLUSIVE in this transaction, in order.
    var exclusivelyLockedTables: [LintTableName] = []
    /// Constraints added NOT VALID to existing tables earlier in this transaction.
    var notValidConstraints: Set<LintSchemaKnowledge.ConstraintKey> = []
    /// Whether an earlier statement already took a lock that blocks writes with no lock timeout.
    var unprotectedStrongLockSeen = false

    init(knowledge: LintSchemaKnowledge, isTransactional: Bool, lockTimeoutConfigured: Bool) {
        self.knowledge = knowledge
        self.isTransactional = isTransactional
        self.lockTimeoutConfigured = lockTimeoutConfigured
    }

    func isNew(_ table: LintTableName) -> Bool { newTables.contains(table) }

    /// Whether a lock_timeout is in force for the next statement. In a transactional
    /// migration Cutover runs `SET LOCAL lock_timeout` from `[safety]` first, and any later
    /// `SET [LOCAL] lock_timeout` in the migration replaces it. In a no-transaction migration
    /// each statement runs in its own transaction that sets the configured timeout again, so
    /// only a session-level `SET lock_timeout` in the file can add one; a `SET LOCAL`
    /// ends with its own statement (https://www.postgresql.org/docs/current/sql-set.html).
    var isLockTimeoutActive: Bool {
        isTransactional ? (migrationLockTimeout ?? lockTimeoutConfigured) : (lockTimeoutConfigured || migrationLockTimeout == true)
    }

    /// Records the effects of `statement` (which took `locks`) for the statements after it.
    mutating func apply(_ statement: LintStatement, locks: [LintTableLock]) {
        if locks.contains(where: { $0.mode.blocksWrites }) && !isLockTimeoutActive { unprotectedStrongLockSeen = true }
        if isTransactional {
            for lock in locks where lock.mode == .accessExclusive {
                if let table = lock.table, !exclusivelyLockedTables.contains(table) { exclusivelyLockedTables.append(table) }
            }
        }
        switch statement {
        case .createTable(let create):
            newTables.insert(create.name)
            knowledge.createdTables.insert(create.name)
            var columns: [String: LintTypeName] = [:]
            for column in create.columns { if let type = column.type { columns[column.name] = type } }
            knowledge.columnTypes[create.name] = columns
        case .createIndex(let create):
            if let name = create.name { indexTables[name] = create.table }
        case .dropTable(let tables):
            for table in tables {
                newTables.remove(table)
                knowledge.dropTable(table)
            }
        case .alterTable(let alter):
            apply(alter)
        case .setting(let setting):
            applySetting(setting)
        default:
            break
        }
    }

    private mutating func apply(_ alter: LintStatement.AlterTable) {
        var table = alter.table
        for action in alter.actions {
            switch action {
            case .addColumn(let column):
                if let type = column.type { knowledge.columnTypes[table, default: [:]][column.name] = type }
            case .dropColumn(let column):
                knowledge.columnTypes[table]?.removeValue(forKey: column)
            case .alterColumnType(let column, let type, _):
                knowledge.columnTypes[table, default: [:]][column] = type
            case .renameColumn(let from, let to):
                if let type = knowledge.columnTypes[table]?.removeValue(forKey: from) { knowledge.columnTypes[table]?[to] = type }
            case .renameTable(let new):
                // RENAME TO keeps the schema: the new name is never qualified.
                let renamed = LintTableName(schema: table.schema, name: new.name)
                if newTables.remove(table) != nil { newTables.insert(renamed) }
                for (index, indexed) in indexTables where indexed == table { indexTables[index] = renamed }
                knowledge.renameTable(table, to: renamed)
                table = renamed
            case .addConstraint(let constraint):
                if let name = constraint.name {
                    let key = LintSchemaKnowledge.ConstraintKey(table: table, name: name)
                    if case .check(let column?) = constraint.kind {
                        knowledge.notNullChecks[key] = (column, !constraint.isNotValid)
                    }
                    if constraint.isNotValid && isTransactional && !isNew(table) { notValidConstraints.insert(key) }
                }
            case .validateConstraint(let name):
                let key = LintSchemaKnowledge.ConstraintKey(table: table, name: name)
                knowledge.notNullChecks[key]?.isValidated = true
            case .dropConstraint(let name):
                knowledge.notNullChecks.removeValue(forKey: .init(table: table, name: name))
            case .setNotNull, .other:
                break
            }
        }
    }

    private mutating func applySetting(_ setting: LintStatement.Setting) {
        // A SET LOCAL in a no-transaction migration lasts only for its own statement.
        guard isTransactional || !setting.isLocal else { return }
        switch setting.name {
        case "lock_timeout":
            migrationLockTimeout = setting.value.map(Self.isNonZeroDuration) ?? false
        case "timezone":
            timeZoneIsUTC = setting.value.map { ["utc", "etc/utc", "gmt", "etc/gmt", "uct", "zulu", "z"].contains($0.lowercased()) } ?? false
        default:
            break
        }
    }

    /// A lock_timeout of 0 (in any unit) disables the timeout
    /// (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT).
    static func isNonZeroDuration(_ value: String) -> Bool {
        let digits = value.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits) else { return false }
        return number > 0
    }
}
