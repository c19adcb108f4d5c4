import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover backups`: the catalog, newest first.
    struct Backups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backups",
            abstract: "List the backups in the catalog, newest first: id, time, size, last migration, verification.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "List the backups of every environment, not only the chosen one.")
        var all = false

        func run() async throws {
            try await CommandContext.run(global) { context in
                let directory = context.config.backupDirectory
                // Listing needs no database: when the environment's URL cannot be resolved
                // (an unset ${VAR}), --env still names the environment.
                let env = all ? nil : try context.options.env ?? context.target().environment
                // Unfinished files of killed backups go first; they are named below. Listing
                // must work where the folder cannot be written, so a failure here only warns.
                let orphans: [OrphanedBackupFile]
                do {
                    orphans = try BackupManager.removeOrphanedFiles(in: directory)
                } catch let error as CutoverError {
                    orphans = []
                    if !context.options.quiet { Terminal.err(Terminal.yellow("warning: ") + "unfinished backup files were not cleaned up: \(error.description)") }
                }
                let records = try BackupManager.catalog(in: directory).backups
                    .filter { env == nil || $0.env == env }
                    .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
                context.output(.object([
                    ("env", .string(env)), ("directory", .string(directory)), ("keep", .int(context.config.backup.keep)),
                    ("mode", .string(context.config.backup.mode.rawValue)),
                    ("backups", .array(records.map { BackupOutput.json($0, directory: directory) })),
                    ("removed_partial_files", .array(orphans.map { .object([("file", .string($0.name)), ("bytes", .int(Int($0.bytes)))]) })),
                ])) {
                    Self.print(records, env: env, directory: directory, keep: context.config.backup.keep)
                    for orphan in orphans { Terminal.out("note: " + BackupOutput.orphanNote(name: orphan.name, bytes: orphan.bytes)) }
                }
            }
        }

        static func print(_ records: [BackupRecord], env: String?, directory: String, keep: Int?) {
            Terminal.out("backups\(env.map { " of \($0)" } ?? "") in \(directory)\(keep.map { " (keep \($0))" } ?? "")")
            guard !records.isEmpty else {
                Terminal.out("none yet — take one with `cutover backup`")
                return
            }
            let idWidth = max(2, records.map(\.id.count).max() ?? 2)
            let migrationWidth = max(14, records.compactMap(\.lastMigration?.count).max() ?? 14)
            Terminal.out("\("ID".padding(idWidth))  \("CREATED AT".padding(24))  \("SIZE".padding(10))  \("LAST MIGRATION".padding(migrationWidth))  VERIFIED")
            for record in records {
                let verified = record.verifiedAt ?? (record.verificationError.map { "FAILED: \($0)" } ?? "-")
                Terminal.out(
                    "\(record.id.padding(idWidth))  \(record.createdAt.padding(24))  \(BackupOutput.bytes(record.sizeBytes).padding(10))  "
                        + "\((record.lastMigration ?? "-").padding(migrationWidth))  \(verified)")
            }
        }
    }
}
