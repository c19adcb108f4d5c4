import CutoverCore
import Dispatch
import Foundation
import NIOCore

/// The process's entry point: runs the command on Swift's concurrency threads and waits for
/// it on the main thread.
///
/// An `async` main would instead hand the main thread to `dispatch_main()`, which ends that
/// thread with `pthread_exit`. In the statically linked release build, that unwind first sorts
/// the unwind tables of the whole binary: about 30 ms of every run, more than a `status`
/// takes. Nothing in the tool runs on the main actor, which this loop never serves.
///
/// Measured for issue 12 (Benchmarks/README.md, "Speed code: measured, kept or removed"):
/// the same build with a plain top-level `await CutoverCommand.main()` took 67 ms of CPU for
/// a SQLite `status --no-drift` of 1,000 migrations instead of 23 ms (2.9×; no-op `migrate`
/// 3.1×), so this entry point stays.
enum ProcessEntry {
    static func run() {
        // One event loop thread for PostgreSQL sessions (a command opens one or two), not
        // one per core: fewer threads to start and to tear down on every run. An explicit
        // NIO_SINGLETON_GROUP_LOOP_COUNT still wins.
        if getenv("NIO_SINGLETON_GROUP_LOOP_COUNT") == nil {
            NIOSingletons.groupLoopCountSuggestion = 1
        }
        // SIGINT and SIGTERM cancel the command's task instead of ending the process (see
        // Interruption); the command ends by `exit`, or returns here.
        Interruption.install()
        let finished = DispatchSemaphore(value: 0)
        let command = Task.detached {
            // The engine's clean-up steps record what they removed or left, for the line an
            // interrupted command ends with.
            await CleanupLedger.$current.withValue(Interruption.ledger) { await CutoverCommand.main() }
            finished.signal()
        }
        Interruption.cancelOnSignal(command)
        finished.wait()
        Interruption.exitIfInterrupted()
    }
}

ProcessEntry.run()
