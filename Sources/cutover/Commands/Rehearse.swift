import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover rehearse`: trial-upgrade a clone and report time and locks per statement.
    struct Rehearse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rehearse",
            abstract: "Apply pending migrations to a clone of the target; report each statement's time and the locks it held.",
            discussion: """
                PostgreSQL: the clone is made with CREATE DATABASE … TEMPLATE when no other session is connected to the \
                target, otherwise with pg_dump | pg_restore, which is safe while the site is live. SQLite: VACUUM INTO. \
                Locks are sampled from a second session while each statement runs. A statement that changes existing \
                rows is reported with the rows it touched and the lock it keeps until COMMIT: PostgreSQL's row locks \
                (blocks writes to those rows), SQLite's database write lock (blocks all writers). Afterwards the clone's schema is \
                compared with the schema every migration now applied on it produces (replayed on a scratch database): \
                a difference means the target was changed by hand. Pending .yaml (expand/contract) migrations run on the \
                clone in id order among the .sql ones, as migrate runs them (PostgreSQL: start, backfill, complete; SQLite: \
                applied directly), each phase reported with its time, rows backfilled and locks. \
                Exit 1 when a migration fails on the clone, \
                3 when the clone's schema differs from its migrations.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("How to clone: template, dump or automatic.", valueName: "strategy"))
        var strategy = "automatic"

        @Flag(help: "Keep the clone afterwards (its URL is printed).")
        var keep = false

        @Flag(help: "PostgreSQL: start and abort each pending .yaml migration on the clone first; fail when the abort does not bring the tables back.")
        var abortCheck = false

        func validate() throws {
            guard CloneStrategy.requestable.map(\.rawValue).contains(strategy) else {
                throw ValidationError("--strategy must be template, dump or automatic, not '\(strategy)'")
            }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let deployment = try context.deployment()
                let target = deployment.target
                let outcome = try await deployment.rehearse(strategy: CloneStrategy(strategy), keep: keep, checksAbort: abortCheck, events: context.eventPrinter())
                context.output(RehearsalOutput.json(outcome, target: target)) { RehearsalOutput.print(outcome, target: target) }
                if let failure = outcome.report.failure {
                    if !global.json { CommandContext.report(failure, options: global) }
                    throw ExitCode(failure.exitCode)
                }
                if let error = outcome.report.driftError {
                    if !global.json { CommandContext.report(error, options: global) }
                    throw ExitCode(error.exitCode)
                }
                if let drift = outcome.report.drift, drift.hasDrift {
                    if !global.json {
                        CommandContext.report(CutoverError(
                            .schemasDiffer, "after the rehearsal, the clone's schema differs from its \(drift.applied.count) applied migrations in \(drift.differenceCount) place\(drift.differenceCount == 1 ? "" : "s"): \(target.environment) was changed outside its migrations",
                            hint: "see the differences above and `\(DriftOutput.diffCommand(target))`; add a migration for the change, or undo it"), options: global)
                    }
                    throw ExitCode(3)
                }
            }
        }
    }
}

/// Renders a rehearsal for people and machines.
enum RehearsalOutput {
    /// `AccessExclusiveLock` → `ACCESS EXCLUSIVE`.
    static func modeName(_ mode: String) -> String {
        var words: [String] = []
        var current = ""
        for character in mode.replacingOccurrences(of: "Lock", with: "") {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ").uppercased()
    }

    /// What a lock on data does, with its row count when the database gave one:
    /// `blocks writes to the 500 rows it changed`.
    static func verdict(_ lock: WriteLockObservation) -> String {
        switch (lock.scope, lock.rows) {
        case (.rows, let rows?): "blocks writes to the \(rows) row\(rows == 1 ? "" : "s") it changed"
        case (.rows, nil): "blocks writes to the rows it changed (the database did not count them)"
        case (.database, let rows?): "blocks all writers to the database (the statement changed \(rows) row\(rows == 1 ? "" : "s"))"
        case (.database, nil): "blocks all writers to the database"
        }
    }

    /// `row locks on 500 rows` / `the database's write lock`.
    static func lockName(_ lock: WriteLockObservation) -> String {
        switch (lock.scope, lock.rows) {
        case (.rows, let rows?): "row locks on \(rows) row\(rows == 1 ? "" : "s")"
        case (.rows, nil): "row locks"
        case (.database, _): "the database's write lock"
        }
    }

    /// A lock on data held until COMMIT.
    static func json(_ lock: WriteLockObservation) -> JSON {
        .object([
            ("scope", .string(lock.scope.rawValue)), ("rows", .int(lock.rows)), ("held_ms", .int(lock.heldMilliseconds)),
            ("until_commit", .bool(true)), ("impact", .string(lock.impact.description)), ("verdict", .string(verdict(lock))),
        ])
    }

    /// One statement the rehearsal observed, with its locks.
    static func json(_ statement: StatementObservation) -> JSON {
        .object([
            ("migration", .string(statement.migration.rawValue)), ("name", .string(statement.migrationName)),
            ("index", .int(statement.index)), ("line", .int(statement.line)), ("sql", .string(statement.sql)),
            ("duration_ms", .int(statement.durationMilliseconds)), ("impact", .string(statement.impact.description)),
            ("error", .string(statement.error)), ("rows_touched", .int(statement.rowsTouched)),
            ("write_lock", statement.writeLock.map(json) ?? .null),
            ("locks", .array(statement.locks.map { lock in
                .object([
                    ("relation", .string(lock.relation)), ("mode", .string(modeName(lock.mode))),
                    ("held_ms", .int(lock.heldMilliseconds)), ("new_relation", .bool(lock.isNewRelation)),
                    ("impact", .string(lock.impact.description)),
                ])
            })),
        ])
    }

    static func json(_ outcome: RehearsalOutcome, target: Target) -> JSON {
        let report = outcome.report
        return .object([
            ("ok", .bool(report.succeeded && report.driftError == nil && report.drift?.hasDrift != true)),
            ("env", .string(target.environment)), ("url_source", .string(target.source)), ("clone", .string(report.clone)),
            ("nothing_pending", .bool(outcome.nothingPending)),
            ("strategy", outcome.clone.map { .string($0.strategy.rawValue) } ?? .null),
            ("clone_ms", outcome.clone.map { .int(Int($0.duration.milliseconds)) } ?? .null),
            ("kept", .bool(report.kept)), ("duration_ms", .int(report.durationMilliseconds)),
            ("applied", .array(report.applied.map { .string($0.rawValue) })),
            ("stops_before_draft", .string(report.stoppedAtDraft?.fileName)),
            ("statements", .array(report.statements.map(json))),
            ("expand_contract", .array(report.expandContract.map(json))),
            ("error", report.failure.map { .string($0.description) } ?? .null),
            ("schema_check", outcome.nothingPending ? DriftOutput.notChecked(reason: "nothing pending: no clone was made") : schemaCheck(report, target: target)),
            // What the lint gate of `migrate` would say on this target (not enforced here).
            ("lint", .array(outcome.lintFindings.map(CutoverCommand.Lint.json))),
        ])
    }

    /// The clone against its migrations: `{"checked", "drift", "differences", …}` as in
    /// `status --json`, or why it was not checked.
    static func schemaCheck(_ report: Rehearsal.Report, target: Target) -> JSON {
        if let drift = report.drift { return DriftOutput.json(drift, target: target) }
        if let error = report.driftError { return DriftOutput.notChecked(error: error) }
        return DriftOutput.notChecked(reason: "the rehearsal failed")
    }

    static func print(_ outcome: RehearsalOutcome, target: Target) {
        let report = outcome.report
        guard let clone = outcome.clone else {
            Terminal.out("nothing pending for \(target.environment): nothing to rehearse, no clone made "
                + "(`\(DriftOutput.diffCommand(target))` compares its schema with its migrations)")
            return
        }
        var current: MigrationID?
        // The .yaml migrations in their places among the .sql ones, in id order.
        var expandContract = report.expandContract[...]
        for statement in report.statements {
            if statement.migration != current {
                current = statement.migration
                while let next = expandContract.first, next.migration < statement.migration {
                    printExpandContract([next])
                    expandContract.removeFirst()
                }
                Terminal.out("\(statement.migration)_\(statement.migrationName)")
            }
            let sql = statement.sql.replacingOccurrences(of: "\n", with: " ")
            Terminal.out("  line \(statement.line): \(sql.count > 60 ? String(sql.prefix(57)) + "…" : sql)  \(statement.durationMilliseconds) ms")
            for lock in statement.locks where !lock.isNewRelation {
                Terminal.out("      \(modeName(lock.mode)) on \(lock.relation) for \(lock.heldMilliseconds) ms — \(lock.impact)")
            }
            if let lock = statement.writeLock { Terminal.out("      \(lockName(lock)) for \(lock.heldMilliseconds) ms (until COMMIT) — \(verdict(lock))") }
            if let error = statement.error { Terminal.out("      failed: \(error)") }
        }
        printExpandContract(Array(expandContract))
        let blocking = (report.statements + report.expandContract.flatMap { $0.phases.flatMap(\.statements) }).filter { $0.impact > .blocksNothing }
        let verdict = report.succeeded ? "applied \(report.applied.count) migration\(report.applied.count == 1 ? "" : "s")" : "FAILED"
        Terminal.out("rehearsal of \(target.environment) on a \(clone.strategy) clone: \(verdict) in \(report.durationMilliseconds) ms; "
            + "\(blocking.count) statement\(blocking.count == 1 ? "" : "s") took locks that block the application")
        if let draft = report.stoppedAtDraft {
            Terminal.out("stopped before \(draft.fileName), a draft (not written yet), as `migrate` would; the migrations after it were not rehearsed")
        }
        if let drift = report.drift {
            if drift.hasDrift {
                Terminal.out("the clone's schema differs from its \(drift.applied.count) applied migrations (+ only in the clone, - only in the migrations):")
                Terminal.out(drift.diff.text)
                Terminal.out(drift.diff.summary.description)
            } else {
                Terminal.out("the clone's schema matches its \(drift.applied.count) applied migration\(drift.applied.count == 1 ? "" : "s")")
            }
        } else if let error = report.driftError {
            Terminal.out("the clone's schema could not be compared with its migrations: \(error.message)")
        }
        Terminal.out(report.kept ? "clone kept: \(report.clone)" : "clone dropped (pass --keep to keep it)")
    }
}
