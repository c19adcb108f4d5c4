import Cutover
import CutoverCore
import Foundation

/// The expand/contract (`.yaml`) migrations of a rehearsal: their phases, times, rows
/// backfilled and locks, in text and JSON.
extension RehearsalOutput {
    /// `{"migration", "name", "file", "failed_phase", "rows_backfilled", "phases": [{"name",
    /// "duration_ms", "rows_backfilled", "impact", "write_lock", "statements": [...]}]}`.
    static func json(_ rehearsal: ExpandContractRehearsal) -> JSON {
        .object([
            ("migration", .string(rehearsal.migration.rawValue)), ("name", .string(rehearsal.name)), ("file", .string(rehearsal.file)),
            ("failed_phase", .string(rehearsal.failedPhase)), ("rows_backfilled", .int(rehearsal.rowsBackfilled)),
            ("abort_check", rehearsal.abortRestoredSchema.map { restored in
                .object([("restored", .bool(restored)), ("differences", .string(rehearsal.abortLeftovers))])
            } ?? .null),
            ("phases", .array(rehearsal.phases.map { phase in
                .object([
                    ("name", .string(phase.name)), ("duration_ms", .int(phase.durationMilliseconds)),
                    ("rows_backfilled", .int(phase.rowsBackfilled)), ("impact", .string(phase.impact.description)),
                    ("write_lock", phase.writeLock.map(json) ?? .null),
                    ("statements", .array(phase.statements.map(json))),
                ])
            })),
        ])
    }

    /// Per migration a heading, then per phase its time (rows for the backfill), and the
    /// statements of the phase with the locks they held on existing tables.
    static func printExpandContract(_ rehearsals: [ExpandContractRehearsal]) {
        for rehearsal in rehearsals {
            Terminal.out("\(rehearsal.migration)_\(rehearsal.name) (expand/contract)")
            for phase in rehearsal.phases {
                let rows = phase.rowsBackfilled.map { ", \($0) row\($0 == 1 ? "" : "s") backfilled in batches" } ?? ""
                let failed = rehearsal.failedPhase == phase.name ? " — FAILED" : ""
                Terminal.out("  \(phase.name): \(phase.durationMilliseconds) ms\(rows)\(failed)")
                for statement in phase.statements {
                    let sql = statement.sql.replacingOccurrences(of: "\n", with: " ")
                    Terminal.out("    action \(statement.line): \(sql.count > 60 ? String(sql.prefix(57)) + "…" : sql)  \(statement.durationMilliseconds) ms")
                    for lock in statement.locks where !lock.isNewRelation {
                        Terminal.out("        \(modeName(lock.mode)) on \(lock.relation) for \(lock.heldMilliseconds) ms — \(lock.impact)")
                    }
                    if let lock = statement.writeLock {
                        Terminal.out("        \(lockName(lock)) for \(lock.heldMilliseconds) ms (until COMMIT) — \(verdict(lock))")
                    }
                    if let error = statement.error { Terminal.out("        failed: \(error)") }
                }
                if let lock = phase.writeLock {
                    Terminal.out("      \(lockName(lock)) for \(lock.heldMilliseconds) ms (one transaction) — \(verdict(lock))")
                }
            }
            switch rehearsal.abortRestoredSchema {
            case true?: Terminal.out("  abort check: abort brought the tables back as they were before start")
            case false?: Terminal.out("  abort check: FAILED, abort left the tables different (+ after abort, - before start):\n\(rehearsal.abortLeftovers ?? "")")
            case nil: break
            }
        }
    }
}
