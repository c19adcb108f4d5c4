import Foundation

/// The schema of one database, normalised so that two databases can be compared: what
/// ``SchemaDiff`` reads and what drivers produce when they introspect.
///
/// A `Schema` is a plain value: drivers fill it from their catalogs (PostgreSQL's
/// `pg_catalog`, SQLite's `sqlite_schema` and pragmas), tests build it by hand, and it
/// encodes to JSON. Every collection is sorted by name, so two introspections of identical
/// databases give equal values.
///
/// ```swift
/// let staging = try await stagingDB.introspectSchema()
/// let production = try await productionDB.introspectSchema()
/// let diff = SchemaDiff(from: production, to: staging)
/// print(diff.isEmpty ? "identical" : diff.text)
/// ```
///
/// Objects that belong to an extension (`CREATE EXTENSION citext` creates a type and
/// functions) are represented by the ``Extension`` alone. Cutover's own objects (the
/// PostgreSQL schema `cutover`, SQLite tables named `cutover_*`) are left out unless
/// ``IntrospectionOptions/includesCutoverObjects`` is set.
///
/// ## Topics
/// ### Objects
/// - ``Namespace``
/// - ``Extension``
/// - ``EnumType``
/// - ``Sequence``
/// - ``Table``
/// - ``Column``
/// - ``Constraint``
/// - ``Index``
/// - ``View``
/// - ``Function``
/// - ``Trigger``
/// ### Names
/// - ``ObjectName``
/// ### Comparing
/// - ``SchemaDiff``
public struct Schema: Sendable, Codable, Equatable {
    /// The dialect the schema was read from (``Dialect/name``): `postgresql`, `sqlite`.
    public var dialect: String
    /// PostgreSQL schemas (namespaces), `public` included; empty on SQLite.
    public var namespaces: [Namespace]
    /// Installed extensions.
    public var extensions: [Extension]
    /// Enumerated types (`CREATE TYPE … AS ENUM`).
    public var enumTypes: [EnumType]
    /// Sequences, except those that implement identity columns (part of the column).
    public var sequences: [Sequence]
    /// Tables, with their columns and constraints.
    public var tables: [Table]
    /// Indexes that do not implement a constraint (those belong to the ``Constraint``).
    public var indexes: [Index]
    /// Views and materialized views.
    public var views: [View]
    /// Functions and procedures, identified by name and argument types.
    public var functions: [Function]
    /// Triggers on tables and views.
    public var triggers: [Trigger]

    /// Creates a schema; collections are sorted by name.
    ///
    /// ```swift
    /// let schema = Schema(dialect: "sqlite", tables: [Schema.Table(name: .init("users"), columns: [.init(name: "id", type: "INTEGER")])])
    /// ```
    public init(
        dialect: String, namespaces: [Namespace] = [], extensions: [Extension] = [], enumTypes: [EnumType] = [],
        sequences: [Sequence] = [], tables: [Table] = [], indexes: [Index] = [], views: [View] = [],
        functions: [Function] = [], triggers: [Trigger] = []
    ) {
        self.dialect = dialect
        self.namespaces = namespaces.sorted { $0.name < $1.name }
        self.extensions = extensions.sorted { $0.name < $1.name }
        self.enumTypes = enumTypes.sorted { $0.name < $1.name }
        self.sequences = sequences.sorted { $0.name < $1.name }
        self.tables = tables.sorted { $0.name < $1.name }
        self.indexes = indexes.sorted { $0.name < $1.name }
        self.views = views.sorted { $0.name < $1.name }
        self.functions = functions.sorted { $0.signature < $1.signature }
        self.triggers = triggers.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
    }

    /// Whether the schema holds no object at all (namespaces and extensions aside).
    public var isEmpty: Bool {
        enumTypes.isEmpty && sequences.isEmpty && tables.isEmpty && indexes.isEmpty && views.isEmpty
            && functions.isEmpty && triggers.isEmpty
    }

    /// The table called `name`, if any.
    public func table(_ name: ObjectName) -> Table? { tables.first { $0.name == name } }
}

// MARK: - Names

