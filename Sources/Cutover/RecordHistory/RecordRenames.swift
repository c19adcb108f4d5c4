import CutoverCore
import CutoverOperations
import Foundation

/// The renames of tables and columns a migration makes, as record history follows them:
/// `.yaml` migrations' `rename_column` and `rename_table` operations, and `.sql` migrations'
/// `ALTER TABLE … RENAME [COLUMN] … TO …` and `ALTER TABLE … RENAME TO …` statements.
/// Names compare without regard to case (unquoted SQL names fold).
struct RecordRenames: Sendable, Hashable {
    /// One rename.
    enum Rename: Sendable, Hashable {
        case column(table: String, from: String, to: String)
        case table(from: String, to: String)
    }

    /// The migration that makes them.
    var migration: MigrationID
    /// In file order.
    var renames: [Rename]

    /// The renames of a `.sql` migration.
    init(_ migration: Migration) {
        self.migration = migration.id
        renames = migration.up.flatMap { Self.renames(inSQL: $0.sql) }
    }

    /// The renames of a `.yaml` migration.
    init(_ migration: ExpandContractMigration) {
        self.migration = migration.id
        renames = migration.operations.compactMap { operation in
            switch operation {
            case let rename as RenameColumn: .column(table: rename.table, from: rename.from, to: rename.to)
            case let rename as RenameTable: .table(from: rename.from, to: rename.to)
            default: nil
            }
        }
    }

    private static let identifier = #"("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)"#
    private static let qualified = #"(?:(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*)?"# + identifier
    private static let alterTable = #"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"# + qualified
    nonisolated(unsafe) private static let renameColumn = try! NSRegularExpression(
        pattern: alterTable + #"\s+RENAME\s+(?:COLUMN\s+)?(?!TO\b)"# + identifier + #"\s+TO\s+"# + identifier, options: [.caseInsensitive])
    nonisolated(unsafe) private static let renameTable = try! NSRegularExpression(
        pattern: alterTable + #"\s+RENAME\s+TO\s+"# + identifier, options: [.caseInsensitive])

    /// The renames one SQL statement makes.
    static func renames(inSQL sql: String) -> [Rename] {
        let range = NSRange(sql.startIndex..., in: sql)
        let text = { (match: NSTextCheckingResult, group: Int) -> String in
            Range(match.range(at: group), in: sql).map { unquoted(String(sql[$0])) } ?? ""
        }
        if let match = renameTable.firstMatch(in: sql, range: range) {
            return [.table(from: text(match, 1), to: text(match, 2))]
        }
        if let match = renameColumn.firstMatch(in: sql, range: range) {
            return [.column(table: text(match, 1), from: text(match, 2), to: text(match, 3))]
        }
        return []
    }

    /// A quoted name without its quotes; an unquoted one as written.
    static func unquoted(_ name: String) -> String {
        guard name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 else { return name }
        return String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}
