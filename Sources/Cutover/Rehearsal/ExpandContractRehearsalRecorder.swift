import CutoverCore
import CutoverOperations
import Synchronization

/// Turns the ``ExpandContractEvent``s of `.yaml` migrations run on a rehearsal clone into
/// ``ExpandContractRehearsal``s: the time of each phase (the expand phase's backfill apart
/// from its statements), the rows backfilled, and the lock observers of its phases.
final class ExpandContractRehearsalRecorder: Sendable {
    private struct Entry {
        var id: MigrationID
        var phases: [ExpandContractRehearsal.Phase] = []
        var backfilled: [String: Int] = [:]
        var failedPhase: String?
        var abortRestoredSchema: Bool?
        var abortLeftovers: String?
    }

    private struct Segment {
        var id: MigrationID
        var name: String
        var since: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Entry] = []
        var current: Segment?
        var observers: [(id: MigrationID, phase: String, observer: LockObserver)] = []
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()

    /// The rehearsal's name of an engine phase.
    static func phaseName(_ phase: ExpandContractPhase) -> String {
        switch phase {
        case .expanding: "start"
        case .completing: "complete"
        case .aborting: "abort"
        default: phase.rawValue
        }
    }

    /// Keeps the lock observer of one phase, to read its statements at the end.
    func add(_ observer: LockObserver, id: MigrationID, phase: ExpandContractPhase) {
        state.withLock { $0.observers.append((id, Self.phaseName(phase), observer)) }
    }

    /// Records one event of the engine.
    func record(_ event: ExpandContractEvent) {
        let now = clock.now
        state.withLock { state in
            switch event {
            case .phaseStarted(let id, let phase, _, _):
                Self.close(&state, at: now)
                state.current = Segment(id: id, name: Self.phaseName(phase), since: now)
            case .action(_, _, let action):
                guard let current = state.current, current.name == "start" || current.name == "backfill" else { return }
                let name = action.kind == .backfill ? "backfill" : "start"
                guard name != current.name else { return }
                Self.close(&state, at: now)
                state.current = Segment(id: current.id, name: name, since: now)
            case .backfillProgress(let progress):
                guard let id = state.current?.id else { return }
                Self.update(&state, id) { $0.backfilled[progress.table] = progress.rowsDone }
            case .phaseFinished:
                Self.close(&state, at: now)
            case .retrying, .droppedInvalidIndex, .indexAlreadyBuilt, .lintFinding:
                break
            }
        }
    }

    /// Records a migration applied directly (SQLite) in `milliseconds`, holding the
    /// database's write lock throughout.
    func recordDirect(_ id: MigrationID, milliseconds: Int) {
        state.withLock { state in
            Self.update(&state, id) {
                $0.phases.append(.init(
                    name: "apply", durationMilliseconds: milliseconds, statements: [],
                    writeLock: WriteLockObservation(scope: .database, rows: nil, heldMilliseconds: milliseconds)))
            }
        }
    }

    /// Records the outcome of an abort check: `leftovers` is what abort left different, nil
    /// when it restored the tables.
    func recordAbortCheck(_ id: MigrationID, leftovers: String?) {
        state.withLock { Self.update(&$0, id) { ($0.abortRestoredSchema, $0.abortLeftovers) = (leftovers == nil, leftovers) } }
    }

    /// Marks the phase running now as failed (when none is running, `phase` of `id`: a
    /// direct application, or a start that failed while planning), and returns its name.
    func fail(_ id: MigrationID?, phase: String) -> (id: MigrationID, phase: String)? {
        let now = clock.now
        return state.withLock { state in
            guard let current = state.current ?? id.map({ Segment(id: $0, name: phase, since: now) }) else { return nil }
            // Marked already (an abort check that failed names its phase itself).
            if state.entries.contains(where: { $0.id == current.id && $0.failedPhase != nil }) { return nil }
            Self.close(&state, at: now)
            Self.update(&state, current.id) { $0.failedPhase = current.name }
            return (current.id, current.name)
        }
    }

    /// The migrations seen, in the order they ran, with the statements their observers saw
    /// and the names and paths of their files in `folder`.
    func rehearsals(folder: String) async -> [ExpandContractRehearsal] {
        let (entries, observers) = state.withLock { ($0.entries, $0.observers) }
        var results: [ExpandContractRehearsal] = []
        for entry in entries {
            let file = try? ExpandContractFile.load(id: entry.id, folder: folder)
            var phases = entry.phases
            for index in phases.indices where phases[index].name == "backfill" {
                phases[index].rowsBackfilled = entry.backfilled.values.reduce(0, +)
            }
            // One observer per run of a phase, in order: the n-th `start` observer watched the
            // n-th `start` phase (an abort check runs start twice).
            var used: [String: Int] = [:]
            for watched in observers where watched.id == entry.id {
                let matching = phases.indices.filter { phases[$0].name == watched.phase }
                let n = used[watched.phase, default: 0]
                used[watched.phase] = n + 1
                guard n < matching.count else { continue }
                phases[matching[n]].statements += await watched.observer.statements()
            }
            results.append(ExpandContractRehearsal(
                migration: entry.id, name: file?.migration.name ?? "", file: file?.path ?? "", phases: phases, failedPhase: entry.failedPhase,
                abortRestoredSchema: entry.abortRestoredSchema, abortLeftovers: entry.abortLeftovers))
        }
        return results
    }

    /// Ends the running segment, adding its time to its phase.
    private static func close(_ state: inout State, at now: ContinuousClock.Instant) {
        guard let current = state.current else { return }
        state.current = nil
        let milliseconds = Int((now - current.since).milliseconds)
        update(&state, current.id) { entry in
            // The same phase again adds to its time (start, backfill, start again), unless an
            // abort came between (an abort check runs start and backfill a second time).
            if let index = entry.phases.lastIndex(where: { $0.name == current.name }), !entry.phases[index...].contains(where: { $0.name == "abort" }) {
                entry.phases[index].durationMilliseconds += milliseconds
            } else {
                entry.phases.append(.init(name: current.name, durationMilliseconds: milliseconds, statements: []))
            }
        }
    }

    private static func update(_ state: inout State, _ id: MigrationID, _ change: (inout Entry) -> Void) {
        if let index = state.entries.firstIndex(where: { $0.id == id }) {
            change(&state.entries[index])
        } else {
            var entry = Entry(id: id)
            change(&entry)
            state.entries.append(entry)
        }
    }
}
