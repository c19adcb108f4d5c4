import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover status`: applied / pending / changed / failed / out-of-order migrations.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show every migration's state: applied, pending, running, draft, changed, failed, out_of_order, missing; and a drift verdict.",
            discussion: """
                The last line compares the live schema with the schema the applied migrations produce, replayed \
                on a scratch database (SQLite: in memory, milliseconds; PostgreSQL: a temporary database \
                <db>_cutover_scratch_<random> on the same server, created and dropped, which needs CREATEDB). \
                A clean check is remembered (cutover.schema_check / cutover_schema_check: a digest of the applied \
                migrations and a fingerprint of the schema); while both still match, status trusts it and replays \
                nothing. `cutover diff --against migrations` always replays. --no-drift skips the check. Drift does not change the exit code of status; \
                `cutover diff --against migrations` exits 3 on drift.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Skip the drift check (on PostgreSQL it creates and drops a scratch database).")
        var noDrift = false

        func run() async throws {
            try await CommandContext.run(global) { context in
                // One session for the states and the drift verdict: in the steady state the
                // verdict is two small queries (the stored check and the schema fingerprint).
                let (states, target, drift, holder) = try await context.withMigratorAndHistory { migrator, target, history in
                    // Another run applying a migration right now: its work is invisible here
                    // until it commits, so the lock's holder says which one is running. Asked
                    // only when something is not applied (the everyday status skips the query).
                    let planned = MigrationPlanner().states(migrations: migrator.migrations, history: history)
                    let holder = planned.allSatisfy({ $0.kind == .applied }) ? nil : try? await migrator.database.runLockHolder()
                    var states = MigrationState.markingRun(planned, by: holder)
                    // Expand/contract (.yaml) migrations, with their phase.
                    let expandContract = try await context.deployment(announcing: false).expandContractStates(on: migrator.database)
                    if !expandContract.isEmpty { states = (states + expandContract).sorted { $0.id < $1.id } }
                    return (states, target, await checkDrift(context, target: target, migrator: migrator, history: history), holder)
                }
                context.output(Self.json(states, target: target, drift: drift.json, runInProgress: holder)) {
                    Self.print(states, target: target)
                    if let holder {
                        Terminal.out("a cutover run holds the migration lock: pid \(holder.pid), application '\(holder.application)', client \(holder.client), since \(holder.since)")
                    }
                    Terminal.out(drift.line)
                    for note in drift.notes { Terminal.err(Terminal.yellow("note: ") + note) }
                }
            }
        }

        /// The drift verdict: checked, skipped, or why it could not be checked (which does
        /// not make status fail: the migration states above are still right).
        func checkDrift(
            _ context: CommandContext, target: Target, migrator: Migrator, history: [MigrationID: HistoryRecord]
        ) async -> (line: String, json: JSON, notes: [String]) {
            if noDrift {
                return ("drift: not checked (--no-drift)", DriftOutput.notChecked(reason: "--no-drift"), [])
            }
            do {
                let report = try await context.checkDriftForStatus(target, migrator: migrator, history: history)
                return (DriftOutput.verdict(report, target: target), DriftOutput.json(report, target: target), DriftOutput.notes(report))
            } catch let error as CutoverError {
                return ("drift: unknown — \(error.message)\(error.hint.map { " (\($0))" } ?? "")", DriftOutput.notChecked(error: error), [])
            } catch {
                let wrapped = CutoverError(.ioFailed, ErrorDescription.of(error))
                return ("drift: unknown — \(ErrorDescription.of(error))", DriftOutput.notChecked(error: wrapped), [])
            }
        }

        static func json(_ states: [MigrationState], target: Target, drift: JSON = .null, runInProgress holder: RunLockHolder? = nil) -> JSON {
            .object([
                ("env", .string(target.environment)),
                ("database", .string(target.url.redacted)),
                ("url_source", .string(target.source)),
                ("migrations", .array(states.map { state -> JSON in
                    let common: [(String, JSON)] = [
                        ("id", .string(state.id.rawValue)), ("name", .string(state.name)), ("state", .string(state.kind.rawValue)),
                        ("file", .string(state.migration?.fileName)), ("applied_at", .string(state.record?.phase == .applied ? state.record?.finishedAt : nil)),
                        ("duration_ms", .int(state.record?.phase == .applied ? state.record?.durationMilliseconds : nil)),
                        ("applied_by", .string(state.record?.appliedBy)), ("checksum", .string(state.migration?.checksum ?? state.record?.checksum)),
                        ("transactional", .bool(state.migration?.isTransactional ?? true)),
                        ("statements_done", .int(state.record.map(\.statementsDone))),
                        ("error", .string(state.record?.errorMessage)), ("failed_line", .int(state.record?.failedLine)),
                    ]
                    return .object(common + expandContractJSON(state))
                })),
                ("summary", summary(states)),
                ("drift", drift),
                ("run_in_progress", holder.map { holder in
                    .object([
                        ("pid", .int(holder.pid)), ("application", .string(holder.application)), ("client", .string(holder.client)),
                        ("user", .string(holder.user)), ("since", .string(holder.since)), ("state", .string(holder.state)),
                    ])
                } ?? .null),
            ])
        }

        /// The expand/contract fields of a started `.yaml` migration: its version schema, revert
        /// window and backfills.
        static func expandContractJSON(_ state: MigrationState) -> [(String, JSON)] {
            guard let record = state.expandContract else { return [] }
            return [
                ("version_schema", .string(record.versionSchema)),
                ("revertible_until", .string(record.phase == .revertible ? record.revertibleUntil?.formatted(.iso8601) : nil)),
                ("backfills", .array(state.backfills.map { backfill in
                    .object([
                        ("table", .string(backfill.table)), ("rows_done", .int(backfill.rowsDone)), ("rows_total", .int(backfill.rowsTotal)),
                        ("done", .bool(backfill.isDone)),
                    ])
                })),
            ]
        }

        /// The lines under a started `.yaml` migration's row: its version schema, an unfinished
        /// backfill's progress, the revert window.
        static func expandContractDetail(_ state: MigrationState, indent: String) -> String {
            guard let record = state.expandContract, record.phase != .completed else { return "" }
            var text = "\(indent)version schema \(record.versionSchema) (the new version: SET search_path TO \(record.versionSchema), \(record.schema))\n"
            for backfill in state.backfills where !backfill.isDone {
                let total = backfill.rowsTotal.map { " of ~\($0)" + ($0 > 0 ? " (\(min(100, backfill.rowsDone * 100 / $0)) %)" : "") } ?? ""
                text += "\(indent)backfill \(backfill.table): \(backfill.rowsDone)\(total) rows, not finished (`cutover backfill \(record.id)` resumes it)\n"
            }
            if record.phase == .revertible, let until = record.revertibleUntil {
                text += "\(indent)revertible until \(until.formatted(.iso8601)): `cutover revert \(record.id)` brings the old version back, `cutover complete \(record.id) --finalize` drops it\n"
            }
            return text
        }

        static func summary(_ states: [MigrationState]) -> JSON {
            let kinds: [MigrationState.Kind] = [.applied, .pending, .running, .changed, .failed, .outOfOrder, .missing, .draft, .appliedByApp]
            return .object(kinds.map { kind in (kind.rawValue, .int(states.filter { $0.kind == kind }.count)) })
        }

        /// Prints the table in one write (a thousand migrations are a thousand lines).
        static func print(_ states: [MigrationState], target: Target) {
            var text = target.summary + "\n"
            if states.isEmpty {
                text += "no migrations yet — create one with `cutover new NAME`"
                Terminal.out(text)
                return
            }
            var idWidth = 2
            for index in states.indices { idWidth = max(idWidth, states[index].id.rawValue.utf8.count) }  // ids are ASCII digits
            let stateWidth = 12
            text += "\("ID".padding(idWidth))  \("STATE".padding(stateWidth))  \("APPLIED AT".padding(24))  NAME\n"
            var applied = 0, pending = 0, problems = 0, drafts = 0
            text.reserveCapacity(text.utf8.count + states.count * (idWidth + stateWidth + 24 + 32))
            for index in states.indices {
                let kind = states[index].kind
                switch kind {
                case .applied, .completed, .revertible, .appliedByApp: applied += 1
                case .expanding, .expanded, .completing, .aborting, .reverting: pending += 1
                case .pending, .running: pending += 1
                case .outOfOrder: pending += 1; problems += 1
                case .changed, .failed, .missing: problems += 1
                case .draft: drafts += 1
                default: break
                }
                // Fields read in place: binding the row would copy all of it.
                let appliedAt = states[index].record?.phase == .applied ? states[index].record?.finishedAt ?? "" : ""
                text.append(padding: states[index].id.rawValue, to: idWidth, ascii: true)
                text += "  "
                text.append(padding: kind.rawValue, to: stateWidth, ascii: true)
                text += "  "
                text.append(padding: appliedAt, to: 24)
                text += "  "
                text += states[index].name
                text += "\n"
                if states[index].expandContract != nil {
                    text += expandContractDetail(states[index], indent: String(repeating: " ", count: idWidth + 2))
                }
                if kind == .failed, let record = states[index].record {
                    let progress = record.statementsDone > 0 ? "after \(record.statementsDone)/\(record.statementsTotal ?? 0) statements, " : ""
                    text += "\(String(repeating: " ", count: idWidth + 2))\(progress)line \(record.failedLine.map(String.init) ?? "?"): \(record.errorMessage ?? "interrupted")\n"
                }
            }
            let draftNote = drafts == 0 ? "" : ", \(drafts) draft\(drafts == 1 ? "" : "s") (not written yet: `migrate` stops before \(drafts == 1 ? "it" : "the first"); `cutover validate` says what to do)"
            text += "\(applied) applied, \(pending) pending\(draftNote)\(problems > 0 ? ", \(problems) need attention (cutover validate)" : "")"
            Terminal.out(text)
        }
    }
}

extension String {
    /// Pads with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        var padded = ""
        padded.append(padding: self, to: width)
        return padded
    }

    /// Appends `text` and spaces up to `width` characters. ASCII text (ids, states, times:
    /// most of a status table) is measured by its bytes, not by grapheme breaking; `ascii`
    /// says it is ASCII without looking.
    mutating func append(padding text: String, to width: Int, ascii: Bool = false) {
        let length = ascii || text.utf8.allSatisfy({ $0 < 0x80 }) ? text.utf8.count : text.count
        append(text)
        if length < width { append(String(repeating: " ", count: width - length)) }
    }
}
