import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover sum`: rewrites `migrations/cutover.sum`.
    struct Sum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sum",
            abstract: "Write migrations/cutover.sum: the migration files in id order under a hash, so that two branches adding migrations conflict in git.",
            discussion: "`cutover new` keeps it up to date; run this after adding or renaming a file by hand, or after resolving a merge conflict in it (check the order first). `cutover validate` checks it without a database.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await CommandContext.run(global) { context in
                let folder = context.config.migrationsDirectory
                let sum = try MigrationSumFile.write(in: folder)
                context.output(.object([("ok", .bool(true)), ("file", .string(folder + "/" + MigrationSum.fileName)), ("migrations", .int(sum.files.count))])) {
                    Terminal.out("wrote \(folder)/\(MigrationSum.fileName) (\(sum.files.count) migration\(sum.files.count == 1 ? "" : "s"))")
                }
            }
        }
    }
}
