import Cutover
import CutoverCore
import CutoverPostgres
import CutoverSQLite
import Logging

// The code samples of the DocC articles in Sources/Cutover/Documentation.docc, compiled here
// and run by DocumentationExampleTests. Each sample sits between `// sample(NAME): begin`
// and `// sample: end`; `articlesContainTheSamples` checks that every article still shows
// exactly this text, so edit the sample here and copy it into the article.

// MARK: - GettingStarted.md

// sample(migrateDevDatabase): begin
/// Applies the pending migrations of the `dev` environment of `cutover.toml`.
func migrateDevDatabase(configPath: String, logger: Logger) async throws -> DeploymentReport {
    let config = try ConfigurationLoader().load(explicitPath: configPath)
    let deployment = try Deployment(config: config, environment: "dev", drivers: [SQLiteDriver()], logger: logger)
    let report = try await deployment.migrate { event in
        switch event {
        case .planned(let pending):
            logger.info("\(pending.count) migration(s) pending")
        case .lintFinding(let finding, _):
            logger.warning("\(finding.renderedText())")
        case .migration(.migrationFinished(let id, let name, let duration)):
            logger.info("applied \(id)_\(name) in \(duration)")
        default:
            break
        }
    }
    for item in report.applied {
        logger.info("\(item.id): \(item.statements) statement(s) in \(item.durationMilliseconds ?? 0) ms")
    }
    return report
}
// sample: end

// MARK: - EmbeddingInAnApp.md

// sample(migrateAtStartUp): begin
/// Brings the database up to date before the service accepts requests. Every instance of
/// the service calls this at start-up; the run lock lets each migration be applied once,
/// by whichever instance gets to it first.
func migrateAtStartUp(configPath: String, environment: String, logger: Logger) async throws -> DeploymentReport {
    let config = try ConfigurationLoader().load(explicitPath: configPath)
    let deployment = try Deployment(
        config: config, environment: environment, drivers: [PostgresDriver(), SQLiteDriver()], logger: logger)
    var options = Deployment.MigrateOptions()
    options.lockWait = .seconds(120)  // another instance may be applying a long migration
    do {
        let report = try await deployment.migrate(options: options) { event in
            logDeploymentEvent(event, to: logger)
        }
        logger.info("database ready", metadata: [
            "applied": "\(report.applied.count)", "skipped": "\(report.migrate.skipped.count)",
        ])
        return report
    } catch let error as CutoverError {
        // The sentence, the object it concerns and what to do: what `cutover migrate` prints.
        logger.critical("migrations failed: \(error)", metadata: [
            "code": "\(error.code)", "hint": "\(error.hint ?? "")",
            "migration": "\(error.migrationID?.rawValue ?? "")",
        ])
        throw error
    }
}
// sample: end

// sample(logDeploymentEvent): begin
/// Renders a deployment's events as log lines.
func logDeploymentEvent(_ event: DeploymentEvent, to logger: Logger) {
    switch event {
    case .planned(let pending) where !pending.isEmpty:
        logger.info("migrations pending", metadata: ["ids": "\(pending.map(\.rawValue).joined(separator: ","))"])
    case .lintFinding(let finding, .blocking):
        logger.error("\(finding.renderedText())")
    case .lintFinding(let finding, _):
        logger.warning("\(finding.renderedText())")
    case .backupFinished(let phase, let record?):
        logger.info("backup \(phase.rawValue) taken", metadata: ["file": "\(record.file)"])
    case .rehearsalFinished(let outcome):
        logger.info("rehearsal on a clone \(outcome.report.succeeded ? "succeeded" : "failed")")
    case .migration(.lockAcquired(let waited)) where waited > .seconds(1):
        logger.notice("waited \(waited) for another instance's migration lock")
    case .migration(.migrationFinished(let id, let name, let duration)):
        logger.info("applied \(id)_\(name)", metadata: ["duration": "\(duration)"])
    case .migration(.migrationSkipped(let id, _)):
        logger.info("\(id) was applied by another instance")
    case .migration(.retrying(let id, let attempt, let total, let delay, let message)):
        logger.warning("\(id): \(message); retry \(attempt) of \(total) in \(delay)")
    case .backupAfterFailed(let error):
        logger.warning("the backup after migrating failed: \(error)")
    default:
        break
    }
}
// sample: end

// sample(pendingMigrations): begin
/// What a deploy would apply, without touching the database (`cutover migrate --dry-run`).
func pendingMigrations(of deployment: Deployment) async throws -> [MigrationID] {
    var options = Deployment.MigrateOptions()
    options.dryRun = true
    return try await deployment.migrate(options: options).applied.map(\.id)
}
// sample: end

// sample(deployWithRehearsal): begin
/// A deploy job's run: the lint gate, the backup `[backup] mode` asks for, and a rehearsal
/// on a clone whatever the environment's `rehearse` says.
func deployWithRehearsal(_ deployment: Deployment, logger: Logger) async throws -> DeploymentReport {
    var options = Deployment.MigrateOptions()
    options.rehearse = true  // try the migrations on a clone first (`--rehearse`)
    options.takesBackup = true  // the default; false is `--no-backup`
    options.enforcesLint = true  // the default; false is `--no-lint`
    let report = try await deployment.migrate(options: options) { logDeploymentEvent($0, to: logger) }
    for statement in report.rehearsal?.report.statements ?? [] where statement.impact > .blocksNothing {
        logger.notice("\(statement.migration) line \(statement.line) \(statement.impact) for \(statement.durationMilliseconds) ms")
    }
    return report
}
// sample: end
