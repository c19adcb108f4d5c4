import Crypto

/// A database's schema, normalised to sorted lines of text, and the exact row count of
/// every table: what `cutover backup` records and `cutover backup verify` compares.
///
/// The schema lines come from the database's catalog (PostgreSQL `pg_catalog`: columns
/// with types, defaults and nullability, constraints, indexes, views, sequences, functions,
/// triggers, types; SQLite: `sqlite_schema`), without anything that changes on a restore
/// (object ids, storage positions), so a faithful restore gives equal lines.
///
/// ```swift
/// let before = try await live.summarizeContents()
/// let after = try await restored.summarizeContents()
/// for problem in after.differences(from: before) { print(problem) }
/// ```
public struct ContentsSummary: Sendable, Equatable, Codable {
    /// Schema lines, sorted.
    public var schema: [String]
    /// Rows per table, keyed by the qualified table name (`public.users`; SQLite: `users`).
    public var rowCounts: [String: Int]

    /// Creates a summary; `schema` is sorted.
    public init(schema: [String], rowCounts: [String: Int]) {
        self.schema = schema.sorted()
        self.rowCounts = rowCounts
    }

    /// The SHA-256 of the schema lines joined by newlines, in lowercase hex.
    public var schemaChecksum: String { SHA256.hex(schema.joined(separator: "\n").utf8) }

    /// Rows in all tables.
    public var totalRows: Int { rowCounts.values.reduce(0, +) }

    /// What differs from `expected`, one sentence per difference (empty when equal):
    /// schema lines missing or extra, tables missing or extra, row counts that differ.
    ///
    /// - Parameters:
    ///   - expected: the summary recorded earlier.
    ///   - limit: the most differences to list; the last entry then says how many more there were.
    /// - Returns: the differences, schema first, then tables by name.
    public func differences(from expected: ContentsSummary, limit: Int = 50) -> [String] {
        var problems: [String] = []
        if schema != expected.schema {
            let have = Set(schema)
            let want = Set(expected.schema)
            for line in expected.schema where !have.contains(line) { problems.append("schema line missing: \(line)") }
            for line in schema where !want.contains(line) { problems.append("schema line not in the backup's record: \(line)") }
        }
        problems += Self.rowCountDifferences(rowCounts, expected: expected.rowCounts)
        if problems.count > limit {
            let more = problems.count - limit
            problems = Array(problems.prefix(limit)) + ["… and \(more) more difference\(more == 1 ? "" : "s")"]
        }
        return problems
    }

    /// Differences between two sets of row counts, one sentence per table.
    ///
    /// - Parameters:
    ///   - actual: counts found now.
    ///   - expected: counts recorded earlier.
    /// - Returns: the differences, by table name.
    public static func rowCountDifferences(_ actual: [String: Int], expected: [String: Int]) -> [String] {
        var problems: [String] = []
        for table in Set(actual.keys).union(expected.keys).sorted() {
            switch (expected[table], actual[table]) {
            case (let want?, let have?) where want != have:
                problems.append("table \(table) has \(have) row\(have == 1 ? "" : "s"), the backup recorded \(want)")
            case (let want?, nil):
                problems.append("table \(table) (\(want) row\(want == 1 ? "" : "s") recorded) is missing")
            case (nil, let have?):
                problems.append("table \(table) (\(have) row\(have == 1 ? "" : "s")) is not in the backup's record")
            default:
                break
            }
        }
        return problems
    }

    enum CodingKeys: String, CodingKey {
        case schema
        case rowCounts = "row_counts"
    }
}
