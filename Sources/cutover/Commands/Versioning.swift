import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover versioning enable | disable | log | revert | prune`: record history.
    struct Versioning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "versioning",
            abstract: "Keep every old version of a table's rows and write one back (record history).",
            discussion: """
                `enable TABLE` installs triggers that append each insert, update and delete of TABLE's rows to the \
                record_versions table, with the row as JSON and the newest migration applied then. `revert` writes an \
                old version back, following the columns renamed since, leaving columns added since to their default and \
                reporting columns dropped since. On SQLite, run `enable` again after a migration that changes the table's \
                columns (`log` says when it is needed).
                """,
            subcommands: [Enable.self, Disable.self, Log.self, Revert.self, Prune.self])

        /// `cutover versioning enable TABLE`.
        struct Enable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Start recording every version of TABLE's rows (safe to run again).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The table (it needs a primary key).") var table: String

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let key = try await context.deployment().enableVersioning(table)
                    context.output(.object([("ok", .bool(true)), ("table", .string(table)), ("key", .array(key.map { .string($0) }))])) {
                        Terminal.out("recording every version of the rows of \(table), keyed by \(key.joined(separator: ", "))")
                    }
                }
            }
        }

        /// `cutover versioning disable TABLE`.
        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop recording TABLE's changes (the versions kept stay).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The table.") var table: String

            func run() async throws {
                try await CommandContext.run(global) { context in
                    try await context.deployment().disableVersioning(table)
                    context.output(.object([("ok", .bool(true)), ("table", .string(table))])) { Terminal.out("no longer recording \(table)'s changes") }
                }
            }
        }

        /// `cutover versioning log TABLE KEY`.
        struct Log: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the versions of one row, oldest first.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The table.") var table: String
            @Argument(help: "The row's key: 7 for a one-column key, or JSON such as '{\"tenant\": 1, \"id\": 7}'.") var key: String

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let log = try await context.deployment().recordHistory(of: table, key: key)
                    context.output(.object([
                        ("ok", .bool(true)), ("table", .string(table)), ("versions", .array(log.versions.map(VersioningOutput.json))),
                        ("drift", .string(log.drift)),
                    ])) {
                        if log.versions.isEmpty { Terminal.out("no versions of \(table) \(key) (is it versioned? `cutover versioning enable \(table)`)") }
                        for version in log.versions { Terminal.out(VersioningOutput.line(version)) }
                        if let drift = log.drift { Terminal.err("warning: \(drift)") }
                    }
                }
            }
        }

        /// `cutover versioning revert TABLE KEY --to N`.
        struct Revert: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Write an old version of one row back (recorded as a new version).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The table.") var table: String
            @Argument(help: "The row's key: 7 for a one-column key, or JSON.") var key: String
            @Option(help: "The version to write back (see `cutover versioning log`).") var to: Int
            @Flag(help: "Show the row that would be written; write nothing.") var dryRun = false

            func run() async throws {
                try await CommandContext.run(global) { context in
                    let revert = try await context.deployment().revertRecord(table, key: key, to: to, dryRun: dryRun)
                    context.output(VersioningOutput.json(revert)) {
                        let verb = revert.isDryRun ? "would \(revert.operation)" : "\(revert.operation)d"
                        Terminal.out("\(verb) \(table) \(revert.key) from version \(revert.version): \(revert.row)")
                        for (old, new) in revert.renamed.sorted(by: { $0.key < $1.key }) { Terminal.out("  \(old) is now \(new)") }
                        if !revert.added.isEmpty { Terminal.out("  added since, left as they are: \(revert.added.joined(separator: ", "))") }
                        if !revert.dropped.isEmpty { Terminal.out("  dropped since, not written: \(revert.dropped.joined(separator: ", "))") }
                        if let newVersion = revert.newVersion { Terminal.out("  recorded as version \(newVersion)") }
                    }
                }
            }
        }

        /// `cutover versioning prune TABLE --keep N --older-than 30d`.
        struct Prune: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete old versions of TABLE's rows.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The table.") var table: String
            @Option(help: "Keep the newest N versions of each row.") var keep: Int?
            @Option(help: "Delete only versions older than this (30d, 12h, 90min).") var olderThan: String?

            func run() async throws {
                try await CommandContext.run(global) { context in
                    var age: Duration?
                    if let olderThan {
                        guard let parsed = DurationParser.parseAge(olderThan) else {
                            throw CutoverError(.invalidArgument, "--older-than takes an age such as 30d, 12h or 90min, not \"\(olderThan)\"", hint: "for example --older-than 30d")
                        }
                        age = parsed
                    }
                    let deleted = try await context.deployment().pruneRecordVersions(table, keep: keep, olderThan: age)
                    context.output(.object([("ok", .bool(true)), ("table", .string(table)), ("deleted", .int(deleted))])) {
                        Terminal.out("deleted \(deleted) version\(deleted == 1 ? "" : "s") of \(table)'s rows")
                    }
                }
            }
        }
    }
}

/// How record versions and reverts are printed.
enum VersioningOutput {
    static func json(_ version: RecordVersion) -> JSON {
        .object([
            ("version", .int(version.version)), ("operation", .string(version.operation.rawValue)), ("key", .raw(version.key)),
            ("row", .raw(version.row)), ("changed_at", .string(version.changedAt)), ("transaction", .int(version.transaction)),
            ("schema_version", .string(version.schemaVersion?.rawValue)),
        ])
    }

    static func line(_ version: RecordVersion) -> String {
        "\(version.version) \(version.operation) \(version.changedAt) schema \(version.schemaVersion?.rawValue ?? "-") \(version.row)"
    }

    static func json(_ revert: RecordRevert) -> JSON {
        .object([
            ("ok", .bool(true)), ("table", .string(revert.table)), ("key", .raw(revert.key)), ("version", .int(revert.version)),
            ("operation", .string(revert.operation.rawValue)), ("dry_run", .bool(revert.isDryRun)), ("row", .raw(revert.row)),
            ("renamed", .object(revert.renamed.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("added", .array(revert.added.map { .string($0) })), ("dropped", .array(revert.dropped.map { .string($0) })),
            ("new_version", .int(revert.newVersion)),
        ])
    }
}