extension Schema {
    /// A possibly schema-qualified object name, compared and sorted by schema then name.
    ///
    /// SQLite names have no schema. ``description`` is for people (`public.users`);
    /// ``sql(_:)`` quotes each part for a statement (`"public"."users"`).
    public struct ObjectName: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
        /// The PostgreSQL schema, or nil (SQLite).
        public var schema: String?
        /// The object's own name, as stored in the catalog (case preserved, unquoted).
        public var name: String

        /// Creates a name.
        /// - Parameters:
        ///   - name: the unquoted name.
        ///   - schema: the unquoted schema, or nil.
        public init(_ name: String, schema: String? = nil) {
            self.name = name
            self.schema = schema
        }

        /// `schema.name`, or `name` without a schema.
        public var description: String { schema.map { "\($0).\(name)" } ?? name }

        /// Each part quoted by `dialect`, joined by `.`.
        public func sql(_ dialect: any Dialect) -> String {
            (schema.map { dialect.quoteIdentifier($0) + "." } ?? "") + dialect.quoteIdentifier(name)
        }

        /// Orders by schema (none first), then name.
        public static func < (lhs: ObjectName, rhs: ObjectName) -> Bool {
            (lhs.schema ?? "", lhs.name) < (rhs.schema ?? "", rhs.name)
        }
    }
}

// MARK: - Introspection

/// What ``SchemaIntrospecting/introspect(options:)`` reads.
///
/// ```swift
/// var options = IntrospectionOptions()
/// options.schemas = ["public", "billing"]
/// let schema = try await database.introspectSchema(options: options)
/// ```
public struct IntrospectionOptions: Sendable, Equatable {
    /// Include Cutover's own objects (PostgreSQL schema `cutover`, SQLite `cutover_*` tables).
    public var includesCutoverObjects: Bool
    /// PostgreSQL: read only these schemas (nil: every schema but the system ones).
    /// Ignored on SQLite.
    public var schemas: [String]?

    /// Creates options; the defaults read every user object except Cutover's own.
    public init(includesCutoverObjects: Bool = false, schemas: [String]? = nil) {
        self.includesCutoverObjects = includesCutoverObjects
        self.schemas = schemas
    }
}

/// A ``Database`` that can read its own schema into a ``Schema``.
///
/// Both bundled drivers adopt it. Engine code reaches it through
/// ``Database/introspectSchema(options:)``, which names the driver when it cannot.
///
/// ```swift
/// let live = try await database.introspectSchema()
/// ```
public protocol SchemaIntrospecting: Database {
    /// Reads the schema from the database's catalogs.
    ///
    /// - Parameter options: which objects to include.
    /// - Returns: the normalised schema, collections sorted by name.
    /// - Throws: ``CutoverError`` `.statementFailed` when a catalog query fails, or a
    ///   connection error.
    func introspect(options: IntrospectionOptions) async throws -> Schema
}

extension Database {
    /// Reads this database's schema, when its driver supports introspection.
    ///
    /// ```swift
    /// let schema = try await database.introspectSchema()
    /// print(schema.tables.map(\.name))
    /// ```
    ///
    /// - Parameter options: which objects to include (default: all but Cutover's own).
    /// - Returns: the normalised schema.
    /// - Throws: ``CutoverError`` `.introspectionUnsupported` when the driver cannot read
    ///   schemas, or what ``SchemaIntrospecting/introspect(options:)`` throws.
    public func introspectSchema(options: IntrospectionOptions = .init()) async throws -> Schema {
        guard let introspecting = self as? any SchemaIntrospecting else {
            throw CutoverError(
                .introspectionUnsupported, "the \(dialect.name) driver cannot read schemas (\(redactedURL))",
                hint: "schema diff and drift need the SQLite or PostgreSQL driver")
        }
        return try await introspecting.introspect(options: options)
    }
}

extension CutoverError.Code {
    /// The driver cannot introspect schemas.
    public static let introspectionUnsupported = Self("introspection_unsupported", exitCode: 2)
    /// Two schemas of different database kinds cannot be compared or rendered.
    public static let dialectMismatch = Self("dialect_mismatch", exitCode: 2)
    /// The schemas of two databases differ: a finding, for engine code that reports drift
    /// or refuses to promote (the `diff` command itself exits 3 without an error).
    public static let schemasDiffer = Self("schemas_differ", exitCode: 3)
}
