import CutoverCore

/// A `migrations/<id>_<name>.yaml` file: a list of operations run as one expand/contract step.
///
/// ```swift
/// let migration = try OperationsFileParser.parse(text, fileName: "20261201120000_rename_name.yaml")
/// let plan = try migration.plan(shape: currentShape, context: OperationContext(migrationID: migration.id))
/// ```
public struct ExpandContractMigration: Sendable {
    /// The numeric id from the file name.
    public var id: MigrationID
    /// The descriptive part of the file name.
    public var name: String
    /// The file name, for messages.
    public var fileName: String
    /// The operations, in file order.
    public var operations: [any ExpandContractOperation]

    /// Creates a migration.
    public init(id: MigrationID, name: String, fileName: String, operations: [any ExpandContractOperation]) {
        self.id = id
        self.name = name
        self.fileName = fileName
        self.operations = operations
    }

    /// Plans the three phases against the shape the previous version sees.
    ///
    /// - Parameters:
    ///   - shape: the tables as the previous version sees them.
    ///   - context: the schema and version schemas; its migration id should be ``id``.
    /// - Returns: the plan, with the new version's shape.
    /// - Throws: ``CutoverError`` (`invalid_migration`, with file and line) when an operation
    ///   does not fit the shape: a missing table or column, a name already taken, a missing `up`/`down`.
    public func plan(shape: VersionShape, context: OperationContext) throws -> ExpandContractPlan {
        var shape = shape
        var context = context
        context.oldVersionShape = shape
        context.viewsCreated = operations.compactMap { ($0 as? CreateView)?.view }
        let shapeBefore = shape
        var start: [PlannedAction] = []
        var inVersionSchema: [PlannedAction] = []
        var complete: [PlannedAction] = []
        var abort: [PlannedAction] = []
        var file: String?
        var befores: [VersionShape] = []
        var columnChanges = ColumnChangeLedger()
        // Positions in `start` of the plain index builds Cutover writes itself (create_index,
        // an altered column's index copies): they may wait for the backfill.
        var plainIndexBuilds: Set<Int> = []
        for operation in operations {
            // A chain of migrations planned as one step: each file's `up` reads the row by the
            // names of the version before that file.
            if operation.file != file {
                if file != nil { context.oldVersionShape = shape }
                file = operation.file
            }
            let before = shape
            befores.append(before)
            do {
                try columnChanges.record(operation)
                let actions = try operation.start(in: &shape, context: context)
                if !(operation is RawSQL) {
                    plainIndexBuilds.formUnion(actions.indices.filter { Self.isPlainIndexBuild(actions[$0]) }.map { start.count + $0 })
                }
                start += actions
            } catch var error as CutoverError {
                error.migrationID = error.migrationID ?? id
                throw error
            }
            inVersionSchema += operation.startInVersionSchema(context: context)
            complete += operation.complete(before: before, context: context)
            abort = operation.abort(before: before, context: context) + abort
        }
        let underFinalNames = zip(operations, befores).flatMap { operation, before in
            operation.completeUnderFinalNames(before: before, final: shape, context: context)
        }
        // Tables with a backfill carry the flag column its triggers write: dropped last, when
        // no trigger is left to write it.
        var backfilled: [String] = []
        for action in start where action.kind == .backfill {
            if let table = action.backfillTable, !backfilled.contains(table) { backfilled.append(table) }
        }
        let indexBuildsAfterBackfill = Self.indexBuildsAfterBackfill(start, candidates: plainIndexBuilds, backfilled: backfilled, context: context)
        let flagClearing = backfilled.map { DualWriteTrigger.flagClearing(table: $0, context: context) }
        let dropFlags = flagClearing.flatMap(\.drop) + backfilled.map { ShadowNames.dropBackfillFlag($0, context: context) }
        let versionSchema = VersionSchema(context: context, shape: shape)
        // The user's views over the changed tables, recreated in the version schema.
        let baseNames = BaseNamesSchema(context: context, old: shapeBefore, new: shape)
        let viewCopies = baseNames.createActions
            + DependentViews.copiesActions(changed: baseNames.changedTables.map(\.table), dropped: baseNames.droppedTables, context: context)
        let dropOld = context.previousVersionSchema.map { VersionSchema.dropActions(schema: $0) } ?? []
        return ExpandContractPlan(
            // The backfills run once the version schema exists, after every statement but the
            // plain index builds on the tables they fill, which run last (see indexBuildsAfterBackfill).
            // The flag-clearing triggers once every dual-write trigger exists.
            // The copies of the user's views after its table views, the objects created in the
            // version schema (create_view, replace_function) last: they may read either.
            start: start.indices.filter { start[$0].kind == .statement && !indexBuildsAfterBackfill.contains($0) }.map { start[$0] }
                + flagClearing.flatMap(\.start) + versionSchema.createActions + viewCopies + inVersionSchema
                + start.filter { $0.kind == .backfill } + indexBuildsAfterBackfill.sorted().map { start[$0] },
            // The old version's views read columns complete drops: they go first, then the
            // old NOT NULL columns are relaxed and the triggers removed (see contractOrder).
            // The other operations' actions name tables by their physical names: the tables'
            // drops and renames come after them, then what is created over the final names.
            complete: dropOld + Self.contractOrder(complete.filter { !Self.isTableDropOrRename($0) }) + dropFlags
                + complete.filter(ContractStep.isTableDrop) + complete.filter(ContractStep.isTableRename) + underFinalNames,
            // The new version's views read the shadow columns abort drops: they go first.
            abort: VersionSchema.dropActions(schema: context.versionSchema) + Self.abortOrder(abort) + dropFlags,
            shape: shape)
    }
}

