import ArgumentParser

/// The `cutover` command: versioned schema migrations for SQLite and PostgreSQL. The process
/// starts it from `main.swift`.
struct CutoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "Change a live database's schema safely: versioned migrations, applied exactly once.",
        discussion: """
            Exit codes: 0 success · 1 a migration failed (database left as before it) · 2 bad input \
            (config, files, arguments) · 3 findings (changed or out-of-order files, failed rows) · \
            4 could not connect, or the lock was not obtained in time.
            """,
        version: "0.1.0",
        subcommands: [Init.self, New.self, Status.self, Migrate.self, Rollback.self, Validate.self, Repair.self, Baseline.self, Backup.self, Backups.self, Restore.self, Rehearse.self, Lint.self, Diff.self, Promote.self, Db.self, Sum.self, Dump.self, Plan.self, Start.self, Backfill.self, Complete.self, Revert.self, Abort.self, FlagCommand.self, Maintenance.self, Versioning.self]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (exit 64) to the contract's
    /// exit code 2 for bad input.
    static func main() async {
        do {
            var command = try parseAsRoot(GlobalOptions.movingLeadingGlobals(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Interruption.exitIfInterrupted()
        } catch {
            // Interrupted: the error is the cancellation's echo (a closed session, a stopped
            // child); one line says what was left instead.
            Interruption.exitIfInterrupted()
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { Terminal.err(message) }
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
