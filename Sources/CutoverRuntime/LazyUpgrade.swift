import CutoverCore

/// One step of a ``LazyMigration``: what turns a row of the version before into a row of
/// ``toVersion``.
///
/// ```swift
/// .sql(to: 2, set: ["full_name": "first_name || ' ' || last_name"])
/// .swift(to: 3) { row in row["email"] = .text((row["email"]?.string ?? "").lowercased()) }
/// ```
public struct LazyUpgrade: Sendable {
    /// The row version after this step.
    public let toVersion: Int
    let body: Body

    enum Body: Sendable {
        /// `column = expression` pairs, run by the database in the row's `UPDATE`.
        case sql([(column: String, expression: String)])
        /// A change of the row's values in Swift.
        case swift(@Sendable (inout LazyRow) async throws -> Void)
    }

    /// SQL expressions over the row's columns, evaluated by the database.
    /// - Parameters:
    ///   - version: the row version after the step.
    ///   - assignments: column → SQL expression over the row's columns as they are before the step.
    public static func sql(to version: Int, set assignments: KeyValuePairs<String, String>) -> LazyUpgrade {
        LazyUpgrade(toVersion: version, body: .sql(assignments.map { (column: $0.key, expression: $0.value) }))
    }

    /// A Swift closure changing the row's values (it may await, e.g. to look something up).
    public static func swift(to version: Int, _ change: @escaping @Sendable (inout LazyRow) async throws -> Void) -> LazyUpgrade {
        LazyUpgrade(toVersion: version, body: .swift(change))
    }
}

/// A row's values by column, as a ``LazyUpgrade/swift(to:_:)`` step reads and changes them.
public struct LazyRow: Sendable {
    /// The values, by column.
    public private(set) var values: [String: SQLValue]
    /// The columns a step set.
    public private(set) var changed: [String] = []

    init(_ row: Row) {
        values = Dictionary(uniqueKeysWithValues: zip(row.columns, row.values))
    }

    /// The value of `column` (nil when the row has no such column); setting it marks it changed.
    public subscript(column: String) -> SQLValue? {
        get { values[column] }
        set {
            values[column] = newValue ?? .null
            if !changed.contains(column) { changed.append(column) }
        }
    }
}