extension ExpandContractMigration {
    /// Whether `action` is a `CREATE INDEX CONCURRENTLY` that is not unique: an index no
    /// statement or rule depends on until `complete`.
    static func isPlainIndexBuild(_ action: PlannedAction) -> Bool {
        guard action.kind == .statement, let build = ConcurrentIndexBuild(action.sql) else { return false }
        return !build.isUnique
    }

    /// The positions in `start` of the plain index builds (`candidates`) on a table that a
    /// backfill fills: they are built after the backfills.
    ///
    /// A non-HOT update (every row the backfill touches on a full page) inserts into each index
    /// of its table; into an index in another order than the key the batches walk (a `note`
    /// column, a copy of an index of the changed column) those inserts land on pages all over
    /// it, and the kernel's write-back of those pages is what made the application's commits
    /// wait on the flush of the write-ahead log (Benchmarks/README, session 5). Built after the
    /// backfill, the index is read once from the final rows and comes out compact. No statement
    /// of the expand phase uses a plain index, and `complete` runs after all of them; unique
    /// indexes (rules the new version's writes must meet during the backfill) and the user's own
    /// `sql` statements keep their place.
    static func indexBuildsAfterBackfill(
        _ start: [PlannedAction], candidates: Set<Int>, backfilled: [String], context: OperationContext
    ) -> Set<Int> {
        let filled = Set(backfilled.map { context.qualified($0) })
        return candidates.filter { start[$0].table.map(filled.contains) == true }
    }

    /// Whether `action` drops or renames a table (see ``ContractStep/dropTable(_:context:)``).
    static func isTableDropOrRename(_ action: PlannedAction) -> Bool {
        ContractStep.isTableDrop(action) || ContractStep.isTableRename(action)
    }

    /// `actions` with the dual-write triggers' removals first, the rest in their order.
    static func triggerRemovalsFirst(_ actions: [PlannedAction]) -> [PlannedAction] {
        actions.filter(DualWriteTrigger.isRemoval) + actions.filter { !DualWriteTrigger.isRemoval($0) }
    }

    /// The abort's order, so that the old version's writes never fail while it runs: first
    /// the NOT NULL checks of the shadow columns go (nothing fills those once the triggers are
    /// gone), then every dual-write trigger, then the rest in the operations' order.
    static func abortOrder(_ actions: [PlannedAction]) -> [PlannedAction] {
        actions.filter(NotNullThroughCheck.isRemoval) + triggerRemovalsFirst(actions.filter { !NotNullThroughCheck.isRemoval($0) })
    }

    /// The contract phase's order, so that the new version's writes never fail while it runs:
    /// first the old columns about to be dropped lose NOT NULL (nothing fills them once the
    /// triggers are gone), then every dual-write trigger goes (a trigger reads columns the
    /// rest renames or drops), then the rest in the operations' order.
    static func contractOrder(_ actions: [PlannedAction]) -> [PlannedAction] {
        let relaxations = actions.filter(ContractStep.isNotNullRelaxation)
        return relaxations + triggerRemovalsFirst(actions.filter { !ContractStep.isNotNullRelaxation($0) })
    }
}

/// The actions of the three phases of one migration, and the new version's shape.
public struct ExpandContractPlan: Sendable {
    /// The expand phase (`cutover start`), ending with the version schema's views.
    public var start: [PlannedAction]
    /// The contract phase (`cutover complete`).
    public var complete: [PlannedAction]
    /// The undoing of the expand phase (`cutover abort`).
    public var abort: [PlannedAction]
    /// The tables as the new version sees them.
    public var shape: VersionShape

    /// Creates a plan (the planner makes them; a stored one is rebuilt to be rendered).
    public init(start: [PlannedAction], complete: [PlannedAction], abort: [PlannedAction], shape: VersionShape) {
        self.start = start
        self.complete = complete
        self.abort = abort
        self.shape = shape
    }
}
