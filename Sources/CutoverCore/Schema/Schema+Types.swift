import Foundation

extension Schema {
    /// A PostgreSQL schema (namespace).
    public struct Namespace: Sendable, Codable, Equatable {
        /// The schema's name.
        public var name: String
        /// `COMMENT ON SCHEMA`.
        public var comment: String?

        /// Creates a namespace.
        public init(name: String, comment: String? = nil) {
            self.name = name
            self.comment = comment
        }
    }

    /// An installed extension (`CREATE EXTENSION`). The objects it creates are not listed
    /// separately.
    public struct Extension: Sendable, Codable, Equatable {
        /// The extension's name.
        public var name: String
        /// The schema its objects live in.
        public var schema: String
        /// The installed version.
        public var version: String

        /// Creates an extension.
        public init(name: String, schema: String, version: String) {
            self.name = name
            self.schema = schema
            self.version = version
        }
    }

    /// An enumerated type (`CREATE TYPE mood AS ENUM ('sad', 'ok')`).
    public struct EnumType: Sendable, Codable, Equatable {
        /// The type's name.
        public var name: ObjectName
        /// The labels, in sort order.
        public var labels: [String]
        /// `COMMENT ON TYPE`.
        public var comment: String?

        /// Creates an enum type.
        public init(name: ObjectName, labels: [String], comment: String? = nil) {
            self.name = name
            self.labels = labels
            self.comment = comment
        }
    }

    /// A sequence. Sequences behind identity columns belong to the column and are not
    /// listed; those behind `serial` columns are, with ``ownedBy`` set.
    public struct Sequence: Sendable, Codable, Equatable {
        /// The sequence's name.
        public var name: ObjectName
        /// `smallint`, `integer` or `bigint`.
        public var dataType: String
        /// `START WITH`.
        public var start: Int64
        /// `INCREMENT BY`.
        public var increment: Int64
        /// `MINVALUE`.
        public var minValue: Int64
        /// `MAXVALUE`.
        public var maxValue: Int64
        /// `CACHE`.
        public var cache: Int64
        /// `CYCLE`.
        public var cycles: Bool
        /// The column that owns it (`OWNED BY`): dropping the column drops the sequence.
        public var ownedBy: ColumnReference?
        /// `COMMENT ON SEQUENCE`.
        public var comment: String?

        /// Creates a sequence.
        public init(
            name: ObjectName, dataType: String = "bigint", start: Int64 = 1, increment: Int64 = 1, minValue: Int64 = 1,
            maxValue: Int64 = .max, cache: Int64 = 1, cycles: Bool = false, ownedBy: ColumnReference? = nil,
            comment: String? = nil
        ) {
            self.name = name
            self.dataType = dataType
            self.start = start
            self.increment = increment
            self.minValue = minValue
            self.maxValue = maxValue
            self.cache = cache
            self.cycles = cycles
            self.ownedBy = ownedBy
            self.comment = comment
        }
    }

    /// A column of a table, named from outside the table.
    public struct ColumnReference: Sendable, Codable, Hashable, CustomStringConvertible {
        /// The table.
        public var table: ObjectName
        /// The column.
        public var column: String

        /// Creates a reference.
        public init(table: ObjectName, column: String) {
            self.table = table
            self.column = column
        }

        /// `schema.table.column`.
        public var description: String { "\(table).\(column)" }
    }
}
