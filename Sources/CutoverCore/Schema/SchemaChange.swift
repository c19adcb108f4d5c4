import Foundation

/// One difference between two schemas: an object added, removed or changed.
///
/// Objects inside a table (columns, constraints) are reported one by one, so a table that
/// gained a column is a `changed`-free list with one `added` column. A changed object
/// lists its changed ``properties``, each with the value before and after.
///
/// ```swift
/// for change in SchemaDiff(from: production, to: staging).changes {
///     print(change.action, change.kind, change.name)      // changed column public.users.email
///     for property in change.properties { print("  \(property)") }  // type: text → character varying(200)
/// }
/// ```
public struct SchemaChange: Sendable, Codable, Equatable {
    /// Whether the object was added, removed or changed (going from the source to the target).
    public var action: Action
    /// What kind of object it is.
    public var kind: ObjectKind
    /// The object's display name: `public.users`, `public.users.email` for a column,
    /// `public.orders_user_id_fkey` for a constraint, `public.touch(integer)` for a function.
    public var name: String
    /// The table (or view) the object belongs to, for columns, constraints, indexes and triggers.
    public var table: String?
    /// A one-line description of an added or removed object (a column's type, an index's
    /// definition); nil for changed objects.
    public var summary: String?
    /// What changed, for `changed` objects.
    public var properties: [PropertyChange]

    /// Creates a change.
    public init(
        action: Action, kind: ObjectKind, name: String, table: String? = nil, summary: String? = nil,
        properties: [PropertyChange] = []
    ) {
        self.action = action
        self.kind = kind
        self.name = name
        self.table = table
        self.summary = summary
        self.properties = properties
    }

    /// Added, removed or changed.
    public enum Action: String, Sendable, Codable, CaseIterable {
        /// In the target only.
        case added
        /// In the source only.
        case removed
        /// In both, with different properties.
        case changed

        /// `+`, `-` or `~`, as in the text form.
        public var symbol: String {
            switch self {
            case .added: "+"
            case .removed: "-"
            case .changed: "~"
            }
        }
    }

    /// An open set of object kinds, with a stable raw value for JSON (`enum_type`).
    public struct ObjectKind: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The stable identifier used in JSON.
        public let rawValue: String

        /// Creates a kind.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// Decodes the raw value.
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        /// Encodes the raw value.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        /// The kind in words (`enum type`).
        public var description: String { rawValue.replacingOccurrences(of: "_", with: " ") }

        /// A PostgreSQL schema (namespace).
        public static let schema = ObjectKind("schema")
        /// An extension.
        public static let `extension` = ObjectKind("extension")
        /// An enum type.
        public static let enumType = ObjectKind("enum_type")
        /// A sequence.
        public static let sequence = ObjectKind("sequence")
        /// A function or procedure.
        public static let function = ObjectKind("function")
        /// A table.
        public static let table = ObjectKind("table")
        /// A column of a table.
        public static let column = ObjectKind("column")
        /// A table constraint.
        public static let constraint = ObjectKind("constraint")
        /// An index.
        public static let index = ObjectKind("index")
        /// A view.
        public static let view = ObjectKind("view")
        /// A materialized view.
        public static let materializedView = ObjectKind("materialized_view")
        /// A trigger.
        public static let trigger = ObjectKind("trigger")
    }
}

/// One property of a changed object, with its value in the source and in the target
/// (nil: not set).
public struct PropertyChange: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The property's name (`type`, `nullable`, `default`, `definition`).
    public var property: String
    /// The value in the source schema.
    public var from: String?
    /// The value in the target schema.
    public var to: String?

    /// Creates a property change.
    public init(_ property: String, from: String?, to: String?) {
        self.property = property
        self.from = from
        self.to = to
    }

    /// `type: text → bigint`; multi-line values are shown on their own lines.
    public var description: String {
        let before = (from ?? "(none)").trimmingCharacters(in: .whitespacesAndNewlines)
        let after = (to ?? "(none)").trimmingCharacters(in: .whitespacesAndNewlines)
        if before.contains("\n") || after.contains("\n") || before.count + after.count > 100 {
            return "\(property):\n  from: \(before.replacingOccurrences(of: "\n", with: "\n        "))\n  to:   \(after.replacingOccurrences(of: "\n", with: "\n        "))"
        }
        return "\(property): \(before) → \(after)"
    }
}
