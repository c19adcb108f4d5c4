import CutoverCore

/// `alter_column`: change a column's type, nullability or default (and optionally its name),
/// or add a check, a unique constraint or a foreign key to it.
///
/// A type or nullability change would rewrite or scan the table under an ACCESS EXCLUSIVE
/// lock, and would break the old version, so it goes through a shadow column (pgroll's
/// `_pgroll_new_<col>`); so do `check`, `unique` and `references`, so that the old version is
/// never rejected by a rule it does not know (its writes reach the shadow column through `up`):
///
/// - expand: add `_cutover_new_<col>` with the new type (nullable, plus a `NOT VALID` check
///   for `nullable: false`); an `up` trigger fills it from the old version's writes, a `down`
///   trigger fills the old column from the new version's writes; the backfill runs `up` for the
///   existing rows; the new version's view shows the shadow column under the column's name.
///   The indexes and constraints on the old column are built again on the shadow column
///   under temporary names (indexes `CONCURRENTLY`, checks and foreign keys `NOT VALID`, see
///   ``ShadowColumnDependents``), and the new rules likewise under their own names.
/// - complete: drop both triggers, validate the checks and foreign keys and `SET NOT NULL`,
///   then in one statement drop the old column (and what was on it), rename the shadow column
///   into place and give the copies of its indexes and constraints their original names.
/// - abort: drop the triggers, the copies, the new rules and the shadow column.
///
/// A change of the default alone needs no shadow: `SET DEFAULT` only changes the catalog, so it
/// runs at start and abort restores the old default.
///
/// ```yaml
/// - alter_column:
///     table: products
///     column: price
///     type: numeric(12,2)
///     nullable: false
///     check: { name: products_price_positive, constraint: "price > 0" }
///     unique: { name: products_price_key }
///     references: { name: products_vendor_fk, table: vendors, column: id, on_delete: CASCADE }
///     up: "GREATEST(COALESCE(price, 1), 1)::numeric(12,2)"   # old version's value → new column
///     down: "price::integer"                                # new version's value → old column
/// ```
///
/// A check or foreign key needs `up`, which must turn every value the old version writes into
/// one that satisfies it. A unique constraint applies to the old version's writes too (through
/// `up`): a duplicate it writes fails, as does a backfill that meets duplicates.
///
/// - Warning: a foreign key added with `references` binds the referenced table at once: while
///   rows refer to it, the old version's delete of a referenced row fails (`NO ACTION`,
///   `RESTRICT`); `CASCADE` deletes the referring rows in both versions; `SET NULL`/`SET DEFAULT`
///   set the shadow column only (the `up` trigger keeps what the action wrote), so the new
///   version sees NULL or the default while the old version still reads the old value.
///
/// Refused: a shadow-column change of a primary-key column, of a column a foreign key of
/// another table refers to (complete would have to drop that key), of a column in an
/// exclusion constraint, or of one whose index or constraint Cutover cannot rewrite (a
/// dollar-quoted expression, a unique constraint with INCLUDE); the error names it.
public struct AlterColumn: ExpandContractOperation, Hashable {
    public static let name = "alter_column"
    public var file: String
    public var line: Int
    /// The table.
    public var table: String
    /// The column, by the previous version's name.
    public var column: String
    /// The new name, or nil to keep it.
    public var newName: String?
    /// The new SQL type, or nil to keep it.
    public var type: String?
    /// The new nullability, or nil to keep it.
    public var isNullable: Bool?
    /// The new default expression, or nil to keep it.
    public var defaultExpression: String?
    /// Old version's value → new column, over the previous version's column names.
    public var up: String?
    /// New version's value → old column, over the new version's column names.
    public var down: String?
    /// A check to add, or nil.
    public var check: Check?
    /// A unique constraint to add, or nil.
    public var unique: Unique?
    /// A foreign key to add, or nil.
    public var references: Reference?

