extension Linter {
    /// The findings of a migration's down section, run against the schema its up section
    /// left (`knowledge`), as `rollback` runs it: in one transaction unless the file says
    /// `-- cutover:no-transaction`, after the configured lock timeout.
    ///
    /// Each finding's message starts with "down section: " and its severity is at most a
    /// warning: a rollback never runs as part of a deploy, so nothing here should block one.
    /// `DROP TABLE` of a table the up section created and `DROP COLUMN` of a column it added
    /// are what a down section is for, and are not reported. What the down section does is
    /// not carried into later migrations.
    func lintDownSection(of migration: Migration, dialect: any Dialect, knowledge: LintSchemaKnowledge) -> [LintFinding] {
        guard let down = migration.down, !down.isEmpty else { return [] }
        let isPostgres = dialect.name == PostgresDialect().name
        let rules = Self.allRules.filter { isPostgres || type(of: $0).appliesBeyondPostgres }
        let recognizer = LintRecognizer(
            lexerConfiguration: dialect.lexerConfiguration, foldsQuotedIdentifiers: dialect.name == SQLiteDialect().name)
        let version = configuration.postgresVersion ?? Configuration.assumedPostgresVersion
        // What the up section created, which the down section may drop without a finding.
        var createdTables: Set<LintTableName> = []
        var addedColumns: Set<LintSchemaKnowledge.ColumnKey> = []
        for statement in migration.up {
            switch recognizer.recognize(statement.sql) {
            case .createTable(let create):
                createdTables.insert(create.name)
            case .alterTable(let alter):
                for case .addColumn(let column) in alter.actions {
                    addedColumns.insert(.init(table: alter.table, column: column.name))
                }
            default:
                break
            }
        }
        var state = LintState(
            knowledge: knowledge, isTransactional: migration.isTransactional, lockTimeoutConfigured: configuration.lockTimeoutConfigured)
        var findings: [LintFinding] = []
        for statement in down {
            let shape = recognizer.recognize(statement.sql)
            let linted = LintedStatement(statement: statement, shape: shape, state: state, dialect: dialect, postgresVersion: version)
            let allowed = migration.allowances[statement.line] ?? []
            for rule in rules where !allowed.contains(type(of: rule).id) {
                if Self.undoesUp(shape, rule: type(of: rule).id, createdTables: createdTables, addedColumns: addedColumns) { continue }
                for hit in rule.check(linted) {
                    findings.append(
                        LintFinding(
                            rule: type(of: rule).id, severity: min(type(of: rule).severity, .warning), file: migration.fileName,
                            line: statement.line, migrationID: migration.id, statement: statement.sql,
                            message: "down section: " + hit.message, lock: hit.lock, why: hit.why, safeRewrite: hit.safeRewrite))
                }
            }
            state.apply(shape, locks: linted.locks)
        }
        return findings
    }

    /// Whether `shape` only drops what the up section created, for the rules about drops.
    private static func undoesUp(
        _ shape: LintStatement, rule: String, createdTables: Set<LintTableName>, addedColumns: Set<LintSchemaKnowledge.ColumnKey>
    ) -> Bool {
        switch (rule, shape) {
        case (BanDropTable.id, .dropTable(let tables)):
            return tables.allSatisfy(createdTables.contains)
        case (BanDropColumn.id, .alterTable(let alter)):
            let dropped = alter.actions.compactMap { action -> String? in
                if case .dropColumn(let name) = action { return name }
                return nil
            }
            return !dropped.isEmpty && dropped.allSatisfy { addedColumns.contains(.init(table: alter.table, column: $0)) }
        default:
            return false
        }
    }
}
