import CutoverCore

/// The rules `alter_column` adds to the column (`check`, `unique`, `references`), built on the
/// shadow column so that the old version, which does not know them, is never rejected by
/// them: its writes reach the shadow column through `up`.
///
/// - start: the check and the foreign key `NOT VALID` on the shadow column, the unique index
///   `CONCURRENTLY` on it;
/// - complete: the check and the foreign key are validated, the unique index becomes the
///   constraint (`ADD CONSTRAINT … UNIQUE USING INDEX`); they follow the column through its
///   rename;
/// - abort: they are dropped (`IF EXISTS`, the index concurrently).
extension AlterColumn {
    /// `check: { name: products_price_positive, constraint: "price > 0" }`.
    public struct Check: Sendable, Hashable {
        /// The constraint's name.
        public var name: String
        /// The expression, naming the column by its new name.
        public var expression: String

        /// Creates a check.
        public init(name: String, expression: String) {
            self.name = name
            self.expression = expression
        }
    }

    /// `unique: { name: products_sku_key }`.
    public struct Unique: Sendable, Hashable {
        /// The constraint's (and its index's) name.
        public var name: String

        /// Creates a unique rule.
        public init(name: String) { self.name = name }
    }

    /// `references: { name: products_vendor_fk, table: vendors, column: id, on_delete: CASCADE }`.
    public struct Reference: Sendable, Hashable {
        /// The foreign key's name.
        public var name: String
        /// The referenced table, by the new version's name.
        public var table: String
        /// The referenced column, by the new version's name.
        public var column: String
        /// `ON DELETE`; `NO ACTION` unless given.
        public var onDelete: Schema.ReferentialAction

        /// Creates a reference.
        public init(name: String, table: String, column: String, onDelete: Schema.ReferentialAction = .noAction) {
            self.name = name
            self.table = table
            self.column = column
            self.onDelete = onDelete
        }
    }

    /// True when the operation adds a check, a unique constraint or a foreign key.
    var addsRules: Bool { check != nil || unique != nil || references != nil }

    /// Reads `check`, `unique` and `references` from `object`.
    static func rules(_ object: inout YAMLObject) throws -> (check: Check?, unique: Unique?, references: Reference?) {
        var check: Check?, unique: Unique?, references: Reference?
        if var rule = try object.object("check") {
            check = Check(
                name: try rule.requiredString("name", example: "products_price_positive"),
                expression: RawSQL.trimmed(try rule.requiredString("constraint", example: "\"price > 0\"")))
            try rule.finish()
        }
        if var rule = try object.object("unique") {
            unique = Unique(name: try rule.requiredString("name", example: "products_price_key"))
            try rule.finish()
        }
        if var rule = try object.object("references") {
            references = Reference(
                name: try rule.requiredString("name", example: "products_vendor_fk"), table: try rule.requiredString("table", example: "vendors"),
                column: try rule.requiredString("column", example: "id"), onDelete: try rule.referentialAction("on_delete") ?? .noAction)
            try rule.finish()
        }
        return (check, unique, references)
    }

    /// The check's expression over the physical columns, the column itself as `shadow`.
    /// - Throws: when it reads another column this migration adds, renames or changes (stored
    ///   under another name until complete), or the column by its old name.
    func physicalCheck(_ check: Check, table: TableShape, new: TableShape, shadow: String) throws -> String {
        for name in SQLIdentifiers.identifiers(in: check.expression) where name != finalName {
            if let other = new.column(name) {
                if other.name != other.physicalName {
                    throw invalid(
                        "the check \"\(check.name)\" reads \"\(name)\", which this migration adds, renames or changes: until complete it is stored as \"\(other.physicalName)\"",
                        hint: "add that check in a migration after this one (add_constraint)")
                }
            } else if table.columns.contains(where: { $0.physicalName == name }) {
                throw invalid(
                    "the check \"\(check.name)\" reads \"\(name)\", which is not a column of the new version",
                    hint: "name the column by its new name, \"\(finalName)\"")
            }
        }
        guard let rewritten = SQLIdentifiers.renaming(finalName, to: SQLText.quotedIdentifier(shadow), in: check.expression) else {
            throw invalid("the check \"\(check.name)\" cannot be read (dollar-quoted text)", hint: "write it with ordinary string literals")
        }
        return rewritten
    }

    /// The expand phase's statements of the rules, on the shadow column of `table`.
    func ruleStartActions(table: TableShape, new: TableShape, shape: VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let qualified = context.qualified(table.physicalName)
        let column = SQLText.quotedIdentifier(shadow)
        var actions: [PlannedAction] = []
        if let check {
            let expression = try physicalCheck(check, table: table, new: new, shadow: shadow)
            actions.append(.statement(
                "ALTER TABLE \(qualified) ADD CONSTRAINT \(SQLText.quotedIdentifier(check.name)) CHECK (\(expression)) NOT VALID",
                lock: .accessExclusive, table: qualified))
        }
        if let references {
            let (_, target) = try self.table(references.table, in: shape)
            let targetColumn = try self.column(references.column, of: target)
            let onDelete = references.onDelete == .noAction ? "" : " ON DELETE \(references.onDelete.rawValue)"
            // SHARE ROW EXCLUSIVE on both tables; NOT VALID skips the scan that would hold it.
            actions.append(.statement(
                "ALTER TABLE \(qualified) ADD CONSTRAINT \(SQLText.quotedIdentifier(references.name)) FOREIGN KEY (\(column)) REFERENCES \(context.qualified(target.physicalName)) (\(SQLText.quotedIdentifier(targetColumn.physicalName)))\(onDelete) NOT VALID",
                lock: .shareRowExclusive, table: qualified))
        }
        if let unique {
            actions.append(.statement(
                "CREATE UNIQUE INDEX CONCURRENTLY \(SQLText.quotedIdentifier(unique.name)) ON \(qualified) (\(column))", lock: .shareUpdateExclusive,
                table: qualified, runsInTransaction: false))
        }
        return actions
    }

    /// The contract phase's statements of the rules, before the old column is dropped.
    func ruleCompleteActions(table: TableShape, context: OperationContext) -> [PlannedAction] {
        let qualified = context.qualified(table.physicalName)
        var actions: [PlannedAction] = [check?.name, references?.name].compactMap { $0 }.map {
            .statement("ALTER TABLE \(qualified) VALIDATE CONSTRAINT \(SQLText.quotedIdentifier($0))", lock: .shareUpdateExclusive, table: qualified)
        }
        if let unique {
            // The index is valid (start built it): attaching it only changes the catalog.
            let name = SQLText.quotedIdentifier(unique.name)
            actions.append(.statement("ALTER TABLE \(qualified) ADD CONSTRAINT \(name) UNIQUE USING INDEX \(name)", lock: .accessExclusive, table: qualified))
        }
        return actions
    }

    /// The abort's removals of the rules; each may run again.
    func ruleAbortActions(table: TableShape, context: OperationContext) -> [PlannedAction] {
        let qualified = context.qualified(table.physicalName)
        var actions: [PlannedAction] = [check?.name, references?.name].compactMap { $0 }.map {
            .statement("ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(SQLText.quotedIdentifier($0))", lock: .accessExclusive, table: qualified)
        }
        if let unique {
            actions.append(.statement(
                "DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(context.schema, unique.name))", lock: .shareUpdateExclusive, table: qualified,
                runsInTransaction: false))
        }
        return actions
    }
}
