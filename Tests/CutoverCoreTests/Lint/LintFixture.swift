import CutoverCore
import Foundation
import Testing

/// Builds migrations from SQL the way files are parsed (so `-- cutover:allow` comments go
/// through ``MigrationFileParser``) and lints them.
enum LintFixture {
    /// `-- cutover:up` then `sql`; statements start on line 2, or line 3 with `noTransaction`.
    static func migration(_ sql: String, id: Int = 1, noTransaction: Bool = false) throws -> Migration {
        let header = noTransaction ? "-- cutover:no-transaction\n" : ""
        return try MigrationFileParser().parse(fileName: "\(id)_fixture.sql", contents: header + "-- cutover:up\n" + sql + "\n")
    }

    /// The findings for `sql`, linted after the `earlier` migrations (which are not reported).
    static func findings(
        _ sql: String, earlier: [String] = [], noTransaction: Bool = false, dialect: any Dialect = PostgresDialect(),
        configuration: Linter.Configuration = .init(lockTimeoutConfigured: true)
    ) throws -> [LintFinding] {
        var migrations = try earlier.enumerated().map { try migration($0.element, id: $0.offset + 1) }
        let last = try migration(sql, id: earlier.count + 1, noTransaction: noTransaction)
        migrations.append(last)
        return Linter(configuration: configuration).lint(migrations, dialect: dialect).filter { $0.migrationID == last.id }
    }

    /// The rule ids reported for `sql`, in order.
    static func rules(
        _ sql: String, earlier: [String] = [], noTransaction: Bool = false, dialect: any Dialect = PostgresDialect(),
        configuration: Linter.Configuration = .init(lockTimeoutConfigured: true)
    ) throws -> [String] {
        try findings(sql, earlier: earlier, noTransaction: noTransaction, dialect: dialect, configuration: configuration).map(\.rule)
    }
}

/// One statement sequence that must (positive) or must not (negative) trigger `rule`.
struct RuleFixture: Sendable, CustomTestStringConvertible {
    var rule: String
    var sql: String
    var earlier: [String] = []
    var noTransaction = false
    var sqlite = false
    var lockTimeoutConfigured = true
    var postgresVersion: Int?
    /// For positives: the line the finding must name.
    var line: Int?

    var testDescription: String { "\(rule)\(sqlite ? " (sqlite)" : ""): \(sql.replacingOccurrences(of: "\n", with: " ").prefix(70))" }

    func findings() throws -> [LintFinding] {
        try LintFixture.findings(
            sql, earlier: earlier, noTransaction: noTransaction, dialect: sqlite ? SQLiteDialect() : PostgresDialect(),
            configuration: .init(postgresVersion: postgresVersion, lockTimeoutConfigured: lockTimeoutConfigured))
    }
}
