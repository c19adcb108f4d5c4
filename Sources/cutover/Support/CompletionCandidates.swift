import ArgumentParser
import Cutover
import CutoverCore
import Foundation

/// What the shell completes (`cutover --generate-completion-script bash|zsh|fish`): the
/// environment names of the nearest `cutover.toml` (or the one `--config` names on the
/// command line being typed) and the ids of its migration files. Never fails: without a
/// readable config nothing is offered.
enum CompletionCandidates {
    /// `--env`, `--from`, `--to` of promote: `[env.NAME]` names.
    static let environments = CompletionKind.custom { words, _, _ in
        (try? configuration(words))?.environments.keys.sorted() ?? []
    }

    /// `--to` of migrate/rollback/baseline, `repair IDS`: the ids of the migration files.
    static let migrationIDs = CompletionKind.custom { words, _, _ in
        guard let config = try? configuration(words),
            let files = try? FileManager.default.contentsOfDirectory(atPath: config.migrationsDirectory)
        else { return [] }
        let ids = files.compactMap { file -> String? in
            guard file.hasSuffix(".sql") || file.hasSuffix(".yaml") else { return nil }
            let id = file.prefix { $0.isASCII && $0.isNumber }
            return id.isEmpty ? nil : String(id)
        }
        return ids.sorted { ($0.count, $0) < ($1.count, $1) }
    }

    /// The configuration the command being typed would use.
    private static func configuration(_ words: [String]) throws -> CutoverCore.Configuration {
        var explicit: String?
        for (index, word) in words.enumerated() {
            if word == "--config", index + 1 < words.count { explicit = words[index + 1] }
            if word.hasPrefix("--config=") { explicit = String(word.dropFirst("--config=".count)) }
        }
        return try ConfigurationLoader().load(explicitPath: explicit)
    }
}
