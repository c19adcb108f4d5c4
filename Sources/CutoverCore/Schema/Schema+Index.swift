import Foundation

extension Schema {
    /// An index that does not implement a constraint.
    ///
    /// ``definition`` is the complete statement that creates it (PostgreSQL
    /// `pg_get_indexdef`, SQLite `sqlite_schema.sql`); the other properties break it down.
    ///
    /// ```swift
    /// let index = Schema.Index(
    ///     name: .init("users_email_idx", schema: "public"), table: .init("users", schema: "public"),
    ///     columns: ["lower(email)"], isUnique: true, predicate: "deleted_at IS NULL",
    ///     definition: "CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (lower(email)) WHERE deleted_at IS NULL")
    /// ```
    public struct Index: Sendable, Codable, Equatable {
        /// The index's name (PostgreSQL: in the table's schema).
        public var name: ObjectName
        /// The indexed table (or materialized view).
        public var table: ObjectName
        /// The key columns or expressions, as SQL.
        public var columns: [String]
        /// `UNIQUE`.
        public var isUnique: Bool
        /// The access method (`btree`, `gin`, …); nil on SQLite.
        public var method: String?
        /// The `WHERE` predicate of a partial index.
        public var predicate: String?
        /// The statement that creates the index.
        public var definition: String
        /// False for an index left INVALID by a failed `CREATE INDEX CONCURRENTLY`.
        public var isValid: Bool
        /// `COMMENT ON INDEX`.
        public var comment: String?

        /// Creates an index.
        public init(
            name: ObjectName, table: ObjectName, columns: [String] = [], isUnique: Bool = false, method: String? = nil,
            predicate: String? = nil, definition: String, isValid: Bool = true, comment: String? = nil
        ) {
            self.name = name
            self.table = table
            self.columns = columns
            self.isUnique = isUnique
            self.method = method
            self.predicate = predicate
            self.definition = definition
            self.isValid = isValid
            self.comment = comment
        }
    }
}
