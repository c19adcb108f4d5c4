import ArgumentParser
import Cutover
import CutoverCore
import CutoverOperations
import Foundation

extension CutoverCommand {
    /// `cutover new NAME`: writes `migrations/<UTC timestamp>_<name>.sql`, marked as a draft;
    /// with `--ops`, an expand/contract migration `<UTC timestamp>_<name>.yaml` of commented
    /// example operations (``OperationsFileTemplate``).
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Create a migration file named <UTC YYYYMMDDHHMMSS>_<name>.sql.",
            discussion: """
                The file starts with `-- cutover:draft`: `migrate` stops before it until you delete that line. \
                With --ops, the file is an expand/contract migration (.yaml, in progress) of commented example operations.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "What the migration does, e.g. add_email_to_users.")
        var name: String

        @Flag(help: "Mark the migration -- cutover:no-transaction (for CREATE INDEX CONCURRENTLY).")
        var noTransaction = false

        @Flag(help: "Write an expand/contract migration (<id>_<name>.yaml, a list of operations; in progress) instead of SQL.")
        var ops = false

        func validate() throws {
            if ops && noTransaction { throw ValidationError("--no-transaction applies to .sql migrations; drop it with --ops") }
            let cleaned = Self.clean(name)
            guard !cleaned.isEmpty else { throw ValidationError("the name must contain letters or digits, e.g. add_email_to_users") }
        }

        /// The name part of the file: what every command's folder reader accepts.
        static func clean(_ name: String) -> String {
            MigrationFileParser.fileNameSlug(name)
        }

        func run() async throws {
            try await CommandContext.run(global) { context in
                let folder = context.config.migrationsDirectory
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CutoverError(.missingMigrations, "the migrations folder '\(folder)' does not exist", hint: "create it, or run `cutover init`")
                }
                // Ids of both kinds of migration files: a .yaml one must not share an id with a .sql one.
                let existing = Set(try FileManager.default.contentsOfDirectory(atPath: folder).compactMap {
                    MigrationFileParser.parseFileName($0.hasSuffix(".yaml") ? String($0.dropLast(5)) + ".sql" : $0)?.id
                })
                var date = Date()
                var id = Self.timestamp(date)
                while existing.contains(MigrationID(id)!) {
                    date += 1
                    id = Self.timestamp(date)
                }
                let fileName = "\(id)_\(Self.clean(name)).\(ops ? "yaml" : "sql")"
                let path = (folder as NSString).appendingPathComponent(fileName)
                let body = ops ? OperationsFileTemplate.text : Self.template(noTransaction: noTransaction)
                guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)) else {
                    throw CutoverError(.ioFailed, "cannot write '\(path)'", hint: "check the folder's permissions")
                }
                // The list in cutover.sum gets the new file, so a branch adding another one conflicts.
                try MigrationSumFile.write(in: folder)
                context.output(.object([("ok", .bool(true)), ("id", .string(id)), ("file", .string(path)), ("draft", .bool(true))])) {
                    Terminal.out(ops
                        ? "created \(path) (uncomment and edit the operations you need)"
                        : "created \(path) (a draft: delete its `-- cutover:draft` line once written)")
                }
            }
        }

        /// The new file: marked `-- cutover:draft` (so `migrate` stops before it until the
        /// user deletes that line), with an up section and a down section to fill in.
        static func template(noTransaction: Bool) -> String {
            """
            -- cutover:draft
            -- Delete the line above once the migration is written: until then `cutover migrate` stops
            -- before this file and `cutover status` lists it as a draft.
            \(noTransaction ? "-- cutover:no-transaction\n" : "")-- cutover:up


            -- cutover:down
            -- Undo the up section here. If rolling back should intentionally run nothing, write the
            -- line above as `-- cutover:down empty` (otherwise `cutover rollback` refuses an empty one).


            """
        }

        static func timestamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMddHHmmss"
            return formatter.string(from: date)
        }
    }
}