    /// Creates the operation.
    public init(
        table: String, column: String, newName: String? = nil, type: String? = nil, isNullable: Bool? = nil, defaultExpression: String? = nil,
        up: String? = nil, down: String? = nil, check: Check? = nil, unique: Unique? = nil, references: Reference? = nil, file: String = "", line: Int = 1
    ) {
        self.check = check
        self.unique = unique
        self.references = references
        self.table = table
        self.column = column
        self.newName = newName
        self.type = type
        self.isNullable = isNullable
        self.defaultExpression = defaultExpression
        self.up = up
        self.down = down
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "products")
        column = try object.requiredString("column", example: "price")
        newName = try object.string("name")
        type = try object.string("type")
        isNullable = try object.bool("nullable")
        defaultExpression = try object.string("default")
        up = try object.string("up")
        down = try object.string("down")
        (check, unique, references) = try Self.rules(&object)
        try object.finish()
        if newName == nil, type == nil, isNullable == nil, defaultExpression == nil, check == nil, unique == nil, references == nil {
            throw CutoverError(
                .invalidMigration, "alter_column changes nothing", hint: "give at least one of: name, type, nullable, default, check, unique, references",
                file: file, line: line)
        }
    }

    /// True when the change needs a shadow column (a type or nullability change, or a rule to add).
    public var needsShadowColumn: Bool { type != nil || isNullable != nil || addsRules }

    /// The column's name in the new version.
    var finalName: String { newName ?? column }
    /// The shadow column.
    var shadow: String { ShadowNames.newColumn(column) }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (index, before) = try self.table(table, in: shape)
        let old = try self.column(column, of: before)
        if let newName, newName != column { try requireNoColumn(newName, in: before) }
        guard let position = shape.tables[index].columns.firstIndex(where: { $0.name == column }) else { return [] }
        let qualified = context.qualified(before.physicalName)

        guard needsShadowColumn else {
            shape.tables[index].columns[position].name = finalName
            guard let defaultExpression else { return [] }
            shape.tables[index].columns[position].defaultExpression = defaultExpression
            return [.statement(
                "ALTER TABLE \(qualified) ALTER COLUMN \(SQLText.quotedIdentifier(old.physicalName)) SET DEFAULT \(defaultExpression)",
                lock: .accessExclusive, table: qualified)]
        }

        if type != nil, up == nil || down == nil {
            throw invalid(
                "a type change of \"\(column)\" needs both `up` (old value → new type) and `down` (new value → old type)",
                hint: "for example `up: \"\(column)::<new type>\"` and `down: \"\(column)::\(old.type)\"`")
        }
        if isNullable == false, old.isNullable, up == nil {
            throw invalid(
                "making \"\(column)\" NOT NULL needs `up` to replace the NULLs the old version writes",
                hint: "for example `up: \"COALESCE(\(column), <value>)\"`")
        }
        if isNullable == true, !old.isNullable, down == nil {
            throw invalid(
                "making \"\(column)\" nullable needs `down` to replace the NULLs the new version writes, as the old column stays NOT NULL",
                hint: "for example `down: \"COALESCE(\(finalName), <value>)\"`")
        }
        if check != nil || references != nil, up == nil {
            throw invalid(
                "adding a check or a foreign key to \"\(column)\" needs `up`: the old version's writes that break it are converted, not rejected",
                hint: "for example `up: \"GREATEST(\(column), 1)\"`, or `up: \"\(column)\"` when the old version writes only valid values")
        }
        let dependents = try ShadowColumnDependents(table: before, column: old.physicalName, shadow: shadow, context: context) { invalid($0, hint: $1) }

        var new = old
        new.name = finalName
        new.physicalName = shadow
        new.shadows = old.physicalName
        new.type = type ?? old.type
        new.isNullable = isNullable ?? old.isNullable
        new.defaultExpression = defaultExpression ?? old.defaultExpression
        shape.tables[index].columns[position] = new
        // The copies read the shadow column: a later operation of the migration that moves
        // another of their columns sees it (and refuses).
        let moved = { (columns: [String]) in columns.map { $0 == old.physicalName ? self.shadow : $0 } }
        shape.tables[index].indexes = shape.tables[index].indexes?.map { IndexShape(name: $0.name, columns: moved($0.columns), definition: $0.definition) }
        shape.tables[index].constraints = shape.tables[index].constraints?.map { var copy = $0; copy.columns = moved($0.columns); return copy }

        var actions: [PlannedAction] = [
            .statement("ALTER TABLE \(qualified) ADD COLUMN IF NOT EXISTS \(SQLText.quotedIdentifier(shadow)) \(new.type)", lock: .accessExclusive, table: qualified)
        ]
        if let defaultExpression = new.defaultExpression {
            // Set apart from ADD COLUMN: the existing rows get `up` from the backfill, not the
            // default, and a volatile default would rewrite the table.
            actions.append(.statement(
                "ALTER TABLE \(qualified) ALTER COLUMN \(SQLText.quotedIdentifier(shadow)) SET DEFAULT \(defaultExpression)",
                lock: .accessExclusive, table: qualified))
        }
        actions.append(ShadowNames.addBackfillFlag(before.physicalName, context: context))
        var upTrigger = DualWriteTrigger(
            context: context, table: before.physicalName, visibleColumns: context.oldVersionColumns(ofPhysicalTable: before.physicalName) ?? before.columns, target: shadow, expression: up ?? SQLText.quotedIdentifier(column),
            direction: .up, name: triggerName(before.physicalName, .up), backfilledShadow: shadow)
        upTrigger.keepsShadowSetByUpdate = references.map { [.setNull, .setDefault].contains($0.onDelete) } ?? false || dependents.hasWritingForeignKey
        actions += upTrigger.startActions
        actions += DualWriteTrigger(
            context: context, table: before.physicalName, visibleColumns: shape.tables[index].columns, target: old.physicalName,
            expression: down ?? SQLText.quotedIdentifier(finalName), direction: .down, name: triggerName(before.physicalName, .down), backfilledShadow: shadow
        ).startActions
        // After the triggers: the check holds for new rows at once, and an old version's
        // insert leaves the shadow column NULL until the trigger fills it.
        if !new.isNullable { actions.append(notNull(before.physicalName, context).startAction) }
        actions += try ruleStartActions(table: before, new: shape.tables[index], shape: shape, context: context)
        actions += dependents.startActions
        actions.append(.backfill(table: before.physicalName, columns: [shadow], context: context))
        return actions
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }), let old = table.column(column) else { return [] }
        let qualified = context.qualified(table.physicalName)
        guard needsShadowColumn else {
            guard finalName != old.physicalName else { return [] }
            return [.statement(
                "ALTER TABLE \(qualified) RENAME COLUMN \(SQLText.quotedIdentifier(old.physicalName)) TO \(SQLText.quotedIdentifier(finalName))",
                lock: .accessExclusive, table: qualified)]
        }
        var actions = old.isNullable ? [] : [ContractStep.relaxNotNull(old.physicalName, table: table.physicalName, context: context)]
        actions += dropTriggers(table.physicalName, context)
        if (isNullable ?? old.isNullable) == false { actions += notNull(table.physicalName, context).completeActions }
        let dependents = try? ShadowColumnDependents(table: table, column: old.physicalName, shadow: shadow, context: context) { invalid($0, hint: $1) }
        actions += ruleCompleteActions(table: table, context: context) + (dependents?.validateActions ?? [])
        // One statement, so no query sees the table between the drop and the rename: an
        // application reading the table directly (the column keeps its name) never meets a
        // missing column, nor the column without its indexes and constraints.
        // The user's views reading the old column are created again over the new one.
        actions.append(.statement(
            DependentViews.preserving(table: table.physicalName, columns: [old.physicalName], context: context, body: [
                "ALTER TABLE \(qualified) DROP COLUMN IF EXISTS \(SQLText.quotedIdentifier(old.physicalName));",
                "ALTER TABLE \(qualified) RENAME COLUMN \(SQLText.quotedIdentifier(shadow)) TO \(SQLText.quotedIdentifier(finalName));",
            ] + (dependents?.renameStatements ?? [])),
            lock: .accessExclusive, table: qualified))
        return actions
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }), let old = table.column(column) else { return [] }
        let qualified = context.qualified(table.physicalName)
        guard needsShadowColumn else {
            guard defaultExpression != nil else { return [] }
            let restore = old.defaultExpression.map { "SET DEFAULT \($0)" } ?? "DROP DEFAULT"
            return [.statement(
                "ALTER TABLE \(qualified) ALTER COLUMN \(SQLText.quotedIdentifier(old.physicalName)) \(restore)", lock: .accessExclusive, table: qualified)]
        }
        let dropCheck = (isNullable ?? old.isNullable) == false ? [notNull(table.physicalName, context).abortAction] : []
        let dependents = try? ShadowColumnDependents(table: table, column: old.physicalName, shadow: shadow, context: context) { invalid($0, hint: $1) }
        return dropCheck + dropTriggers(table.physicalName, context) + ruleAbortActions(table: table, context: context) + (dependents?.abortActions ?? []) + [
            .statement("ALTER TABLE \(qualified) DROP COLUMN IF EXISTS \(SQLText.quotedIdentifier(shadow))", lock: .accessExclusive, table: qualified)
        ]
    }

    private func triggerName(_ physicalTable: String, _ direction: DualWriteTrigger.Direction) -> String {
        ShadowNames.trigger(table: physicalTable, column: column, direction: direction)
    }

    private func dropTriggers(_ physicalTable: String, _ context: OperationContext) -> [PlannedAction] {
        DualWriteTrigger.dropActions(name: triggerName(physicalTable, .up), table: physicalTable, context: context)
            + DualWriteTrigger.dropActions(name: triggerName(physicalTable, .down), table: physicalTable, context: context)
    }

    private func notNull(_ physicalTable: String, _ context: OperationContext) -> NotNullThroughCheck {
        NotNullThroughCheck(context: context, table: physicalTable, column: shadow, checkName: ShadowNames.notNullCheck(table: physicalTable, column: column))
    }
}
