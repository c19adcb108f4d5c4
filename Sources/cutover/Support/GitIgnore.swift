import Foundation

/// A repository's `.gitignore`, to which `cutover init` adds what must not be committed.
/// Lines already there are kept and not repeated; nothing is removed.
struct GitIgnore {
    /// `<folder>/.gitignore`.
    let path: String

    /// What one ``adding(_:comment:)`` call did.
    struct Result {
        let path: String
        /// Whether the file was there before.
        let existed: Bool
        /// The lines added (those not already present).
        let added: [String]
    }

    init(folder: String) {
        path = (folder as NSString).appendingPathComponent(".gitignore")
    }

    /// Appends each of `lines` not already in the file, under a `# comment` line.
    /// - Throws: when the file cannot be read or written.
    func adding(_ lines: [String], comment: String) throws -> Result {
        let existed = FileManager.default.fileExists(atPath: path)
        let current = existed ? try String(contentsOfFile: path, encoding: .utf8) : ""
        let present = Set(current.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = lines.filter { !present.contains($0) && !present.contains(String($0.dropFirst())) }
        guard !missing.isEmpty else { return Result(path: path, existed: existed, added: []) }
        var text = current
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        if !text.isEmpty { text += "\n" }
        text += "# \(comment)\n" + missing.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return Result(path: path, existed: existed, added: missing)
    }
}
