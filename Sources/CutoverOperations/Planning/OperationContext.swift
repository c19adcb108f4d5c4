import CutoverCore

/// What an operation needs to know besides its own fields: the schema it changes and the
/// version schemas of the migration and of the version before it.
///
/// ```swift
/// let context = OperationContext(schema: "public", migrationID: MigrationID("20261201120000")!)
/// context.versionSchema   // "public_20261201120000"
/// ```
public struct OperationContext: Sendable, Hashable {
    /// The schema holding the tables (`public`).
    public var schema: String
    /// The migration being planned.
    public var migrationID: MigrationID
    /// The version schema of the version before this migration, dropped by `complete`; nil
    /// when the old application reads the tables directly (the first expand/contract migration).
    public var previousVersionSchema: String?

    /// Creates a context.
    /// - Parameters:
    ///   - schema: the schema holding the tables.
    ///   - migrationID: the migration being planned.
    ///   - previousVersionSchema: the previous version's schema, or nil.
    public init(schema: String = "public", migrationID: MigrationID, previousVersionSchema: String? = nil) {
        self.schema = schema
        self.migrationID = migrationID
        self.previousVersionSchema = previousVersionSchema
    }

    /// The tables as the old version sees them (the shape before the migration's first
    /// operation; for a chain of migrations planned as one step, before the file's first), set by ``ExpandContractMigration/plan(shape:context:)``: an `up` expression
    /// runs for the old version's writes, so it reads the row by the old version's names.
    public var oldVersionShape: VersionShape?

    /// The views the migration's `create_view` operations create, set by
    /// ``ExpandContractMigration/plan(shape:context:)``: they replace a user's view of the same
    /// name, which ``DependentViews`` then neither copies nor creates again.
    public var viewsCreated: [String] = []

    /// The columns the old version sees in the physical table `table`; nil when it has no such table.
    func oldVersionColumns(ofPhysicalTable table: String) -> [ColumnShape]? {
        oldVersionShape?.tables.first { $0.physicalName == table }?.columns
    }

    /// The schema of `security_invoker` views that shows the new version its shape: `<schema>_<id>`.
    public var versionSchema: String { "\(schema)_\(migrationID.rawValue)" }

    /// `schema.table`, each part quoted when needed.
    func qualified(_ table: String) -> String { SQLText.qualified(schema, table) }
}
