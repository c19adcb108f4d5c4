import CutoverCore

/// An index of a table as the shape records it, so that an operation that replaces a column
/// (``AlterColumn`` through a shadow column) can build it again on the replacement.
///
/// Indexes that implement a constraint (primary key, unique, exclusion) are recorded as
/// ``ConstraintShape``s instead.
///
/// ```swift
/// let index = IndexShape(name: "users_email_idx", columns: ["email"],
///     definition: "CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email)")
/// ```
public struct IndexShape: Sendable, Hashable, Codable {
    /// The index's name.
    public var name: String
    /// The physical columns its keys, expressions and predicate read.
    public var columns: [String]
    /// The statement that creates it (`pg_get_indexdef`).
    public var definition: String

    /// Creates an index record.
    public init(name: String, columns: [String], definition: String) {
        self.name = name
        self.columns = columns
        self.definition = definition
    }
}

/// A constraint of a table as the shape records it (see ``IndexShape``).
///
/// ```swift
/// let check = ConstraintShape(name: "products_price_positive", kind: .check, columns: ["price"],
///     definition: "CHECK (price > 0)", expression: "price > 0")
/// ```
public struct ConstraintShape: Sendable, Hashable, Codable {
    /// The constraint's name.
    public var name: String
    /// Primary key, unique, check, foreign key or exclusion.
    public var kind: Schema.Constraint.Kind
    /// The physical columns it constrains (for a check, the ones its expression reads).
    public var columns: [String]
    /// Its SQL without name and `NOT VALID` (`pg_get_constraintdef`).
    public var definition: String
    /// A check's expression.
    public var expression: String?
    /// `DEFERRABLE`.
    public var isDeferrable: Bool
    /// `INITIALLY DEFERRED`.
    public var isInitiallyDeferred: Bool
    /// False for a check or foreign key added `NOT VALID` and never validated: its copy is not
    /// validated either (the rows it was never checked against may break it).
    public var isValidated: Bool

    /// Creates a constraint record.
    public init(
        name: String, kind: Schema.Constraint.Kind, columns: [String], definition: String, expression: String? = nil,
        isDeferrable: Bool = false, isInitiallyDeferred: Bool = false, isValidated: Bool = true
    ) {
        self.isValidated = isValidated
        self.name = name
        self.kind = kind
        self.columns = columns
        self.definition = definition
        self.expression = expression
        self.isDeferrable = isDeferrable
        self.isInitiallyDeferred = isInitiallyDeferred
    }
}

/// A foreign key of another table that refers to columns of this one: a column it refers
/// to cannot be replaced by a shadow column (dropping the old column would need CASCADE,
/// which drops the foreign key).
///
/// ```swift
/// let incoming = IncomingForeignKey(name: "orders_user_fk", table: "orders", columns: ["id"])
/// ```
public struct IncomingForeignKey: Sendable, Hashable, Codable {
    /// The foreign key's name.
    public var name: String
    /// The referring table.
    public var table: String
    /// The physical columns of this table it refers to.
    public var columns: [String]

    /// Creates a record.
    public init(name: String, table: String, columns: [String]) {
        self.name = name
        self.table = table
        self.columns = columns
    }
}
