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
/// runs when the function is called, not at deploy time).
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
        linter.lint(files.flatMap(lintedMigrations(of:)), dialect: dialect)
    }

    /// The hand-written SQL of `file` as migrations the ``Linter`` reads: one per operation
    /// (each runs in its own transaction), every statement at the operation's line.
    static func lintedMigrations(of file: ExpandContractFile) -> [Migration] {
        file.migration.operations.compactMap { operation in
            let written: (up: String, down: String?)
            switch operation {
            case let sql as RawSQL: written = (sql.up, sql.down)
            case let view as CreateView: written = (view.sql, nil)
            case let function as ReplaceFunction where function.language.lowercased() == "sql": written = (function.body, nil)
            default: return nil
            }
            return Migration(
                id: file.migration.id, name: file.migration.name, fileName: file.path, up: statements(written.up, line: operation.line),
                down: written.down.map { statements($0, line: operation.line) }, isTransactional: true, checksum: file.checksum)
        }
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
