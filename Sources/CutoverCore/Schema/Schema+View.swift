import Foundation

extension Schema {
    /// A view or materialized view.
    ///
    /// ```swift
    /// let view = Schema.View(name: .init("active_users", schema: "public"),
    ///                        definition: "SELECT users.id FROM public.users WHERE users.active",
    ///                        dependsOn: [.init("users", schema: "public")])
    /// ```
    public struct View: Sendable, Codable, Equatable {
        /// The view's name.
        public var name: ObjectName
        /// The query (PostgreSQL `pg_get_viewdef`, without the final `;`); on SQLite the
        /// whole `CREATE VIEW` statement.
        public var definition: String
        /// `MATERIALIZED`.
        public var isMaterialized: Bool
        /// PostgreSQL: view options (`security_barrier=true`, `check_option=local`).
        public var options: [String]
        /// Tables and views the query reads (PostgreSQL); used to drop and recreate the
        /// view around changes to them. Not compared.
        public var dependsOn: [ObjectName]
        /// `COMMENT ON VIEW`.
        public var comment: String?

        /// Creates a view.
        public init(
            name: ObjectName, definition: String, isMaterialized: Bool = false, options: [String] = [],
            dependsOn: [ObjectName] = [], comment: String? = nil
        ) {
            self.name = name
            self.definition = definition
            self.isMaterialized = isMaterialized
            self.options = options
            self.dependsOn = dependsOn.sorted()
            self.comment = comment
        }
    }
}
