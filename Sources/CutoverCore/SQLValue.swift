/// A value bound to, or read from, a statement. Kept small on purpose: Cutover's own
/// tables use only these types, and drivers convert at their edge.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .text(let value): value
        case .bool(let value): String(value)
        }
    }

    /// The value as text, or nil for NULL.
    public var string: String? {
        if case .null = self { return nil }
        return description
    }

    /// The value as an integer when it is one (or numeric text), else nil.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): Int64(exactly: value)
        case .text(let value): Int64(value)
        case .bool(let value): value ? 1 : 0
        case .null: nil
        }
    }

    /// Convenience for optional text.
    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// Convenience for optional integers.
    public static func integer(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
}

/// One result row: column names and values in the order the query returned them.
public struct Row: Sendable {
    /// Column names, in order.
    public let columns: [String]
    /// Values, one per column.
    public let values: [SQLValue]

    /// Creates a row.
    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The value of the named column, or nil when there is no such column.
    public subscript(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// The named column as text (nil for NULL or no such column).
    public func string(_ column: String) -> String? { self[column]?.string }
    /// The named column as an integer (nil for NULL or no such column).
    public func int(_ column: String) -> Int? { self[column]?.int.map { Int($0) } }
}
