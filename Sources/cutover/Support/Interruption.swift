import ArgumentParser
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT (Ctrl-C) and SIGTERM turned into cancellation of the running command.
///
/// The default handlers would end the process at once, leaving a rehearsal clone, an
/// unfinished backup file and the temporary log files of `pg_dump` behind. Instead, the first
/// signal cancels the task that runs the command: `pg_dump`, `pg_restore` and `psql` children
/// get SIGTERM (``ChildProcess``), open statements are stopped (the session is closed, so the
/// server rolls their transaction back), and the command's clean-up removes what it made.
/// The process then exits with 128 + the signal (130 for SIGINT, 143 for SIGTERM) and one
/// line saying what was left as it was. A second signal ends the process at once (children
/// die with it).
enum Interruption {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var signal: Int32?
        var task: Task<Void, Never>?
        var sources: [any DispatchSourceSignal] = []
    }

    private static let state = State()

    /// The first signal received, or nil.
    static var received: Int32? { state.lock.withLock { state.signal } }

    /// Ignores the default handlers of SIGINT and SIGTERM and handles them instead; call
    /// before the command starts, then hand its task to ``cancelOnSignal(_:)``.
    static func install() {
        let queue = DispatchQueue(label: "cutover.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            #if canImport(Glibc)
            _ = Glibc.signal(number, SIG_IGN)
            #else
            _ = Darwin.signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handle(number) }
            source.resume()
            sources.append(source)
        }
        state.lock.withLock { state.sources = sources }
    }

    /// Cancels `task` on the first signal, at once when one came already.
    static func cancelOnSignal(_ task: Task<Void, Never>) {
        let early = state.lock.withLock {
            state.task = task
            return state.signal != nil
        }
        if early { task.cancel() }
    }

    private static func handle(_ number: Int32) {
        let (first, task): (Bool, Task<Void, Never>?) = state.lock.withLock {
            defer { if state.signal == nil { state.signal = number } }
            return (state.signal == nil, state.task)
        }
        guard first else {
            // A second signal: the clean-up is taking too long for the user. Children die with
            // the process (PR_SET_PDEATHSIG); the next runs deal with what is left.
            Terminal.err("interrupted again: stopping without cleaning up; the next `cutover backup` removes an unfinished backup file, the next `cutover rehearse` names a clone left behind")
            exit(128 + number)
        }
        task?.cancel()
    }

    /// When a signal arrived: prints the line saying what the interrupted command left as it
    /// was and exits with 128 + the signal. Returns otherwise.
    ///
    /// - Parameter arguments: the command line, to name what the command was doing.
    static func exitIfInterrupted(arguments: [String] = CommandLine.arguments) {
        guard let number = received else { return }
        Terminal.err(Terminal.yellow("interrupted") + ": " + summary(arguments: Array(arguments.dropFirst())))
        exit(128 + number)
    }

    /// What an interrupted command leaves: one clause per kind of command.
    static func summary(arguments: [String]) -> String {
        let names = Set(CutoverCommand.configuration.subcommands.map { $0._commandName })
        let words = Array(arguments.drop { !names.contains($0) })
        let command = words.first ?? ""
        switch command {
        case "migrate", "promote", "rollback":
            let backup = command == "rollback" ? "" : "; an unfinished backup file was removed"
            return "migrations that finished stay applied; the one running was cancelled and rolled back (a no-transaction one keeps the statements it finished: see `cutover status`)\(backup)"
        case "rehearse":
            let clone = arguments.contains("--keep") ? "the rehearsal clone was kept" : "the rehearsal clone was dropped"
            return "the target was not changed; \(clone)"
        case "backup" where words.dropFirst().first == "verify":
            return "the backup file was not changed; the scratch database it was restored into was dropped"
        case "backup":
            return "no backup was recorded; the unfinished backup file was removed"
        case "restore":
            return "the restore was rolled back; the database holds what it held before"
        default:
            return "nothing was changed; scratch databases and temporary files were removed"
        }
    }
}
