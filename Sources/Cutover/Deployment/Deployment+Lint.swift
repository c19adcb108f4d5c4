import CutoverCore
import Logging

/// The lint gate: warnings are reported, errors stop the run before anything is touched
/// unless each is allowed with `-- cutover:allow RULE` on the line above the statement, or
/// cannot hurt anyone on the target (a table created earlier in the same run, or one under
/// `[safety] small_table`: ``LintTarget``), which the finding's note then says.
extension Deployment {
    /// The lint findings of the migrations in `plan`, for the target's server version and,
    /// when there are errors, knowing the target's tables (``LintTarget``).
    ///
    /// - Parameters:
    ///   - plan: the pending migrations.
    ///   - migrator: a migrator on an open session of the target.
    /// - Returns: the findings; errors that cannot hurt anyone there carry a note.
    package func lintFindings(of plan: MigrateReport, migrator: Migrator) async -> [LintFinding] {
        guard !plan.applied.isEmpty else { return [] }
        let pending = Set(plan.applied.map(\.id))
        let migrations = migrator.migrations.filter { pending.contains($0.id) }
        let database = migrator.database
        var configuration = Linter.Configuration(safety: config.safety, postgresVersion: database.serverVersion)
        let findings = Linter(configuration: configuration).lint(migrations, dialect: database.dialect)
        // Only errors can be excused, and only by knowing the target: read its table sizes then.
        guard findings.contains(where: { $0.severity == .error }) else { return findings }
        configuration.target = await lintTarget(database)
        return Linter(configuration: configuration).lint(migrations, dialect: database.dialect)
    }

    /// The target's tables and their sizes; with no size query (SQLite), or when it fails,
    /// none are known: tables created in the run still are, by the migrations.
    private func lintTarget(_ database: any Database) async -> LintTarget {
        var sizes: [LintTarget.TableSize] = []
        if let query = database.dialect.tableSizesQuery {
            do {
                for row in try await database.query(query) {
                    guard let name = row.string("table_name"), let bytes = row["bytes"]?.int else { continue }
                    sizes.append(LintTarget.TableSize(schema: row.string("table_schema"), name: name, bytes: bytes))
                }
            } catch {
                // Not knowing the sizes only means no table counts as small.
                logger.warning("could not read the table sizes for the lint gate: \(error)")
                return LintTarget(smallTableBytes: 0, tableSizes: [])
            }
        }
        return LintTarget(smallTableBytes: config.safety.smallTableBytes, tableSizes: sizes)
    }

    /// Reports every finding; throws when there are blocking errors and `enforcing` is true.
    /// - Throws: `CutoverError` `.validationFailed` (exit 3) naming the first error.
    func gateLint(_ findings: [LintFinding], enforcing: Bool, events: DeploymentEventHandler) throws {
        for finding in findings {
            let disposition: LintDisposition =
                finding.severity != .error ? .warning : finding.harmlessBecause != nil ? .harmless : !enforcing ? .overridden : .blocking
            events(.lintFinding(finding, disposition))
        }
        let errors = findings.filter(\.isBlocking)
        guard enforcing, let first = errors.first else { return }
        throw CutoverError(
            .validationFailed, "\(errors.count) lint error\(errors.count == 1 ? "" : "s") in pending migrations (first: \(first.rule) at \(first.file):\(first.line))",
            hint: "rewrite the statement as suggested, or, if the table is small or the lock is acceptable, put `\(first.file.hasSuffix(".sql") ? "--" : "#") cutover:allow \(first.rule)` on the line above \(first.file.hasSuffix(".sql") ? "it" : "the operation")",
            file: first.file, line: first.line, migrationID: first.migrationID, statement: first.statement)
    }
}
