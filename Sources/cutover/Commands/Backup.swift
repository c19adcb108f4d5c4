import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover backup`: take a backup now; `cutover backup verify ID`: check one.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Take a backup now (PostgreSQL pg_dump custom format, SQLite VACUUM INTO), or verify one.",
            discussion: """
                Backups go to [backup] dir (default: backups/ beside cutover.toml) with a catalog, catalog.json. \
                See also `cutover backups` and `cutover restore`.
                """,
            subcommands: [Take.self, Verify.self],
            defaultSubcommand: Take.self)

        // Declared here too so that global options written before the subcommand name
        // (`cutover --json backup verify ID`, moved behind `backup`) reach it.
        @OptionGroup var global: GlobalOptions
    }
}

extension CutoverCommand.Backup {
    /// `cutover backup [take]`.
    struct Take: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "take",
            abstract: "Back up the environment's database now, record it in the catalog, and apply [backup] keep.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Verify the new backup right away (restore it into a scratch database and compare).")
        var verify = false

        func run() async throws {
            try await CommandContext.run(global) { context in
                let (manager, target) = try context.backupManager()
                let report = try await manager.backup(reason: "manual")
                let check = verify ? try await manager.verify(report.record.id) : nil
                context.output(.object([
                    ("ok", .bool(check?.isMatching ?? true)), ("env", .string(target.environment)), ("url_source", .string(target.source)),
                    ("backup", BackupOutput.json(check?.backup ?? report.record, directory: manager.configuration.directory)),
                    ("removed", .array((report.removed + (check?.removed ?? [])).map { .string($0.id) })),
                    ("held_back", .array(report.heldBack.map { .string($0.id) })),
                    ("problems", check.map { .array($0.problems.map { .string($0) }) } ?? .null),
                ])) {
                    let record = report.record
                    Terminal.out("backup \(record.id): \(BackupOutput.bytes(record.sizeBytes)) in \(BackupOutput.seconds(record.durationMilliseconds)), \(record.rowCounts.count) tables, \(record.totalRows) rows")
                    Terminal.out("  file \(manager.configuration.directory)/\(record.file)")
                    Terminal.out("  sha256 \(record.sha256)")
                    if let check { BackupOutput.printVerification(check) }
                }
                if let check, !check.isMatching { throw ExitCode(3) }
            }
        }
    }

    /// `cutover backup verify ID`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Restore a backup into a scratch database, compare schema and row counts with its record, drop the scratch database. Exit 3 when they differ.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The backup's id (or an unambiguous start of it); see `cutover backups`.")
        var id: String

        func run() async throws {
            try await CommandContext.run(global) { context in
                let (manager, _) = try context.backupManager()
                let report = try await manager.verify(id)
                context.output(.object([
                    ("ok", .bool(report.isMatching)), ("backup", BackupOutput.json(report.backup, directory: manager.configuration.directory)),
                    ("problems", .array(report.problems.map { .string($0) })),
                    ("tables", .int(report.restored?.rowCounts.count)), ("rows", .int(report.restored?.totalRows)),
                    ("duration_ms", .int(Int(report.duration.milliseconds))),
                    ("removed", .array(report.removed.map { .string($0.id) })),
                ])) {
                    BackupOutput.printVerification(report)
                }
                if !report.isMatching { throw ExitCode(3) }
            }
        }
    }
}

// MARK: - Shared by the backup commands

extension CommandContext {
    /// A backup manager for the chosen environment, printing progress on stderr.
    ///
    /// - Throws: ``CutoverError`` when the database's driver cannot back up.
    func backupManager() throws -> (BackupManager, Target) {
        let deployment = try deployment()
        return (try deployment.backupManager(events: backupEventPrinter()), deployment.target)
    }
}

/// Text and JSON renderings shared by the backup commands.
enum BackupOutput {
    /// One catalog record as JSON (the catalog's keys), with `path` added.
    static func json(_ record: BackupRecord, directory: String) -> JSON {
        .object([
            ("id", .string(record.id)), ("env", .string(record.env)), ("database", .string(DatabaseURL.redact(record.database))),
            ("created_at", .string(record.createdAt)), ("reason", .string(record.reason)), ("file", .string(record.file)),
            ("path", .string(directory + "/" + record.file)), ("format", .string(record.format)),
            ("size_bytes", .int(Int(record.sizeBytes))), ("sha256", .string(record.sha256)),
            ("duration_ms", .int(record.durationMilliseconds)), ("last_migration", .string(record.lastMigration)),
            ("tool_version", .string(record.toolVersion)), ("dump_tool", .string(record.dumpTool)),
            ("server_version", .string(record.serverVersion)), ("schema_sha256", .string(record.schemaSHA256)),
            ("tables", .int(record.rowCounts.count)), ("rows", .int(record.totalRows)),
            ("row_counts", .object(record.rowCounts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("verified_at", .string(record.verifiedAt)), ("verification_error", .string(record.verificationError)),
        ])
    }

    static func printVerification(_ report: VerificationReport) {
        let record = report.backup
        if report.isMatching {
            let tables = report.restored?.rowCounts.count ?? record.rowCounts.count
            Terminal.out("backup \(record.id) verified: restored into a scratch database, \(tables) tables and \(report.restored?.totalRows ?? record.totalRows) rows match the record (\(report.duration.milliseconds) ms)")
        } else {
            Terminal.out("backup \(record.id) does NOT match its record:")
            for problem in report.problems { Terminal.out("  \(problem)") }
            Terminal.out("  hint: do not rely on this backup; take a new one (cutover backup --verify)")
        }
    }

    /// `1.5 GiB`, `12.3 MiB`, `512 B`.
    /// The line naming an unfinished backup file of a killed run that was removed.
    static func orphanNote(name: String, bytes: Int64) -> String {
        "removed \(name) (\(Self.bytes(bytes))), an unfinished backup file left by a run that was killed"
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// `850 ms`, `12.4 s`.
    static func seconds(_ milliseconds: Int) -> String {
        milliseconds < 1000 ? "\(milliseconds) ms" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}
