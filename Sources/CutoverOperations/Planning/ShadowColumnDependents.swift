import CutoverCore

/// The indexes and constraints of a column that ``AlterColumn`` replaces with a shadow
/// column, built again on the shadow column so that `complete`, which drops the old column
/// and with it everything on it, loses none of them.
///
/// - start: each index is built `CONCURRENTLY` under a temporary name
///   (``ShadowNames/dependent(table:name:)``), a unique constraint as its unique index, a check
///   or foreign key is added `NOT VALID` under the temporary name;
/// - complete: the checks and foreign keys are validated; after the old column's drop (which
///   drops the originals, freeing their names) the copies take the original names, and a
///   unique index becomes the constraint again (`ADD CONSTRAINT … UNIQUE USING INDEX`);
/// - abort: the copies are dropped (`IF EXISTS`, indexes concurrently).
///
/// An index or constraint that also reads another column this migration drops is not copied:
/// it goes with that column at `complete`.
struct ShadowColumnDependents {
    /// One index or constraint copied onto the shadow column.
    struct Copy {
        enum Kind { case index, unique, check, foreignKey }
        var kind: Kind
        /// The original's name, which the copy takes at `complete`.
        var original: String
        /// The copy's name until then.
        var temporary: String
        /// The statement of the expand phase.
        var create: PlannedAction
        /// For a unique constraint: `DEFERRABLE …` after `USING INDEX`.
        var deferrable: String
        /// False when the original check or foreign key was never validated: nor is the copy.
        var validates = true
    }

    var context: OperationContext
    var table: TableShape
    var copies: [Copy]

