import Foundation

extension Schema {
    /// A function or procedure, identified by its name and argument types.
    ///
    /// ```swift
    /// let function = Schema.Function(
    ///     name: .init("touch", schema: "public"), arguments: "", result: "trigger", language: "plpgsql",
    ///     definition: "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger …")
    /// ```
    public struct Function: Sendable, Codable, Equatable {
        /// The function's name.
        public var name: ObjectName
        /// The identity argument types (`pg_get_function_identity_arguments`: `a integer, b text`).
        public var arguments: String
        /// `function` or `procedure`.
        public var kind: String
        /// The result type (`pg_get_function_result`), nil for procedures.
        public var result: String?
        /// The language (`sql`, `plpgsql`).
        public var language: String
        /// The complete `CREATE OR REPLACE FUNCTION` statement (`pg_get_functiondef`).
        public var definition: String
        /// `COMMENT ON FUNCTION`.
        public var comment: String?

        /// Creates a function.
        public init(
            name: ObjectName, arguments: String, kind: String = "function", result: String? = nil, language: String,
            definition: String, comment: String? = nil
        ) {
            self.name = name
            self.arguments = arguments
            self.kind = kind
            self.result = result
            self.language = language
            self.definition = definition
            self.comment = comment
        }

        /// `schema.name(argument types)`: what identifies the function.
        public var signature: String { "\(name)(\(arguments))" }
    }

    /// A trigger on a table or view.
    ///
    /// ```swift
    /// let trigger = Schema.Trigger(name: "users_touch", table: .init("users", schema: "public"),
    ///     definition: "CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()")
    /// ```
    public struct Trigger: Sendable, Codable, Equatable {
        /// The trigger's name (unique per table on PostgreSQL, per database on SQLite).
        public var name: String
        /// The table or view it fires on.
        public var table: ObjectName
        /// The complete `CREATE TRIGGER` statement.
        public var definition: String
        /// PostgreSQL firing mode: `O` (origin, the default), `D` (disabled), `R` (replica), `A` (always).
        public var enabled: String
        /// `COMMENT ON TRIGGER`.
        public var comment: String?

        /// Creates a trigger.
        public init(name: String, table: ObjectName, definition: String, enabled: String = "O", comment: String? = nil) {
            self.name = name
            self.table = table
            self.definition = definition
            self.enabled = enabled
            self.comment = comment
        }
    }
}
