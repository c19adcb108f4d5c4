import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover restore ID [--into URL] [--force]`.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Restore a backup into a new database (default: <db>_restored_<id>), into --into URL, or over the live database with --force.",
            discussion: """
                The backup's checksum is checked first. Without --into, the backup goes into a new database named after it; \
                with --force and no --into, over the environment's own (live) database. A target that already holds tables \
                is refused without --force. Over the live database, a fresh backup of it is taken first and the restore runs \
                in one transaction while holding the migration lock; everything written since the backup is lost (it stays \
                in that fresh backup).
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The backup's id (or an unambiguous start of it); see `cutover backups`.")
        var id: String

        @Option(help: ArgumentHelp("Restore into this database (sqlite:PATH or postgres://…) instead of a new one named after the backup.", valueName: "url"))
        var into: String?

        @Flag(help: "Without --into: restore over the environment's live database (backed up first). With --into: replace that database's contents.")
        var force = false

        func run() async throws {
            try await CommandContext.run(global) { context in
                let (manager, target) = try context.backupManager()
                let destination: RestoreTarget = try into.map { .database(try Self.resolve($0)) } ?? (force ? .live : .newDatabase)
                let report = try await manager.restore(id, to: destination, force: force)
                context.output(.object([
                    ("ok", .bool(true)), ("env", .string(target.environment)), ("url_source", .string(target.source)),
                    ("backup", .string(report.backup.id)), ("into", .string(report.target.redacted)),
                    ("replaced", .bool(report.replaced)), ("safety_backup", .string(report.safetyBackup?.id)),
                    ("last_migration", .string(report.backup.lastMigration)),
                    ("duration_ms", .int(Int(report.duration.milliseconds))),
                ])) {
                    if let safety = report.safetyBackup {
                        Terminal.out("backed up the live database first as \(safety.id) (restore it with `cutover restore \(safety.id) --force`)")
                    }
                    let how = report.replaced ? "replaced the contents of" : "restored into"
                    Terminal.out("\(how) \(report.target.redacted) from \(report.backup.id) in \(BackupOutput.seconds(Int(report.duration.milliseconds)))")
                    Terminal.out("  state: as of \(report.backup.createdAt), last migration \(report.backup.lastMigration ?? "none")")
                }
            }
        }

        /// Parses `--into`, resolving a relative SQLite path against the working directory.
        static func resolve(_ text: String) throws -> DatabaseURL {
            let url = try DatabaseURL(text)
            guard url.isLocalFile, !url.path.hasPrefix("/") else { return url }
            return url.withPath(Paths.resolve(url.path, against: FileManager.default.currentDirectoryPath))
        }
    }
}
