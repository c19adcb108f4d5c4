import Foundation

/// `migrations/cutover.sum`: the migration files in id order, under a hash of that list.
///
/// It exists for git, not for Cutover: two branches that each add a migration both change
/// the list's last lines and its hash line, so merging them is a conflict someone must look
/// at, instead of two migrations silently interleaving (Atlas keeps `atlas.sum` for the same
/// reason). Contents are not hashed here: an edited file is caught by the checksum in the
/// history table, and a draft can be edited freely. `cutover new` and `cutover sum` write the
/// file; `cutover validate` checks it without a database.
///
/// ```text
/// h1:3f0c…e9   (SHA-256 of the lines below)
/// 20261101090000_create_users.sql
/// 20261108140000_add_orders.sql
/// ```
public struct MigrationSum: Sendable, Equatable {
    /// `cutover.sum`, in the migrations folder.
    public static let fileName = "cutover.sum"

    /// Migration file names, in id order.
    public var files: [String]

    /// The list for these migration files (any order; others are ignored), sorted by id.
    public init(fileNames: some Sequence<String>) {
        files = fileNames
            .compactMap { name in MigrationFileParser.parseFileName(name).map { (id: $0.id, name: name) } }
            .sorted { ($0.id, $0.name) < ($1.id, $1.name) }
            .map(\.name)
    }

    /// The file's text: the hash line, then one file per line.
    public var text: String {
        "h1:\(Self.hash(files))\n" + files.map { $0 + "\n" }.joined()
    }

    /// What differs between the file's text (`written`) and the migration files there are
    /// (`self`): files not listed, files listed but gone, a different order, or a hash
    /// line that does not match its list (a merge resolved by hand). Empty when they agree.
    public func problems(comparedWith written: String) -> [String] {
        var lines = written.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let header = lines.first, header.hasPrefix("h1:") else {
            return ["\(Self.fileName) has no `h1:` hash line"]
        }
        lines.removeFirst()
        var problems: [String] = []
        if String(header.dropFirst(3)) != Self.hash(lines) {
            problems.append("\(Self.fileName) was edited by hand (its hash line does not match its list; a merge conflict resolved without `cutover sum`?)")
        }
        let listed = Set(lines)
        let present = Set(files)
        for file in files where !listed.contains(file) { problems.append("\(file) is not in \(Self.fileName)") }
        for file in lines where !present.contains(file) { problems.append("\(file) is listed in \(Self.fileName) but there is no such migration file") }
        if problems.isEmpty && lines != files { problems.append("\(Self.fileName) lists the migrations in another order than their ids") }
        return problems
    }

    private static func hash(_ lines: [String]) -> String {
        Checksum.of(fileContents: lines.map { $0 + "\n" }.joined())
    }
}
