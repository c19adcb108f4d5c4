import Foundation

extension Schema {
    /// A table constraint: primary key, unique, check, foreign key or exclusion.
    ///
    /// ``definition`` is the constraint as the database prints it without its name and
    /// without `NOT VALID` (PostgreSQL `pg_get_constraintdef`: `FOREIGN KEY (user_id)
    /// REFERENCES public.users(id) ON DELETE CASCADE`); the other properties break it down for
    /// programs. SQLite does not name most constraints, so there ``name`` is derived from the
    /// definition (`unique (email)`), which keeps it stable between databases.
    ///
    /// ```swift
    /// let fk = Schema.Constraint(
    ///     name: "orders_user_id_fkey", kind: .foreignKey, columns: ["user_id"],
    ///     definition: "FOREIGN KEY (user_id) REFERENCES public.users(id)",
    ///     references: .init(table: .init("users", schema: "public"), columns: ["id"]))
    /// ```
    public struct Constraint: Sendable, Codable, Equatable {
        /// The constraint's name (unique within its table).
        public var name: String
        /// What kind of constraint this is.
        public var kind: Kind
        /// The constrained columns, in order (empty for checks and expression-based exclusions).
        public var columns: [String]
        /// The constraint's SQL, without name and without `NOT VALID`.
        public var definition: String
        /// A check constraint's expression.
        public var expression: String?
        /// A foreign key's target and actions.
        public var references: ForeignKeyReference?
        /// `DEFERRABLE`.
        public var isDeferrable: Bool
        /// `INITIALLY DEFERRED`.
        public var isInitiallyDeferred: Bool
        /// False for a constraint added `NOT VALID` and not validated since (existing rows
        /// unchecked).
        public var isValidated: Bool
        /// `COMMENT ON CONSTRAINT`.
        public var comment: String?

        /// Creates a constraint.
        public init(
            name: String, kind: Kind, columns: [String] = [], definition: String, expression: String? = nil,
            references: ForeignKeyReference? = nil, isDeferrable: Bool = false, isInitiallyDeferred: Bool = false,
            isValidated: Bool = true, comment: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.columns = columns
            self.definition = definition
            self.expression = expression
            self.references = references
            self.isDeferrable = isDeferrable
            self.isInitiallyDeferred = isInitiallyDeferred
            self.isValidated = isValidated
            self.comment = comment
        }

        /// The kinds of table constraint.
        public enum Kind: String, Sendable, Codable, CaseIterable {
            /// `PRIMARY KEY`.
            case primaryKey = "primary_key"
            /// `UNIQUE`.
            case unique
            /// `CHECK ( … )`.
            case check
            /// `FOREIGN KEY … REFERENCES`.
            case foreignKey = "foreign_key"
            /// `EXCLUDE USING …` (PostgreSQL).
            case exclusion
        }
    }

    /// Where a foreign key points and what happens on update and delete.
    public struct ForeignKeyReference: Sendable, Codable, Equatable {
        /// The referenced table.
        public var table: ObjectName
        /// The referenced columns (empty in SQLite when the parent's primary key is implied).
        public var columns: [String]
        /// `ON UPDATE`.
        public var onUpdate: ReferentialAction
        /// `ON DELETE`.
        public var onDelete: ReferentialAction
        /// `MATCH SIMPLE` (the default), `FULL` or `PARTIAL`.
        public var match: String

        /// Creates a reference.
        public init(
            table: ObjectName, columns: [String], onUpdate: ReferentialAction = .noAction,
            onDelete: ReferentialAction = .noAction, match: String = "SIMPLE"
        ) {
            self.table = table
            self.columns = columns
            self.onUpdate = onUpdate
            self.onDelete = onDelete
            self.match = match
        }
    }

    /// What a foreign key does when the referenced row is updated or deleted.
    public enum ReferentialAction: String, Sendable, Codable, CaseIterable {
        /// Fail at the end of the statement (or transaction, when deferred) if rows still refer to it.
        case noAction = "NO ACTION"
        /// Fail at once if rows refer to it.
        case restrict = "RESTRICT"
        /// Update or delete the referring rows too.
        case cascade = "CASCADE"
        /// Set the referring columns to NULL.
        case setNull = "SET NULL"
        /// Set the referring columns to their defaults.
        case setDefault = "SET DEFAULT"
    }
}