    /// Plans the copies of what is on `column` of `table` (physical names).
    /// - Throws: the error `refusal(message, hint)` makes, for a primary key, a foreign key of
    ///   another table referring to the column, an exclusion constraint, an index or constraint
    ///   that cannot be rewritten, or one that also reads another column this migration changes.
    init(
        table: TableShape, column: String, shadow: String, context: OperationContext, refusal: (String, String) -> CutoverError
    ) throws {
        self.context = context
        self.table = table
        guard let indexes = table.indexes, let constraints = table.constraints, let incoming = table.referencedBy else {
            throw refusal(
                "the shape of \"\(table.name)\" was recorded by an older Cutover, without its indexes and constraints, which moving \"\(column)\" to a new column must rebuild",
                "complete (or abort) the migration in flight first, then start this one")
        }
        let alive = Set(table.columns.map(\.physicalName))
        let qualified = context.qualified(table.physicalName)
        let quotedShadow = SQLText.quotedIdentifier(shadow)
        if let key = incoming.first(where: { $0.columns.contains(column) }) {
            throw refusal(
                "\"\(column)\" of \"\(table.name)\" is referenced by the foreign key \"\(key.name)\" of \"\(key.table)\": complete would have to drop it with the old column",
                "drop that foreign key in an earlier migration (drop_constraint), change the column, then add the foreign key again (add_constraint) in a later one")
        }
        var copies: [Copy] = []
        func rewrite(_ sql: String, what: String) throws -> String {
            guard let rewritten = SQLIdentifiers.renaming(column, to: quotedShadow, in: sql) else {
                throw refusal(
                    "\(what) on \"\(column)\" of \"\(table.name)\" cannot be rebuilt on the new column automatically (its SQL is not a simple expression)",
                    "drop it in an earlier migration, then create it again after this one")
            }
            return rewritten
        }
        for constraint in constraints where constraint.columns.contains(column) {
            let what = "the \(constraint.kind.rawValue.split(separator: "_").joined(separator: " ")) \"\(constraint.name)\""
            try Self.requireOthersUnchanged(constraint.columns, column: column, what: what, table: table.name, refusal: refusal)
            guard constraint.columns.allSatisfy(alive.contains) else { continue }
            let temporary = ShadowNames.dependent(table: table.physicalName, name: constraint.name)
            let name = SQLText.quotedIdentifier(temporary)
            switch constraint.kind {
            case .primaryKey:
                throw refusal(
                    "\"\(column)\" is part of the primary key \"\(constraint.name)\" of \"\(table.name)\": a new column cannot take its place without rebuilding the key under an exclusive lock",
                    "change a primary key column with a .sql migration in a maintenance window, or add a new key column and move to it over several migrations")
            case .exclusion:
                throw refusal(
                    "\"\(column)\" is part of the exclusion constraint \"\(constraint.name)\" of \"\(table.name)\", which Cutover does not rebuild on a new column",
                    "drop it in an earlier migration (drop_constraint), then add it again with an `sql` operation after this one")
            case .unique:
                var body = constraint.definition
                guard body.hasPrefix("UNIQUE ") else { throw refusal("\(what) has an unexpected definition: \(body)", "drop it first and add it again after this migration") }
                body.removeFirst("UNIQUE ".count)
                let nullsNotDistinct = body.hasPrefix("NULLS NOT DISTINCT ")
                if nullsNotDistinct { body.removeFirst("NULLS NOT DISTINCT ".count) }
                guard body.hasPrefix("("), body.hasSuffix(")"), body.dropFirst().firstIndex(of: ")") == body.index(before: body.endIndex) else {
                    throw refusal(
                        "\(what) on \"\(column)\" of \"\(table.name)\" has options (INCLUDE, WITH, a tablespace) that Cutover does not rebuild on a new column",
                        "drop it in an earlier migration (drop_constraint), then add it again after this one")
                }
                let keys = try rewrite(body, what: what)
                let deferrable = constraint.isDeferrable ? " DEFERRABLE\(constraint.isInitiallyDeferred ? " INITIALLY DEFERRED" : "")" : ""
                copies.append(Copy(
                    kind: .unique, original: constraint.name, temporary: temporary,
                    create: .statement(
                        "CREATE UNIQUE INDEX CONCURRENTLY \(name) ON \(qualified) \(keys)\(nullsNotDistinct ? " NULLS NOT DISTINCT" : "")",
                        lock: .shareUpdateExclusive, table: qualified, runsInTransaction: false),
                    deferrable: deferrable))
            case .check:
                let expression = try rewrite(constraint.expression ?? Self.checkBody(constraint.definition), what: what)
                copies.append(Copy(
                    kind: .check, original: constraint.name, temporary: temporary,
                    create: .statement("ALTER TABLE \(qualified) ADD CONSTRAINT \(name) CHECK (\(expression)) NOT VALID", lock: .accessExclusive, table: qualified),
                    deferrable: "", validates: constraint.isValidated))
            case .foreignKey:
                // Only the referring side names this table's columns.
                guard let references = constraint.definition.firstRange(of: " REFERENCES ") else {
                    throw refusal("\(what) has an unexpected definition: \(constraint.definition)", "drop it first and add it again after this migration")
                }
                let local = try rewrite(String(constraint.definition[..<references.lowerBound]), what: what)
                let definition = local + constraint.definition[references.lowerBound...]
                copies.append(Copy(
                    kind: .foreignKey, original: constraint.name, temporary: temporary,
                    // SHARE ROW EXCLUSIVE on both tables; NOT VALID skips the scan that would hold it.
                    create: .statement("ALTER TABLE \(qualified) ADD CONSTRAINT \(name) \(definition) NOT VALID", lock: .shareRowExclusive, table: qualified),
                    deferrable: "", validates: constraint.isValidated))
            }
        }
        for index in indexes where index.columns.contains(column) {
            let what = "the index \"\(index.name)\""
            try Self.requireOthersUnchanged(index.columns, column: column, what: what, table: table.name, refusal: refusal)
            guard index.columns.allSatisfy(alive.contains) else { continue }
            guard let using = index.definition.firstRange(of: " USING "), !index.definition.contains(" ON ONLY "), index.definition.hasPrefix("CREATE ") else {
                throw refusal("\(what) has an unexpected definition: \(index.definition)", "drop it in an earlier migration (drop_index), then create it again after this one")
            }
            let method = try rewrite(String(index.definition[using.upperBound...]), what: what)
            let unique = index.definition.hasPrefix("CREATE UNIQUE ") ? "UNIQUE " : ""
            let temporary = ShadowNames.dependent(table: table.physicalName, name: index.name)
            copies.append(Copy(
                kind: .index, original: index.name, temporary: temporary,
                create: .statement(
                    "CREATE \(unique)INDEX CONCURRENTLY \(SQLText.quotedIdentifier(temporary)) ON \(qualified) USING \(method)",
                    lock: .shareUpdateExclusive, table: qualified, runsInTransaction: false),
                deferrable: ""))
        }
        self.copies = copies
    }

