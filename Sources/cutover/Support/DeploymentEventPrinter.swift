import Cutover
import CutoverCore

/// Renders the deploy pipeline's events on stderr (stdout for a rehearsal's table), as the
/// command-line tool shows progress. `--quiet` silences all but blocking lint errors;
/// `--json` keeps stdout for the result.
extension CommandContext {
    /// The handler a command passes to ``Deployment``.
    ///
    /// - Parameter rehearsingFirst: the target of a migrate run, whose rehearsal (when it
    ///   rehearses first) is printed as it finishes; nil for `cutover rehearse`, which prints
    ///   its own at the end.
    func eventPrinter(rehearsingFirst target: Target? = nil) -> DeploymentEventHandler {
        let quiet = options.quiet
        let json = options.json
        let backupMode = config.backup.mode
        let backupPrinter = backupEventPrinter()
        let expandContractPrinter = ExpandContractPrinter(context: self).handler
        let config = config
        return { event in
            Interruption.progress.note(event)
            switch event {
            case .lintFinding(let finding, let disposition):
                Self.print(finding, disposition, quiet: quiet, json: json)
            case _ where quiet:
                break
            case .planned:
                break
            case .backupStarted:
                break
            case .backup(let backupEvent):
                backupPrinter(backupEvent)
            case .backupFinished(_, nil):
                Terminal.err(Terminal.yellow("warning: ") + "[backup] mode = \(backupMode.rawValue) has no effect on an in-memory database")
            case .backupFinished:
                break
            case .backupAfterFailed(let error):
                Terminal.err(Terminal.yellow("warning: ") + "the migrations were applied, but the backup after them failed: \(error.description)")
                Terminal.err(Terminal.yellow("hint: ") + (error.hint.map { $0 + "; then run `cutover backup`" } ?? "run `cutover backup`"))
            case .cloning(let source, let strategy):
                if let target { Terminal.err("rehearsing on a clone of \(target.environment) first") }
                Terminal.err("cloning \(source.redacted) (\(strategy))…")
            case .cloneReady(let clone):
                Terminal.err("clone ready in \(clone.duration.milliseconds) ms (\(clone.strategy)): \(clone.url.redacted)")
            case .rehearsalFinished(let outcome):
                if let target, !json { RehearsalOutput.print(outcome, target: target) }
            case .targetDrifted(let drift):
                if let target {
                    Terminal.err(Terminal.yellow("warning: ") + "\(target.environment) differs from its migrations (\(DriftOutput.verdict(drift, target: target))); migrating anyway")
                }
            case .replayingMigrations(let target):
                // SQLite replays in milliseconds; a server's scratch database takes seconds.
                if !target.url.isLocalFile && !target.url.isInMemory {
                    Terminal.err(Terminal.dim("replaying the applied migrations of \(target.environment) on a scratch database to check drift…"))
                }
            case .swapStarted(let source):
                Terminal.err("pausing writes on \(source.redacted) and migrating a copy…")
            case .maintenanceSwitched(let on):
                Terminal.err(on ? "maintenance switch on (apps reading it serve their read-only page)" : "maintenance switch off")
            case .migration(let migrationEvent):
                Self.print(migrationEvent)
            case .expandContract(let expandContractEvent):
                expandContractPrinter(expandContractEvent)
            case .schemaDumped(let result):
                if result.written { Terminal.err("wrote \(Self.displayPath(result, config: config))") }
            case .schemaDumpFailed:
                // The command prints it last, with its exit code (outputWithSchemaDump).
                break
            }
        }
    }

    /// Prints a lint finding of a migrate or start run: warnings unless quiet or JSON; blocking
    /// errors unless JSON (the JSON error object carries them).
    static func print(_ finding: LintFinding, _ disposition: LintDisposition, quiet: Bool, json: Bool) {
        switch disposition {
        case .warning where !quiet && !json:
            Terminal.err(Terminal.yellow("lint \(finding.severity): ") + finding.renderedText())
        case .blocking where !json:
            Terminal.err(Terminal.red("lint error: ") + finding.renderedText())
        case .harmless where !quiet && !json:
            Terminal.err(Terminal.dim("lint note: ") + finding.renderedText())
        case .overridden where !quiet:
            Terminal.err(Terminal.yellow("lint \(finding.severity) (--no-lint): ") + finding.renderedText())
        case .dryRun where !quiet && !json:
            // A dry run or a rehearsal: what the gate of `migrate` would stop at.
            let stops = finding.severity == .error ? ", migrate would stop here" : ""
            Terminal.err(Terminal.yellow("lint \(finding.severity) (dry run\(stops)): ") + finding.renderedText())
        default:
            break
        }
    }

