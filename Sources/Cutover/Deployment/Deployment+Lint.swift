import CutoverCore

/// The lint gate: warnings are reported, errors stop the run before anything is touched
/// unless each is allowed with `-- cutover:allow RULE` on the line above the statement.
extension Deployment {
    /// The lint findings of the migrations in `plan`, for the target's server version.
    package func lintFindings(of plan: MigrateReport, migrator: Migrator) -> [LintFinding] {
        guard !plan.applied.isEmpty else { return [] }
        let pending = Set(plan.applied.map(\.id))
        let linter = Linter(configuration: .init(safety: config.safety, postgresVersion: migrator.database.serverVersion))
        return linter.lint(migrator.migrations.filter { pending.contains($0.id) }, dialect: migrator.database.dialect)
    }

    /// Reports every finding; throws when there are errors and `enforcing` is true.
    /// - Throws: `CutoverError` `.validationFailed` (exit 3) naming the first error.
    func gateLint(_ findings: [LintFinding], enforcing: Bool, events: DeploymentEventHandler) throws {
        for finding in findings {
            events(.lintFinding(finding, !enforcing ? .overridden : finding.severity == .error ? .blocking : .warning))
        }
        let errors = findings.filter { $0.severity == .error }
        guard enforcing, let first = errors.first else { return }
        throw CutoverError(
            .validationFailed, "\(errors.count) lint error\(errors.count == 1 ? "" : "s") in pending migrations (first: \(first.rule) at \(first.file):\(first.line))",
            hint: "rewrite the statement as suggested, or, if the table is small or the lock is acceptable, put `-- cutover:allow \(first.rule)` on the line above it",
            file: first.file, line: first.line, migrationID: first.migrationID, statement: first.statement)
    }
}
