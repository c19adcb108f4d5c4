import CutoverCore
import Foundation

/// Text and JSON renderings of a ``SchemaDiff``, shared by `diff`, `diff --against
/// migrations`, `status`, `promote` and `rehearse`, so a difference reads the same everywhere.
enum SchemaDiffOutput {
    /// `"changes": [{"action", "kind", "name", "table", "summary", "properties": [{"property", "from", "to"}]}]`.
    static func changes(_ diff: SchemaDiff) -> JSON {
        .array(diff.changes.map { change in
            .object([
                ("action", .string(change.action.rawValue)), ("kind", .string(change.kind.rawValue)),
                ("name", .string(change.name)), ("table", .string(change.table)), ("summary", .string(change.summary)),
                ("properties", .array(change.properties.map { property in
                    .object([("property", .string(property.property)), ("from", .string(property.from)), ("to", .string(property.to))])
                })),
            ])
        })
    }

    /// `"summary": {"added", "removed", "changed"}`.
    static func summary(_ diff: SchemaDiff) -> JSON {
        .object([("added", .int(diff.summary.added)), ("removed", .int(diff.summary.removed)), ("changed", .int(diff.summary.changed))])
    }

    /// `cutover diff --sql`: the DDL in the forms that are safe on a live database
    /// (``SchemaScript/Configuration/forLiveDatabase``), linted as it will run; each statement
    /// the linter still reports an error for carries an `UNSAFE [rule]: …` comment (warnings,
    /// drops and renames, already carry the script's own WARNING comments).
    static func liveScript(_ diff: SchemaDiff, dialect: any Dialect) throws -> SchemaScript {
        var script = try diff.script(for: dialect, configuration: .init(forLiveDatabase: true))
        for finding in script.lintFindings(dialect: dialect) where finding.severity == .error {
            script.statements[finding.line - 1].comments.append("UNSAFE [\(finding.rule)]: \(finding.message)")
        }
        return script
    }

    /// The dialect a script is written for, to lint it.
    static func dialect(of script: SchemaScript) -> any Dialect {
        script.dialect == SQLiteDialect().name ? SQLiteDialect() : PostgresDialect()
    }

    /// The header lines that say how to run a live script and which statements are unsafe.
    static func lintHeader(_ script: SchemaScript, dialect: any Dialect) -> [String] {
        var lines: [String] = []
        if script.statements.contains(where: \.runsOutsideTransaction) {
            lines.append("run it statement by statement (psql's default, not --single-transaction): CONCURRENTLY cannot run in a transaction block")
        }
        let unsafe = script.lintFindings(dialect: dialect).filter { $0.severity == .error }
        if unsafe.isEmpty {
            if !script.statements.isEmpty { lines.append("cutover lint: no statement here takes a long lock on a live table") }
        } else {
            lines.append("UNSAFE on a live database: \(unsafe.count) statement\(unsafe.count == 1 ? "" : "s") that cutover lint reports as errors:")
            for finding in unsafe {
                lines.append("  statement \(finding.line): [\(finding.rule)] \(finding.message)")
            }
            lines.append("write these as expand/contract steps (cutover lint explains each), or run them when the tables are not in use")
        }
        return lines
    }

    /// The members of `cutover diff --json`: from, to, dialect, identical, summary, changes
    /// and, with a script, sql.
    static func members(_ diff: SchemaDiff, script: SchemaScript?, from: JSON, to: JSON) -> [(String, JSON)] {
        var members: [(String, JSON)] = [
            ("from", from), ("to", to), ("dialect", .string(diff.source.dialect)),
            ("identical", .bool(diff.isEmpty)), ("summary", summary(diff)), ("changes", changes(diff)),
        ]
        if let script {
            members.append(("sql", .object([
                ("text", .string(script.text)),
                ("complete", .bool(script.isComplete)),
                ("statements", .array(script.statements.map { statement in
                    .object([
                        ("sql", .string(statement.sql)), ("comments", .array(statement.comments.map { .string($0) })),
                        ("drops_data", .bool(statement.dropsData)), ("change", .string(statement.change)),
                        ("outside_transaction", .bool(statement.runsOutsideTransaction)),
                    ])
                })),
                ("unsupported", .array(script.unsupported.map { .object([("change", .string($0.change)), ("reason", .string($0.reason))]) })),
                ("unsafe", .array(script.lintFindings(dialect: dialect(of: script))
                    .filter { $0.severity == .error }
                    .map { JSON.object([("statement", .int($0.line)), ("rule", .string($0.rule)), ("message", .string($0.message))]) })),
            ])))
        }
        return members
    }

    /// The readable diff: `--- A` / `+++ B`, one line per change, and the counts; or, with a
    /// script, the DDL with a header. Nothing with `--quiet` unless a script was asked for.
    static func print(_ diff: SchemaDiff, script: SchemaScript?, from: String, to: String, quiet: Bool) {
        guard !quiet || script != nil else { return }
        if let script {
            // The labels are environment names and URLs: comment text like any other.
            var header = ["cutover diff: DDL that turns \(from) into \(to)"]
            header.append(diff.isEmpty ? "the schemas are identical: nothing to do" : "\(diff.summary)")
            if script.dropsData { header.append("WARNING: some statements drop data; read them before running this script") }
            header += lintHeader(script, dialect: dialect(of: script))
            Terminal.out(header.flatMap(SQLText.lineComments).joined(separator: "\n") + (script.text.isEmpty ? "" : "\n\n" + script.text.trimmingCharacters(in: .newlines)))
            return
        }
        Terminal.out("--- \(from)\n+++ \(to)")
        if diff.isEmpty {
            Terminal.out("the schemas are identical")
        } else {
            Terminal.out(diff.text)
            Terminal.out(diff.summary.description)
        }
    }
}