    /// Prints a migrator's progress.
    private static func print(_ event: MigrationEvent) {
        switch event {
        case .waitingForLock, .lockAcquired:
            break
        case .migrationStarted(let id, let name, let statements, let resumingAt):
            let resume = resumingAt > 0 ? ", resuming at statement \(resumingAt + 1)" : ""
            Terminal.err("→ \(id)_\(name) (\(statements) statement\(statements == 1 ? "" : "s")\(resume))")
        case .statementFinished(_, let index, let total, let line, let duration) where total > 1 && duration > .seconds(1):
            Terminal.err(Terminal.dim("  statement \(index + 1)/\(total) (line \(line)) took \(duration.milliseconds) ms"))
        case .statementFinished:
            break
        case .migrationFinished(_, _, let duration):
            Terminal.err(Terminal.green("  done") + " in \(duration.milliseconds) ms")
        case .migrationSkipped(let id, let name):
            Terminal.err("  \(id)_\(name) was applied by another run; skipped")
        case .stillRunning(_, _, let line, let elapsed):
            // Every second for the first five, then every five: never silent, never a flood.
            let seconds = Int(elapsed.milliseconds / 1000)
            guard seconds <= 5 || seconds % 5 == 0 else { break }
            let statement = line.map { " (the statement at line \($0))" } ?? ""
            Terminal.err(Terminal.dim("  still running\(statement): \(seconds) s"))
        case .retrying(_, let attempt, let of, let delay, let message):
            Terminal.err(Terminal.yellow("  lock timeout") + " (\(message)); retry \(attempt)/\(of) in \(delay.milliseconds) ms")
        }
    }

    /// Prints backup events on stderr, unless `--quiet`.
    func backupEventPrinter() -> BackupEventHandler {
        let quiet = options.quiet
        return { event in
            guard !quiet else { return }
            switch event {
            case .started(let operation, let id, let target):
                Terminal.err("→ \(operation) \(id) (\(target))")
            case .progress(let progress):
                var parts: [String] = []
                if let bytes = progress.bytes {
                    let total = progress.bytesTotal.map { " of \(BackupOutput.bytes($0))" } ?? ""
                    parts.append("\(BackupOutput.bytes(bytes))\(total) \(progress.operation == "checksum" ? "hashed" : "written")")
                }
                if let done = progress.tablesDone { parts.append("\(done)\(progress.tablesTotal.map { "/\($0)" } ?? "") tables") }
                Terminal.err(Terminal.dim("  \(progress.operation): \(parts.isEmpty ? "working" : parts.joined(separator: ", ")), \(progress.elapsed.milliseconds / 1000) s"))
            case .finished(let operation, _, let duration):
                Terminal.err(Terminal.green("  \(operation) done") + " in \(duration.milliseconds) ms")
            case .removed(let record):
                Terminal.err("  removed old backup \(record.id) ([backup] keep)")
            case .heldBack(let records, let keep):
                Terminal.err(Terminal.yellow("  note: ") + "keeping \(records.count) backup\(records.count == 1 ? "" : "s") beyond keep = \(keep) until a newer one is verified (cutover backup verify ID)")
            case .removedPartialFile(let name, let bytes):
                Terminal.err(Terminal.yellow("  note: ") + BackupOutput.orphanNote(name: name, bytes: bytes))
            case .restrictedFolder(let path, let formerMode):
                Terminal.err(Terminal.yellow("  note: ") + "the backup folder \(path) was open to others (mode \(String(formerMode, radix: 8))); restricted it to its owner (700)")
            }
        }
    }

}
