import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover validate`: files parse, checksums match, order holds, nothing failed.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check migration files against the database: parse errors, changed checksums, out-of-order ids, failed rows, lint. Exit 3 on findings.",
            discussion: "Drafts (`-- cutover:draft`), down sections that would undo nothing and lint warnings are reported as warnings, migrations without statements as notes; none of them changes the exit code.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Check only the files: they parse, and migrations/cutover.sum lists them (no database is contacted).")
        var offline = false

        func run() async throws {
            try await CommandContext.run(global) { context in
                // cutover.sum first, from the files alone: a merge that interleaved two
                // branches' migrations shows even when the database cannot be reached.
                let sumProblems = try MigrationSumFile.problems(in: context.config.migrationsDirectory) ?? []
                // Expand/contract (.yaml) migrations parse (exit 2 with file and line otherwise).
                let yamlCount = try ExpandContractFile.loadAll(folder: context.config.migrationsDirectory).count
                if !global.json {
                    for problem in sumProblems { Terminal.out("sum: \(problem)\n  hint: check the order of the migrations, then run `cutover sum`") }
                }
                if offline {
                    let count = try MigrationDirectory(path: context.config.migrationsDirectory, logger: context.logger).load().count + yamlCount
                    context.output(.object([("ok", .bool(sumProblems.isEmpty)), ("migrations", .int(count)), ("sum", .array(sumProblems.map { .string($0) }))])) {
                        if sumProblems.isEmpty { Terminal.out("\(count) migration file\(count == 1 ? "" : "s") parse, and \(MigrationSum.fileName) lists them") }
                    }
                    if !sumProblems.isEmpty { throw ExitCode(3) }
                    return
                }
                let deployment = try context.deployment()
                let (findings, count, lint) = try await deployment.withMigrator(allowOutOfOrder: true, events: context.eventPrinter()) { migrator, _ in
                    // Lint the migrations still to apply (applied ones already ran); when the
                    // plan itself is refused (changed files), the findings already say so.
                    let plan = try? await migrator.migrate(dryRun: true)
                    // File-level findings (drafts, no-ops, empty down sections) for every file
                    // not applied yet, and empty down sections of applied ones too: those are
                    // what `rollback` would meet.
                    let applied = Set(try await migrator.status().filter { $0.kind == .applied || $0.kind == .changed }.map(\.id))
                    let fileChecks = migrator.migrations.flatMap { migration in
                        MigrationFileChecks.findings(for: migration).filter {
                            !applied.contains(migration.id) || $0.rule == MigrationFileChecks.emptyDownRule
                        }
                    }
                    var lint = if let plan { await deployment.lintFindings(of: plan, migrator: migrator) } else { [LintFinding]() }
                    // The hand-written SQL of the .yaml migrations not started yet, as migrate gates it.
                    let pendingYAML = try await deployment.expandContractStates(on: migrator.database).filter { $0.kind == .pending }.map(\.id)
                    lint += try deployment.expandContractLintFindings(pendingYAML, serverVersion: migrator.database.serverVersion)
                    return (try await migrator.validate(), migrator.migrations.count + yamlCount, Lint.withFileChecks(lint, of: migrator.migrations, fileChecks: fileChecks))
                }
                let lintErrors = lint.filter(\.isBlocking)
                context.output(.object([
                    ("ok", .bool(findings.isEmpty && lintErrors.isEmpty && sumProblems.isEmpty)), ("migrations", .int(count)),
                    ("sum", .array(sumProblems.map { .string($0) })),
                    ("lint", .array(lint.map {
                        .object([("rule", .string($0.rule)), ("severity", .string($0.severity.rawValue)), ("file", .string($0.file)),
                                 ("line", .int($0.line)), ("message", .string($0.message)), ("lock", .string($0.lock)),
                                 ("why", .string($0.why)), ("safe_rewrite", .string($0.safeRewrite)), ("harmless_because", .string($0.harmlessBecause))])
                    })),
                    ("findings", .array(findings.map {
                        .object([("kind", .string($0.kind.rawValue)), ("id", .string($0.id.rawValue)), ("file", .string($0.file)),
                                 ("message", .string($0.message)), ("hint", .string($0.hint))])
                    })),
                ])) {
                    for finding in lint { Terminal.out("lint \(finding.severity): " + finding.renderedText()) }
                    if findings.isEmpty && lintErrors.isEmpty && sumProblems.isEmpty { Terminal.out("\(count) migration file\(count == 1 ? "" : "s") valid") }
                    for finding in findings {
                        Terminal.out("\(finding.kind): \(finding.message)\n  hint: \(finding.hint)")
                    }
                }
                if !findings.isEmpty || !lintErrors.isEmpty || !sumProblems.isEmpty { throw ExitCode(3) }
            }
        }
    }
}
