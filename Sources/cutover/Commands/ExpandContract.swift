import ArgumentParser
import Cutover
import CutoverCore
import CutoverOperations
import Foundation
import Synchronization

extension CutoverCommand {
    /// `cutover start ID`: the expand phase of an expand/contract migration, with its backfill.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Expand phase of a .yaml migration: serve the old and the new version at once, then backfill (PostgreSQL).",
            discussion: """
                Adds shadow columns, dual-write triggers and a schema of views for the new version \
                (<schema>_<ID>, chosen by the application with SET search_path), each strong-lock statement \
                alone under lock_timeout and retried; then backfills the existing rows in short batches. \
                Run again after an interruption, it resumes. Then roll out the new code and run `cutover complete ID`.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The migration's id (the number its .yaml file name starts with).") var id: String
        @Option(help: "The schema holding the tables.") var schema = "public"
        @OptionGroup var backfill: BackfillFlags
        @Flag(name: .customLong("no-backfill"), help: "Stop before the backfill (phase expanding); run it later with `cutover backfill ID`.")
        var noBackfill = false
        @Flag(name: .customLong("no-lint"), help: "Start even when the migration's hand-written SQL has lint errors (they are reported).")
        var noLint = false

        func run() async throws {
            let id = try parseMigrationID(id, option: "ID")
            var options = try backfill.options()
            options.runsBackfill = !noBackfill
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                if try deployment.appliesExpandContractDirectly {
                    let applied = try await deployment.applyExpandContractDirectly(
                        upTo: id, enforcesLint: !noLint, events: ExpandContractPrinter(context: context).handler)
                    context.output(ExpandContractPrinter.directJSON(id, command: "start", applied: applied)) {
                        Terminal.out(applied.isEmpty
                            ? "\(id) is already applied: SQLite is single-node, nothing to complete"
                            : "SQLite is single-node: \(applied.map(\.id.rawValue).joined(separator: ", ")) applied at once, nothing to complete")
                    }
                    return
                }
                let record = try await deployment.startExpandContract(
                    id, schema: schema, backfill: options, enforcesLint: !noLint, events: ExpandContractPrinter(context: context).handler)
                context.output(ExpandContractPrinter.json(record)) {
                    if record.phase == .expanding {
                        let waiting = record.plan.statementsAfterBackfill.count
                        let builds = waiting == 0 ? "" : waiting == 1 ? "; the index that waits for it comes with it" : "; the \(waiting) indexes that wait for it come with it"
                        Terminal.out("\(ExpandContractPrinter.label(record)) expanding: both versions are served; the backfill has not run (`cutover backfill \(record.id)`)\(builds)")
                        return
                    }
                    Terminal.out("\(ExpandContractPrinter.label(record)) expanded: the old version reads \(record.schema), the new one \(record.versionSchema) (SET search_path TO \(record.versionSchema), \(record.schema))")
                    Terminal.out("next: roll out the new version, then run `cutover complete \(record.id)`")
                }
            }
        }
    }

    /// `cutover backfill ID`: the backfill of a started migration, run or resumed alone.
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backfill",
            abstract: "Run or resume the backfill of a started .yaml migration (PostgreSQL).",
            discussion: "For `cutover start --no-backfill`, or after an interrupted start: converts the remaining rows in short batches, throttled while other sessions wait for locks.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The migration's id.") var id: String
        @OptionGroup var backfill: BackfillFlags

        func run() async throws {
            let id = try parseMigrationID(id, option: "ID")
            let options = try backfill.options()
            try await CommandContext.run(global) { context in
                let record = try await context.deployment().backfillExpandContract(id, backfill: options, events: ExpandContractPrinter(context: context).handler)
                context.output(ExpandContractPrinter.json(record)) {
                    Terminal.out("\(ExpandContractPrinter.label(record)) expanded: the backfill is done; next: roll out the new version, then `cutover complete \(record.id)`")
                }
            }
        }
    }

    /// The backfill's options, shared by `start` and `backfill`.
    struct BackfillFlags: ParsableArguments {
        @Option(name: .customLong("batch-time"), help: ArgumentHelp("The duration a backfill batch aims at; the batch size adapts to it (default: 25ms).", valueName: "duration"))
        var batchTime: String?
        @Option(name: .customLong("batch-delay"), help: ArgumentHelp("A pause between backfill batches.", valueName: "duration"))
        var batchDelay = "0s"
        @Flag(name: .customLong("no-throttle"), help: "Do not pause the backfill while other sessions wait for locks or many are active.")
        var noThrottle = false

        func options() throws -> Deployment.BackfillOptions {
            Deployment.BackfillOptions(
                targetBatchDuration: try batchTime.map { try parseDurationOption($0, option: "--batch-time") } ?? Deployment.BackfillOptions.defaultTargetBatchDuration, delay: try parseDurationOption(batchDelay, option: "--batch-delay"),
                throttle: noThrottle ? nil : PrimaryLoadThrottle())
        }
    }

    /// `cutover complete ID`: the contract phase.
    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "complete",
            abstract: "Contract phase of a started .yaml migration: drop what only the old version used (PostgreSQL).",
            discussion: """
                Run it once no instance of the old application version is left. Run again after an interruption, it resumes. \
                With a revert window (--revert-window, or [safety] revert_window), the old shape is kept in sync until the window \
                ends: `cutover revert ID` brings it back; `--finalize` (or the next start or migrate after the window) drops it.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The migration's id.") var id: String
        @Option(name: .customLong("revert-window"), help: ArgumentHelp("Keep the old shape, in sync, this long so `cutover revert` can bring it back (overrides [safety] revert_window; 0: none).", valueName: "duration"))
        var revertWindow: String?
        @Flag(help: "Drop the old shape kept for a revert window now.") var finalize = false

