/// The queries that find and judge what an interrupted `CREATE INDEX CONCURRENTLY` left
/// behind, made by a ``Dialect`` (``Dialect/interruptedIndexCheck(for:)``) and run by the
/// engine before it runs such a statement again.
///
/// An index is compared by its *signature*: uniqueness, access method, columns or
/// expressions, operator classes, collations, orderings, predicate and storage options, as
/// the server reports them. The statement's own signature comes from building the same index
/// on an empty temporary copy of the table, so whatever the statement says, the server
/// decides what it means.
public struct InterruptedIndexCheck: Sendable {
    /// The statement being resumed.
    public var build: ConcurrentIndexBuild
    /// One row per index on the statement's table: `name` (qualified and quoted, for a
    /// `DROP`), `index_name` (as stored), `valid` (a boolean) and `signature`.
    public var existingIndexesQuery: String
    /// Statements to run inside a transaction that is then rolled back; the last one returns
    /// one row whose `signature` is the statement's index.
    public var probeStatements: [String]
    /// The statement that drops an index found by ``existingIndexesQuery`` (by its `name`)
    /// without blocking writes.
    public var dropStatement: @Sendable (_ qualifiedName: String) -> String

    /// Creates a check.
    public init(
        build: ConcurrentIndexBuild, existingIndexesQuery: String, probeStatements: [String],
        dropStatement: @escaping @Sendable (_ qualifiedName: String) -> String
    ) {
        self.build = build
        self.existingIndexesQuery = existingIndexesQuery
        self.probeStatements = probeStatements
        self.dropStatement = dropStatement
    }
}
