extension SchemaScript {
    /// The ``Linter``'s findings on the script, read as it is meant to run: statement by
    /// statement, each in its own transaction (psql's default for a file), with no lock
    /// timeout but the one the script sets itself. A script written
    /// ``Configuration/forLiveDatabase`` has no error findings unless a change has no safe
    /// form (a column type change, `SET NOT NULL`, a UNIQUE constraint on a live table…).
    ///
    /// Each finding's ``LintFinding/line`` is the 1-based number of the statement in
    /// ``statements``, and its ``LintFinding/file`` is `file`.
    ///
    /// ```swift
    /// let script = try diff.script(for: PostgresDialect(), configuration: .init(forLiveDatabase: true))
    /// for finding in script.lintFindings(dialect: PostgresDialect()) where finding.severity == .error {
    ///     print("statement \(finding.line) is unsafe: \(finding.message)")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - dialect: the dialect the script is written for.
    ///   - postgresVersion: `server_version_num` of the database it will run on, or nil.
    ///   - file: the name findings give as their file.
    /// - Returns: the findings, by statement.
    public func lintFindings(dialect: any Dialect, postgresVersion: Int? = nil, file: String = "cutover diff --sql") -> [LintFinding] {
        guard !statements.isEmpty else { return [] }
        let up = statements.enumerated().map { SQLStatement(sql: $0.element.sql, line: $0.offset + 1) }
        let migration = Migration(
            id: MigrationID("0")!, name: "diff", fileName: file, up: up, down: nil, isTransactional: false, checksum: "")
        let linter = Linter(configuration: .init(postgresVersion: postgresVersion, lockTimeoutConfigured: false))
        return linter.lint(migration, dialect: dialect)
    }
}
