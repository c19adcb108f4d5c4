import ArgumentParser
import Cutover
import CutoverCore
import Dispatch
import Foundation
import Synchronization

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

    /// What the command did and tidied away, recorded by the engine's clean-up steps.
    static let ledger = CleanupLedger()

    /// The migrations the command applied (or rolled back) and the one it was running.
    static let progress = RunProgress()

    /// When a signal arrived: prints the line saying what the interrupted command did and
    /// left, and exits with 128 + the signal. Returns otherwise.
    ///
    /// - Parameter arguments: the command line, to name what the command was doing.
    static func exitIfInterrupted(arguments: [String] = CommandLine.arguments) {
        guard let number = received else { return }
        let line = summary(arguments: Array(arguments.dropFirst()), progress: progress.snapshot, cleanup: ledger.entries)
        Terminal.err(Terminal.yellow("interrupted") + ": " + line)
        exit(128 + number)
    }

    /// What the interrupted command did and left, from what actually happened: the
    /// migrations that finished and the one that was running (``RunProgress``), and each
    /// clean-up step's outcome (``CleanupLedger``). A few facts hold by construction and are
    /// said per command: a backup is recorded only once complete, a restore is one
    /// transaction (or a swap), a rehearsal never touches the target.
    static func summary(arguments: [String], progress: RunProgress.Snapshot, cleanup: [CleanupLedger.Entry]) -> String {
        let names = Set(CutoverCommand.configuration.subcommands.map { $0._commandName })
        let words = Array(arguments.drop { !names.contains($0) })
        let command = words.first ?? ""
        var clauses: [String] = []
        switch command {
        case "rehearse":
            clauses.append("the target was not changed")
        case "backup" where words.dropFirst().first == "verify":
            clauses.append("the backup file was not changed")
        case "backup":
            clauses.append("no backup was recorded")
        case "restore":
            clauses.append("the restore was rolled back; the database holds what it held before")
        default:
            let verb = command == "rollback" ? "rolled back" : "applied"
            if !progress.finished.isEmpty {
                let ids = progress.finished.joined(separator: ", ")
                clauses.append("\(ids) \(progress.finished.count == 1 ? "was" : "were") \(verb) before the signal and stay\(progress.finished.count == 1 ? "s" : "") so")
            }
            if let running = progress.running {
                clauses.append("\(running) was running and was cancelled: its transaction was rolled back (a no-transaction migration keeps the statements it finished: see `cutover status`)")
            }
        }
        clauses += cleanup.map(\.description)
        if clauses.isEmpty { clauses.append("nothing had been changed yet") }
        return clauses.joined(separator: "; ")
    }
}

/// The migrations of the target a command has finished, and the one it is running, as its
/// events report them (those of a rehearsal's clone excluded).
final class RunProgress: Sendable {
    /// A copy of the progress at one moment.
    struct Snapshot: Sendable {
        /// `2_add_phone`: id and name, as the progress lines show them.
        var finished: [String] = []
        var running: String?
        var inRehearsal = false
    }

    private let state = Mutex(Snapshot())

    /// The progress now.
    var snapshot: Snapshot { state.withLock { $0 } }

    /// Follows one event of the deploy pipeline.
    func note(_ event: DeploymentEvent) {
        state.withLock { state in
            switch event {
            case .cloneReady: state.inRehearsal = true
            case .rehearsalFinished: state.inRehearsal = false
            case .migration(.migrationStarted(let id, let name, _, _)) where !state.inRehearsal: state.running = "\(id)_\(name)"
            case .migration(.migrationFinished(let id, let name, _)) where !state.inRehearsal:
                state.finished.append("\(id)_\(name)")
                state.running = nil
            default: break
            }
        }
    }
}
