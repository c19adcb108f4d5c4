import ArgumentParser
import Cutover
import CutoverCore

extension CutoverCommand {
    /// `cutover validate`: files parse, checksums match, order holds, nothing failed.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check migration files against the database: parse errors, changed checksums, out-of-order ids, failed rows. Exit 3 on findings.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await CommandContext.run(global) { context in
                let (findings, count) = try await context.withMigrator { migrator, _ in (try await migrator.validate(), migrator.migrations.count) }
                context.output(.object([
                    ("ok", .bool(findings.isEmpty)), ("migrations", .int(count)),
                    ("findings", .array(findings.map {
                        .object([("kind", .string($0.kind.rawValue)), ("id", .string($0.id.rawValue)), ("file", .string($0.file)),
                                 ("message", .string($0.message)), ("hint", .string($0.hint))])
                    })),
                ])) {
                    if findings.isEmpty { Terminal.out("\(count) migration file\(count == 1 ? "" : "s") valid") }
                    for finding in findings {
                        Terminal.out("\(finding.kind): \(finding.message)\n  hint: \(finding.hint)")
                    }
                }
                if !findings.isEmpty { throw ExitCode(3) }
            }
        }
    }
}