    /// Whether a copied foreign key has an action that writes the column (`ON DELETE SET NULL`
    /// or `SET DEFAULT`, `ON UPDATE CASCADE`, …): see ``DualWriteTrigger/keepsShadowSetByUpdate``.
    var hasWritingForeignKey: Bool {
        copies.contains { copy in
            guard copy.kind == .foreignKey else { return false }
            return ["ON DELETE SET ", "ON UPDATE CASCADE", "ON UPDATE SET "].contains { copy.create.sql.contains($0) }
        }
    }

    /// The expand phase's statements.
    var startActions: [PlannedAction] { copies.map(\.create) }

    /// The contract phase's validations, run before the old column is dropped.
    var validateActions: [PlannedAction] {
        let qualified = context.qualified(table.physicalName)
        return copies.filter { ($0.kind == .check || $0.kind == .foreignKey) && $0.validates }.map {
            .statement("ALTER TABLE \(qualified) VALIDATE CONSTRAINT \(SQLText.quotedIdentifier($0.temporary))", lock: .shareUpdateExclusive, table: qualified)
        }
    }

    /// The statements, inside the contract phase's drop and rename of the column, that give
    /// the copies their original names once the old column took the originals with it.
    var renameStatements: [String] {
        let qualified = context.qualified(table.physicalName)
        return copies.map { copy in
            let temporary = SQLText.quotedIdentifier(copy.temporary), original = SQLText.quotedIdentifier(copy.original)
            switch copy.kind {
            case .index: return "ALTER INDEX IF EXISTS \(SQLText.qualified(context.schema, copy.temporary)) RENAME TO \(original);"
            case .unique: return "ALTER TABLE \(qualified) ADD CONSTRAINT \(original) UNIQUE USING INDEX \(temporary)\(copy.deferrable);"
            case .check, .foreignKey: return "ALTER TABLE \(qualified) RENAME CONSTRAINT \(temporary) TO \(original);"
            }
        }
    }

    /// The abort's removals; each may run again.
    var abortActions: [PlannedAction] {
        let qualified = context.qualified(table.physicalName)
        return copies.map { copy in
            switch copy.kind {
            case .index, .unique:
                PlannedAction.statement(
                    "DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(context.schema, copy.temporary))", lock: .shareUpdateExclusive, table: qualified,
                    runsInTransaction: false)
            case .check, .foreignKey:
                PlannedAction.statement("ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(SQLText.quotedIdentifier(copy.temporary))", lock: .accessExclusive, table: qualified)
            }
        }
    }

    /// Refuses an index or constraint that also reads another column moved to a shadow column
    /// in this migration: each change would drop the other's copy with its old column.
    private static func requireOthersUnchanged(
        _ columns: [String], column: String, what: String, table: String, refusal: (String, String) -> CutoverError
    ) throws {
        let prefix = ShadowNames.newColumn("")
        if let other = columns.first(where: { $0 != column && $0.hasPrefix("_cutover_") }) {
            let name = other.hasPrefix(prefix) ? String(other.dropFirst(prefix.count)) : other
            throw refusal(
                "\(what) of \"\(table)\" reads \"\(column)\" and \"\(name)\", which this migration also moves to a new column",
                "change one of these columns per migration")
        }
    }

    /// The expression of `CHECK (expression)`.
    private static func checkBody(_ definition: String) -> String {
        guard definition.hasPrefix("CHECK ("), definition.hasSuffix(")") else { return definition }
        return String(definition.dropFirst("CHECK (".count).dropLast())
    }
}
