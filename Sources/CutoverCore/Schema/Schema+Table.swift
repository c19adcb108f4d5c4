import Foundation

extension Schema {
    /// A table: its columns, constraints and table-level properties.
    ///
    /// Indexes and triggers are kept at the top level of ``Schema`` (they have their own
    /// names); constraints are part of the table.
    ///
    /// ```swift
    /// let users = Schema.Table(name: .init("users", schema: "public"), columns: [
    ///     .init(name: "id", type: "bigint", isNullable: false),
    ///     .init(name: "email", type: "text", isNullable: false),
    /// ], constraints: [.init(name: "users_pkey", kind: .primaryKey, columns: ["id"], definition: "PRIMARY KEY (id)")])
    /// ```
    public struct Table: Sendable, Codable, Equatable {
        /// The table's name.
        public var name: ObjectName
        /// Columns in their physical order. Column order is not compared by ``SchemaDiff``.
        public var columns: [Column]
        /// Primary key, unique, check, foreign key and exclusion constraints, by name.
        public var constraints: [Constraint]
        /// `COMMENT ON TABLE`.
        public var comment: String?
        /// PostgreSQL: the partition key of a partitioned table (`RANGE (created_at)`).
        public var partitionKey: String?
        /// PostgreSQL: the partitioned table this table is a partition of.
        public var partitionOf: ObjectName?
        /// PostgreSQL: the partition bound (`FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`).
        public var partitionBound: String?
        /// PostgreSQL: storage parameters (`fillfactor=70`).
        public var options: [String]
        /// PostgreSQL: `UNLOGGED`.
        public var isUnlogged: Bool
        /// SQLite: the `CREATE TABLE` statement as stored in `sqlite_schema`; nil on PostgreSQL.
        public var definition: String?
        /// SQLite: `WITHOUT ROWID`.
        public var isWithoutRowID: Bool
        /// SQLite: `STRICT`.
        public var isStrict: Bool
        /// SQLite: a virtual table (`CREATE VIRTUAL TABLE … USING fts5`).
        public var isVirtual: Bool
        /// SQLite: the integer primary key is `AUTOINCREMENT`.
        public var hasAutoincrement: Bool

        /// Creates a table.
        public init(
            name: ObjectName, columns: [Column] = [], constraints: [Constraint] = [], comment: String? = nil,
            partitionKey: String? = nil, partitionOf: ObjectName? = nil, partitionBound: String? = nil,
            options: [String] = [], isUnlogged: Bool = false, definition: String? = nil,
            isWithoutRowID: Bool = false, isStrict: Bool = false, isVirtual: Bool = false, hasAutoincrement: Bool = false
        ) {
            self.name = name
            self.columns = columns
            self.constraints = constraints.sorted { $0.name < $1.name }
            self.comment = comment
            self.partitionKey = partitionKey
            self.partitionOf = partitionOf
            self.partitionBound = partitionBound
            self.options = options
            self.isUnlogged = isUnlogged
            self.definition = definition
            self.isWithoutRowID = isWithoutRowID
            self.isStrict = isStrict
            self.isVirtual = isVirtual
            self.hasAutoincrement = hasAutoincrement
        }

        /// The column called `name`, if any.
        public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

        /// The primary key constraint, if any.
        public var primaryKey: Constraint? { constraints.first { $0.kind == .primaryKey } }

        /// The foreign keys.
        public var foreignKeys: [Constraint] { constraints.filter { $0.kind == .foreignKey } }
    }

    /// One column of a table.
    ///
    /// ```swift
    /// let email = Schema.Column(name: "email", type: "text", isNullable: false, collation: "\"C\"")
    /// ```
    public struct Column: Sendable, Codable, Equatable {
        /// The column's name.
        public var name: String
        /// The type as the database prints it (PostgreSQL `format_type`: `character varying(200)`,
        /// `public.mood`; SQLite: the declared type, possibly empty).
        public var type: String
        /// Whether NULL is allowed (no `NOT NULL`).
        public var isNullable: Bool
        /// The `DEFAULT` expression as SQL, if any.
        public var defaultExpression: String?
        /// `GENERATED … AS IDENTITY`, if the column is an identity column (PostgreSQL).
        public var identity: Identity?
        /// `GENERATED ALWAYS AS (…)`, if the column is computed.
        public var generated: Generated?
        /// The collation when it is not the type's default (`"C"`, `NOCASE`).
        public var collation: String?
        /// `COMMENT ON COLUMN`.
        public var comment: String?
        /// SQLite: the column's definition as written in `CREATE TABLE`, used to add it with
        /// `ALTER TABLE … ADD COLUMN`; nil on PostgreSQL.
        public var definition: String?

        /// Creates a column.
        public init(
            name: String, type: String, isNullable: Bool = true, defaultExpression: String? = nil,
            identity: Identity? = nil, generated: Generated? = nil, collation: String? = nil, comment: String? = nil,
            definition: String? = nil
        ) {
            self.name = name
            self.type = type
            self.isNullable = isNullable
            self.defaultExpression = defaultExpression
            self.identity = identity
            self.generated = generated
            self.collation = collation
            self.comment = comment
            self.definition = definition
        }

        /// How an identity column generates values.
        public enum Identity: String, Sendable, Codable {
            /// `GENERATED ALWAYS AS IDENTITY`: inserts may not give a value.
            case always = "ALWAYS"
            /// `GENERATED BY DEFAULT AS IDENTITY`: inserts may give a value.
            case byDefault = "BY DEFAULT"
        }

        /// A computed column.
        public struct Generated: Sendable, Codable, Equatable {
            /// The expression, as SQL.
            public var expression: String
            /// `STORED` (computed on write) rather than `VIRTUAL` (computed on read, SQLite).
            public var isStored: Bool

            /// Creates a computed-column description.
            public init(expression: String, isStored: Bool) {
                self.expression = expression
                self.isStored = isStored
            }
        }
    }
}
