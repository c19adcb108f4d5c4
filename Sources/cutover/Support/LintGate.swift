import Cutover
import CutoverCore
import CutoverPostgres

/// Runs the linter over the migrations a command is about to apply (or would apply):
/// warnings are printed, errors stop the command with exit code 3 unless each is allowed
/// with `-- cutover:allow RULE` on the line above the statement.
extension CommandContext {
    /// The lint findings of the migrations in `plan`.
    func lint(_ plan: MigrateReport, of migrator: Migrator) -> [LintFinding] {
        guard !plan.applied.isEmpty else { return [] }
        let pending = Set(plan.applied.map(\.id))
        let version = (migrator.database as? PostgresDatabase)?.serverVersionNumber
        let linter = Linter(configuration: .init(safety: config.safety, postgresVersion: version))
        return linter.lint(migrator.migrations.filter { pending.contains($0.id) }, dialect: migrator.database.dialect)
    }

    /// Prints warnings; throws when there are errors.
    /// - Throws: ``CutoverError`` `.validationFailed` (exit 3) listing the error findings.
    func enforceLint(_ findings: [LintFinding]) throws {
        if !options.quiet && !options.json {
            for finding in findings where finding.severity == .warning { Terminal.err(Terminal.yellow("lint warning: ") + finding.renderedText()) }
        }
        let errors = findings.filter { $0.severity == .error }
        guard let first = errors.first else { return }
        if !options.json {
            for finding in errors { Terminal.err(Terminal.red("lint error: ") + finding.renderedText()) }
        }
        throw CutoverError(
            .validationFailed, "\(errors.count) lint error\(errors.count == 1 ? "" : "s") in pending migrations (first: \(first.rule) at \(first.file):\(first.line))",
            hint: "rewrite the statement as suggested, or, if the table is small or the lock is acceptable, put `-- cutover:allow \(first.rule)` on the line above it",
            file: first.file, line: first.line, migrationID: first.migrationID, statement: first.statement)
    }
}
