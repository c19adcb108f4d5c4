import CutoverCore

/// `replace_function`: a function (new, or with a new body) for the new version.
///
/// The function is given by its parts, not as a whole `CREATE FUNCTION` text, because Cutover
/// creates it twice, in two schemas:
///
/// - expand: in the version schema, so the new version (whose `search_path` starts with it)
///   calls the new definition while the old version goes on calling the base schema's (if
///   there is one). It is created with the version schema first on the `search_path`, so a
///   `LANGUAGE sql` body is checked against the new version's names.
/// - complete: in the base schema (`CREATE OR REPLACE FUNCTION`), once every table has its
///   final name; the old version is gone by then.
/// - abort: nothing of its own; the version schema is dropped with the function in it.
///
/// ```yaml
/// - replace_function:
///     name: account_label
///     args: "a accounts"            # optional; the argument list as in CREATE FUNCTION
///     returns: text
///     language: sql                 # optional; plpgsql by default
///     body: "SELECT a.full_name || ' <' || a.email || '>'"
/// ```
///
/// A body that names tables without a schema resolves them through the caller's `search_path`
/// when it runs (the version schema's views for the new version, the tables for the old one),
/// except a `LANGUAGE sql` body written `BEGIN ATOMIC`, which is bound when it is created.
///
/// - Warning: `complete` replaces the base schema's function of the same name and arguments;
///   PostgreSQL refuses to change its return type that way (drop it first with `sql`). A
///   trigger of the old version that calls the function keeps calling the base schema's
///   definition until `complete`.
public struct ReplaceFunction: ExpandContractOperation, Hashable {
    public static let name = "replace_function"
    public var file: String
    public var line: Int
    /// The function's name.
    public var function: String
    /// The argument list, as written in `CREATE FUNCTION` (`a integer, b text`); empty for none.
    public var arguments: String
    /// The return type (`text`, `trigger`, `SETOF accounts`).
    public var returns: String
    /// The language (`plpgsql`, `sql`).
    public var language: String
    /// The body.
    public var body: String

    /// Creates the operation.
    public init(
        function: String, arguments: String = "", returns: String, language: String = "plpgsql", body: String, file: String = "", line: Int = 1
    ) {
        self.function = function
        self.arguments = arguments
        self.returns = returns
        self.language = language
        self.body = body
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        function = try object.requiredString("name", example: "account_label")
        arguments = try object.string("args") ?? ""
        returns = try object.requiredString("returns", example: "text")
        language = try object.string("language") ?? "plpgsql"
        body = try object.requiredString("body", example: "\"SELECT 1\"")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        for (key, text) in [("args", arguments), ("returns", returns), ("language", language), ("body", body)]
        where text.contains(SearchPathStatement.delimiter) {
            throw invalid("\(key) contains \(SearchPathStatement.delimiter), which Cutover uses to quote it", hint: "use another dollar-quote tag")
        }
        return []
    }

    /// `CREATE OR REPLACE FUNCTION schema.name(args) RETURNS … LANGUAGE … AS $body$…$body$`.
    /// - Parameter qualified: the function's name with its schema, quoted.
    private func definition(named qualified: String) -> String {
        let tag = SearchPathStatement.dollarTag(for: body)
        return """
            CREATE OR REPLACE FUNCTION \(qualified)(\(arguments)) RETURNS \(returns)
            LANGUAGE \(language) AS \(tag)\(body)\(tag)
            """
    }

    public func startInVersionSchema(context: OperationContext) -> [PlannedAction] {
        [SearchPathStatement(sql: definition(named: "\(SQLText.quotedIdentifier(context.versionSchema)).\(SQLText.quotedIdentifier(function))"), searchPath: [context.versionSchema, context.schema]).action(lock: .none)]
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func completeUnderFinalNames(before: VersionShape, final: VersionShape, context: OperationContext) -> [PlannedAction] {
        [SearchPathStatement(sql: definition(named: SQLText.qualified(context.schema, function)), searchPath: [context.schema]).action(lock: .none)]
    }

    /// The version schema's drop, first in abort, takes the function with it.
    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
