import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover repair ID…`: accept changed checksums, clear failed rows.
    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "repair",
            abstract: "Accept a changed file's checksum, clear a failed row, or forget a migration whose file is gone — per migration id.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Migration ids to repair (see `cutover validate`).", completion: CompletionCandidates.migrationIDs)
        var ids: [String] = []

        @Flag(help: "Repair every migration that needs it.")
        var all = false

        func validate() throws {
            if ids.isEmpty && !all { throw ValidationError("name the migration ids to repair (see `cutover validate`), or pass --all") }
            if !ids.isEmpty && all { throw ValidationError("pass ids or --all, not both") }
            for id in ids { _ = try parseMigrationID(id, option: "repair") }
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let actions = try await context.withMigrator { migrator, _ in
                    let chosen = all
                        ? try await migrator.status().filter { [.changed, .failed, .missing].contains($0.kind) }.map(\.id)
                        : try ids.map { try parseMigrationID($0, option: "repair") }
                    return chosen.isEmpty ? [] : try await migrator.repair(chosen)
                }
                context.output(.object([
                    ("ok", .bool(true)),
                    ("repaired", .array(actions.map { .object([("id", .string($0.id.rawValue)), ("action", .string($0.action)), ("detail", .string($0.detail))]) })),
                ])) {
                    if actions.isEmpty { Terminal.out("nothing needs repair") }
                    for action in actions { Terminal.out("\(action.id): \(action.action.replacingOccurrences(of: "_", with: " ")) (\(action.detail))") }
                }
            }
        }
    }
}