        func validate() throws {
            if let revertWindow { _ = try parseDurationOption(revertWindow, option: "--revert-window") }
            if finalize, revertWindow != nil { throw ValidationError("--finalize and --revert-window exclude each other") }
        }

        func run() async throws {
            let id = try parseMigrationID(id, option: "ID")
            let window = try revertWindow.map { try parseDurationOption($0, option: "--revert-window") }
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                if try deployment.appliesExpandContractDirectly {
                    let applied = try await deployment.applyExpandContractDirectly(upTo: id, events: ExpandContractPrinter(context: context).handler)
                    context.output(ExpandContractPrinter.directJSON(id, command: "complete", applied: applied)) {
                        Terminal.out(applied.isEmpty
                            ? "\(id) is already applied: SQLite is single-node, `start` applied it at once; nothing to complete"
                            : "SQLite is single-node: \(applied.map(\.id.rawValue).joined(separator: ", ")) applied at once, nothing to complete")
                    }
                    return
                }
                let record = try await deployment.completeExpandContract(
                    id, revertWindow: window, finalize: finalize, events: ExpandContractPrinter(context: context).handler)
                context.output(ExpandContractPrinter.json(record)) {
                    if record.phase == .revertible {
                        let until = record.revertibleUntil.map { " until \($0.formatted(.iso8601))" } ?? ""
                        Terminal.out(
                            "\(ExpandContractPrinter.label(record)) completed, revertible\(until): the new version reads \(record.versionSchema); the old shape is kept in sync"
                                + " (`cutover revert \(record.id)` brings it back, `cutover complete \(record.id) --finalize` drops it)")
                    } else {
                        Terminal.out("\(ExpandContractPrinter.label(record)) completed: the new version reads \(record.versionSchema) (or \(record.schema) directly)")
                    }
                }
            }
        }
    }

    /// `cutover revert ID`: bring the old version back within the revert window.
    struct Revert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revert",
            abstract: "Bring back the old version of a .yaml migration completed with a revert window (PostgreSQL); safe to run again.",
            discussion: """
                Roll the application back to the old version first. The old columns, kept in sync since `complete`, hold every \
                write either version made; the new columns, triggers and the new version schema are dropped.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The migration's id.") var id: String

        func run() async throws {
            let id = try parseMigrationID(id, option: "ID")
            try await CommandContext.run(global) { context in
                let record = try await context.deployment().revertExpandContract(id, events: ExpandContractPrinter(context: context).handler)
                context.output(ExpandContractPrinter.json(record)) {
                    Terminal.out("\(ExpandContractPrinter.label(record)) reverted: the database has the old version's shape, with every write made since the start")
                }
            }
        }
    }

    /// `cutover abort ID`: undo the expand phase.
    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Undo the expand phase of a .yaml migration completely (PostgreSQL); safe to run again.",
            discussion: "Drops the version schema, triggers, shadow columns and indexes the start made. Writes made by either version stay in the old columns.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The migration's id.") var id: String

        func run() async throws {
            let id = try parseMigrationID(id, option: "ID")
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                if try deployment.appliesExpandContractDirectly {
                    let isApplied = try await deployment.isAppliedDirectly(id)
                    throw CutoverError(
                        .invalidArgument,
                        isApplied ? "\(id) is applied: SQLite is single-node, so there is no expand phase to undo" : "\(id) is not applied: SQLite is single-node, so there is no expand phase to undo",
                        hint: isApplied ? "the change is applied; write a new migration that undoes it" : "nothing to do", migrationID: id)
                }
                let record = try await deployment.abortExpandContract(id, events: ExpandContractPrinter(context: context).handler)
                context.output(ExpandContractPrinter.json(record)) {
                    Terminal.out("\(ExpandContractPrinter.label(record)) aborted: the database is back to the old version's shape")
                }
            }
        }
    }
}

/// Renders ``ExpandContractEvent``s on stderr: one line per action with its lock, retries, and
/// a backfill progress line (rewritten in place on a terminal) with rate and ETA.
struct ExpandContractPrinter {
    let context: CommandContext

    /// What `start`/`complete` did on SQLite (single-node: applied at once).
    static func directJSON(_ id: MigrationID, command: String, applied: [MigrateReport.Item]) -> JSON {
        .object([
            ("command", .string(command)), ("id", .string(id.rawValue)), ("single_node", .bool(true)),
            ("state", .string("applied")), ("applied", .array(applied.map { .string($0.id.rawValue) })),
        ])
    }

    var handler: ExpandContractEventHandler {
        let quiet = context.options.quiet
        let json = context.options.json
        let verbose = context.options.verbose
        let throttle = ProgressThrottle()
        return { event in
            if case .lintFinding(let finding, let disposition) = event {
                CommandContext.print(finding, disposition, quiet: quiet, json: json)
                return
            }
            if json {
                // Machines get the backfill's progress as JSON lines on stderr (stdout keeps the result).
                if case .backfillProgress(let progress) = event, progress.isFinished || throttle.isDue() {
                    Terminal.err(JSON.object([
                        ("event", .string("backfill_progress")), ("table", .string(progress.table)), ("rows_done", .int(progress.rowsDone)),
                        ("rows_total", progress.rowsTotal.map { .int($0) } ?? .null), ("rows_per_second", .int(Int(progress.rowsPerSecond))),
                        ("batch_size", .int(progress.batchSize)), ("finished", .bool(progress.isFinished)),
                    ]).renderedOnOneLine)
                }
                return
            }
            guard !quiet else { return }
            switch event {
            case .phaseStarted(let id, let phase, let actions, let skipping):
                Terminal.err(skipping > 0 ? "\(id): \(phase), resuming after \(skipping) of \(actions) actions" : "\(id): \(phase) (\(actions) actions)")
            case .action(let number, let total, let action):
                let lock = action.lock == .none ? "no table lock" : "\(action.lock) on \(action.table ?? "?")"
                let text = action.kind == .backfill ? "backfill \(action.table ?? "")" : (verbose ? action.sql : String(action.sql.prefix(100)).replacingOccurrences(of: "\n", with: " "))
                Terminal.err(Terminal.dim("  [\(number)/\(total)] \(lock): ") + text)
            case .retrying(let number, let attempt, let of, let delay, let message):
                Terminal.err(Terminal.yellow("  [\(number)] \(message); retry \(attempt) of \(of) in \(delay)"))
            case .droppedInvalidIndex(let name):
                Terminal.err(Terminal.yellow("  dropped the INVALID index \(name) a failed build left; building it again"))
            case .indexAlreadyBuilt(let name):
                Terminal.err("  index \(name) was built by an earlier run")
            case .backfillProgress(let progress):
                var line = "  backfill \(progress.table): \(progress.rowsDone)"
                if let total = progress.rowsTotal, total > 0 { line += " of ~\(total) rows" } else { line += " rows" }
                line += String(format: ", %.0f rows/s, batch %d", progress.rowsPerSecond, progress.batchSize)
                if let left = progress.secondsLeft { line += String(format: ", ETA %.0fs", left) }
                if progress.isFinished { line += ", done" }
                if progress.isFinished {
                    if Terminal.stderrIsTTY { Terminal.errInPlace("") }
                    Terminal.err(line)
                } else if Terminal.stderrIsTTY {
                    Terminal.errInPlace(line)
                } else if verbose || throttle.isDue() {
                    Terminal.err(line)
                }
            case .phaseFinished(let id, let phase, let duration):
                Terminal.err(Terminal.green("\(id): \(phase)") + " in \(duration.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))")
            case .lintFinding:
                break  // printed above, also with --json and --quiet
            }
        }
    }

    /// The migration's id, or a chain's ids (`2, 3, 4 (as one step)`), to open a result line.
    static func label(_ record: ExpandContractRecord) -> String {
        record.chain.count > 1 ? record.chain.map(\.rawValue).joined(separator: ", ") + " (as one step)" : record.id.rawValue
    }

    /// The migration's row as the command's JSON result.
    static func json(_ record: ExpandContractRecord) -> JSON {
        .object([
            ("ok", .bool(true)), ("id", .string(record.id.rawValue)), ("name", .string(record.name)), ("phase", .string(record.phase.rawValue)),
            ("schema", .string(record.schema)), ("version_schema", .string(record.versionSchema)),
            ("revertible_until", record.revertibleUntil.map { .string($0.formatted(.iso8601)) } ?? .null),
            ("chain", .array((record.chain.isEmpty ? [record.id] : record.chain).map { .string($0.rawValue) })),
        ])
    }
}

/// True at most once a second: progress lines on a pipe, JSON progress events.
final class ProgressThrottle: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    /// Whether a second has passed since the last time this returned true.
    func isDue() -> Bool {
        last.withLock { last in
            let now = ContinuousClock.now
            if let previous = last, now - previous < .seconds(1) { return false }
            last = now
            return true
        }
    }
}
