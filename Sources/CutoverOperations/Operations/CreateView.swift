import CutoverCore

/// `create_view`: a view the new version reads.
///
/// Expand: the view is created in the version schema only, `WITH (security_invoker = true)`
/// like the version schema's own views, so the old version does not see it. Its `sql` is
/// resolved with the version schema first on the `search_path` (`public_<id>, public`): it reads
/// the tables through the version schema's views, by the new version's names, as they are at
/// the end of the migration. Complete: the same view in the base schema (`CREATE OR REPLACE
/// VIEW`), once every table has its final name, resolved with the base schema alone on the
/// path. Abort: nothing of its own; the version schema is dropped with the view in it.
///
/// ```yaml
/// - create_view:
///     name: active_accounts
///     sql: SELECT id, full_name FROM accounts WHERE status = 'active'
/// ```
///
/// - Warning: `complete` replaces a view of the base schema with the same name, which fails
///   when the old view has columns the new one lacks (PostgreSQL's rule for `OR REPLACE`).
public struct CreateView: ExpandContractOperation, Hashable {
    public static let name = "create_view"
    public var file: String
    public var line: Int
    /// The view's name.
    public var view: String
    /// The query (`SELECT …`) over the new version's names.
    public var sql: String

    /// Creates the operation.
    public init(view: String, sql: String, file: String = "", line: Int = 1) {
        self.view = view
        self.sql = RawSQL.trimmed(sql)
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        view = try object.requiredString("name", example: "active_accounts")
        sql = RawSQL.trimmed(try object.requiredString("sql", example: "SELECT id, full_name FROM accounts WHERE active"))
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        try requireNoRelation(view, in: shape, context: context)
        if sql.contains(SearchPathStatement.delimiter) {
            throw invalid("the sql contains \(SearchPathStatement.delimiter), which Cutover uses to quote it", hint: "use another dollar-quote tag")
        }
        shape.views.append(view)
        return []
    }

    public func startInVersionSchema(context: OperationContext) -> [PlannedAction] {
        let name = "\(SQLText.quotedIdentifier(context.versionSchema)).\(SQLText.quotedIdentifier(view))"
        return [SearchPathStatement(
            sql: "CREATE OR REPLACE VIEW \(name) WITH (security_invoker = true) AS \(sql)",
            searchPath: [context.versionSchema, context.schema]
        ).action()]
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func completeUnderFinalNames(before: VersionShape, final: VersionShape, context: OperationContext) -> [PlannedAction] {
        [SearchPathStatement(sql: "CREATE OR REPLACE VIEW \(context.qualified(view)) AS \(sql)", searchPath: [context.schema]).action()]
    }

    /// The version schema's drop, first in abort, takes the view with it.
    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }
}
