import CutoverCore
import CutoverOperations
import Foundation

/// `cutover lint` for `.yaml` migrations: the SQL the user writes by hand in them goes through
/// the same rules as a `.sql` migration, reported at the `.yaml` file and the operation's line.
///
/// Linted: a `sql` operation's `up` (run as written, in one transaction under `lock_timeout`,
/// by the expand phase) and `down` (run by abort), a `create_view`'s query, and the body of a
/// `replace_function` in `language: sql`. Not linted: the statements Cutover generates for the
/// operations, which are built to take only short locks under `lock_timeout` (a plpgsql body
/// runs when the function is called, not at deploy time). `# cutover:allow RULE` on the line
/// above an operation accepts a finding of its SQL.
///
/// ```swift
/// let files = try ExpandContractFile.loadAll(folder: "migrations")
/// let findings = ExpandContractLint.findings(of: files, linter: Linter(), dialect: PostgresDialect())
/// ```
public enum ExpandContractLint {
    /// The findings of the hand-written SQL of `files`, in file then operation order.
    ///
    /// - Parameters:
    ///   - files: parsed `.yaml` migrations; their ``ExpandContractFile/path`` names the file
    ///     in the findings.
    ///   - linter: the rules' configuration (server version, lock timeout).
    ///   - dialect: the database the migrations run on.
    /// - Returns: the findings.
    public static func findings(of files: [ExpandContractFile], linter: Linter, dialect: any Dialect) -> [LintFinding] {
        linter.lint(files.flatMap(lintedMigrations(of:)), dialect: dialect).map { finding in
            var finding = finding
            // A `sql` operation runs in a transaction: the fix for .sql files (a migration of its
            // own, marked no-transaction) reads differently here.
            if finding.rule == "require-concurrent-index-creation" || finding.rule == "concurrently-in-transaction" {
                finding.safeRewrite = "use a `create_index` operation instead: Cutover builds it with CREATE INDEX CONCURRENTLY, outside a transaction (a `sql` operation's up runs in one, so CONCURRENTLY fails there). Or move the statement to a .sql migration marked `-- cutover:no-transaction`."
            }
            return finding
        }
    }

    /// The hand-written SQL of `file` as migrations the ``Linter`` reads: one per operation
    /// (each runs in its own transaction), every statement at the operation's line.
    static func lintedMigrations(of file: ExpandContractFile) -> [Migration] {
        let allowances = allowances(in: (try? RegularFile.readText(file.path, code: .invalidMigration)) ?? "")
        return file.migration.operations.compactMap { operation in
            let written: (up: String, down: String?)
            switch operation {
            case let sql as RawSQL: written = (sql.up, sql.down)
            case let view as CreateView: written = (view.sql, nil)
            case let function as ReplaceFunction where function.language.lowercased() == "sql": written = (function.body, nil)
            default: return nil
            }
            return Migration(
                id: file.migration.id, name: file.migration.name, fileName: file.path, up: statements(written.up, line: operation.line),
                down: written.down.map { statements($0, line: operation.line) }, isTransactional: true, checksum: file.checksum,
                allowances: allowances[operation.line].map { [operation.line: $0] } ?? [:])
        }
    }

    /// The rule ids of `# cutover:allow RULE[, RULE]` comments, keyed by the 1-based line of
    /// the operation below them (a run of such comments directly above it), as
    /// `-- cutover:allow` does for a statement of a `.sql` file.
    static func allowances(in text: String) -> [Int: Set<String>] {
        var result: [Int: Set<String>] = [:]
        var pending: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("#") {
                let comment = trimmed.dropFirst().drop { $0 == " " }
                if comment.hasPrefix("cutover:allow") {
                    let ids = comment.dropFirst("cutover:allow".count).split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }
                    pending.formUnion(ids.map(String.init))
                }
                continue
            }
            if !pending.isEmpty, !trimmed.isEmpty {
                result[index + 1] = pending
            }
            pending = []
        }
        return result
    }

    /// The statements of `sql`, each at `line` (the operation's: the YAML value's own lines
    /// are not kept by the parser).
    private static func statements(_ sql: String, line: Int) -> [SQLStatement] {
        let split = (try? SQLSplitter().split(sql)) ?? [SQLStatement(sql: sql, line: 1)]
        return split.map { SQLStatement(sql: $0.sql, line: line) }
    }
}

extension ExpandContractFile {
    /// Reads and parses the `.yaml` (or `.yml`) migration at `path`, named `<id>_<name>.yaml`.
    ///
    /// - Throws: `CutoverError` `.invalidMigration` with file and line when it cannot be read
    ///   or does not parse.
    public static func load(path: String) throws -> ExpandContractFile {
        let text = try RegularFile.readText(path, code: .invalidMigration)
        return ExpandContractFile(path: path, migration: try OperationsFileParser.parse(text, fileName: path), checksum: Checksum.of(fileContents: text))
    }
}
