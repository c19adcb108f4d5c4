import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover status`: applied / pending / changed / failed / out-of-order migrations.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every migration's state: applied, pending, changed, failed, out_of_order, missing.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await CommandContext.run(global) { context in
                let (states, target) = try await context.withMigrator { migrator, target in (try await migrator.status(), target) }
                context.output(Self.json(states, target: target)) { Self.print(states, target: target) }
            }
        }

        static func json(_ states: [MigrationState], target: Target) -> JSON {
            .object([
                ("env", .string(target.environment)),
                ("database", .string(target.url.redacted)),
                ("migrations", .array(states.map { state in
                    .object([
                        ("id", .string(state.id.rawValue)), ("name", .string(state.name)), ("state", .string(state.kind.rawValue)),
                        ("file", .string(state.migration?.fileName)), ("applied_at", .string(state.record?.phase == .applied ? state.record?.finishedAt : nil)),
                        ("duration_ms", .int(state.record?.phase == .applied ? state.record?.durationMilliseconds : nil)),
                        ("applied_by", .string(state.record?.appliedBy)), ("checksum", .string(state.migration?.checksum ?? state.record?.checksum)),
                        ("transactional", .bool(state.migration?.isTransactional ?? true)),
                        ("statements_done", .int(state.record.map(\.statementsDone))),
                        ("error", .string(state.record?.errorMessage)), ("failed_line", .int(state.record?.failedLine)),
                    ])
                })),
                ("summary", summary(states)),
            ])
        }

        static func summary(_ states: [MigrationState]) -> JSON {
            let kinds: [MigrationState.Kind] = [.applied, .pending, .changed, .failed, .outOfOrder, .missing]
            return .object(kinds.map { kind in (kind.rawValue, .int(states.filter { $0.kind == kind }.count)) })
        }

        static func print(_ states: [MigrationState], target: Target) {
            Terminal.out("env \(target.environment): \(target.url.redacted)")
            if states.isEmpty {
                Terminal.out("no migrations yet — create one with `cutover new NAME`")
                return
            }
            let idWidth = max(2, states.map(\.id.rawValue.count).max() ?? 2)
            let stateWidth = 12
            Terminal.out("\("ID".padding(idWidth))  \("STATE".padding(stateWidth))  \("APPLIED AT".padding(24))  NAME")
            for state in states {
                var line = "\(state.id.rawValue.padding(idWidth))  \(state.kind.rawValue.padding(stateWidth))  "
                line += (state.record?.phase == .applied ? state.record?.finishedAt ?? "" : "").padding(24) + "  " + state.name
                if state.kind == .failed, let record = state.record {
                    let progress = record.statementsDone > 0 ? "after \(record.statementsDone)/\(record.statementsTotal ?? 0) statements, " : ""
                    line += "\n\(String(repeating: " ", count: idWidth + 2))\(progress)line \(record.failedLine.map(String.init) ?? "?"): \(record.errorMessage ?? "interrupted")"
                }
                Terminal.out(line)
            }
            let pending = states.filter { $0.kind == .pending || $0.kind == .outOfOrder }.count
            let problems = states.filter { [.changed, .failed, .missing, .outOfOrder].contains($0.kind) }.count
            Terminal.out("\(states.filter { $0.kind == .applied }.count) applied, \(pending) pending\(problems > 0 ? ", \(problems) need attention (cutover validate)" : "")")
        }
    }
}

extension String {
    /// Pads with spaces to `width`.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
