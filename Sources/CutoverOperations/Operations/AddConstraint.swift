import CutoverCore

/// `add_constraint`: a CHECK, UNIQUE or FOREIGN KEY constraint, added without a long lock.
///
/// - `check` and `foreign_key`: expand adds the constraint `NOT VALID` (a short lock; the rows
///   there are are not scanned); complete runs `VALIDATE CONSTRAINT` (SHARE UPDATE EXCLUSIVE:
///   reads and writes go on while it scans); abort drops it.
/// - `unique`: expand builds a unique index `CONCURRENTLY`, alone, outside a transaction;
///   complete turns it into the constraint (`ADD CONSTRAINT … UNIQUE USING INDEX`, catalog
///   only); abort drops the index concurrently.
///
/// ```yaml
/// - add_constraint: { table: products, name: products_price_positive, type: check, check: "price > 0" }
/// - add_constraint: { table: users, name: users_email_key, type: unique, columns: [email] }
/// - add_constraint:
///     table: orders
///     name: orders_user_fk
///     type: foreign_key
///     columns: [user_id]
///     references: { table: users, columns: [id], on_delete: CASCADE }   # on_delete: NO ACTION (default), RESTRICT, CASCADE, SET NULL, SET DEFAULT
/// ```
///
/// `columns` and `references` name columns by the new version's names (a column this migration
/// adds or changes is constrained in its shadow column, which complete renames into place). A
/// `check` is SQL over the columns as the database has them during the expand phase, so it may
/// not read a column this migration adds, renames or changes: add that check in the next migration.
///
/// With `up` (and `down`), the constraint is added without that warning: the constrained
/// column (`columns: [one]`, for a check too) gets a shadow column that carries the constraint,
/// `up` converts what the old version writes into a value that satisfies it (and fills the
/// rows there are), `down` gives the old version the new version's writes, and complete swaps
/// the shadow in — exactly `alter_column` with `check`/`unique`/`references` on that column,
/// which this becomes when parsed (its messages say `alter_column`):
///
/// ```yaml
/// - add_constraint:
///     table: products
///     name: products_price_positive
///     type: check
///     check: "price > 0"
///     columns: [price]              # the column up and down convert
///     up: "GREATEST(price, 1)"      # the old version's writes, made to satisfy it
///     down: "price"
/// ```
///
/// - Warning: without `up`, from `start` on, the constraint applies to every write, the old
///   version's included: the old version must already write only rows that satisfy it. The rows there
///   were before are checked by `complete` (`VALIDATE`), which fails while one violates it:
///   fix the data and run `complete` again.
public struct AddConstraint: ExpandContractOperation, Hashable {
    public static let name = "add_constraint"

    /// The kind of constraint.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `CHECK (expression)`.
        case check
        /// `UNIQUE (columns)`.
        case unique
        /// `FOREIGN KEY (columns) REFERENCES table (columns)`.
        case foreignKey = "foreign_key"
    }

    /// The table and columns a foreign key refers to.
    public struct Reference: Sendable, Hashable {
        /// The referenced table, by the new version's name.
        public var table: String
        /// Its columns, by the new version's names.
        public var columns: [String]
        /// `ON DELETE`; `NO ACTION` unless given.
        public var onDelete: Schema.ReferentialAction

        /// Creates a reference.
        public init(table: String, columns: [String], onDelete: Schema.ReferentialAction = .noAction) {
            self.table = table
            self.columns = columns
            self.onDelete = onDelete
        }
    }

    public var file: String
    public var line: Int
    /// The table.
    public var table: String
    /// The constraint's name (for `unique`, also its index's).
    public var constraint: String
    /// The kind of constraint.
    public var kind: Kind
    /// The `check` expression; nil for the other kinds.
    public var check: String?
    /// The constrained columns (`unique`, `foreign_key`); empty for `check`.
    public var columns: [String]
    /// What a foreign key refers to; nil for the other kinds.
    public var references: Reference?
    /// SQL turning the old version's value of the one constrained column into one that
    /// satisfies the constraint; with it, the operation is planned as an ``AlterColumn``
    /// (see ``convertingColumn()``).
    public var up: String?
    /// SQL giving the old version's column the new version's value; with `up`.
    public var down: String?

    /// Creates the operation.
    public init(
        table: String, constraint: String, kind: Kind, check: String? = nil, columns: [String] = [], references: Reference? = nil,
        up: String? = nil, down: String? = nil, file: String = "", line: Int = 1
    ) {
        self.up = up
        self.down = down
        self.table = table
        self.constraint = constraint
        self.kind = kind
        self.check = check
        self.columns = columns
        self.references = references
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        table = try object.requiredString("table", example: "products")
        constraint = try object.requiredString("name", example: "products_price_positive")
        let typeLine = object.node("type")?.line ?? object.line
        let type = try object.requiredString("type", example: "check")
        guard let kind = Kind(rawValue: type) else {
            throw CutoverError(
                .invalidMigration, "add_constraint.type must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(type)\"",
                hint: "for example `type: check` with `check: \"price > 0\"`", file: file, line: typeLine)
        }
        self.kind = kind
        check = nil
        columns = []
        references = nil
        // Only the keys of this kind are read: `finish()` refuses the others.
        switch kind {
        case .check:
            check = RawSQL.trimmed(try object.requiredString("check", example: "\"price > 0\""))
        case .unique:
            columns = try object.requiredStrings("columns", example: "[email]")
        case .foreignKey:
            columns = try object.requiredStrings("columns", example: "[user_id]")
            var target = try object.requiredObject("references", example: "{ table: users, columns: [id] }")
            references = Reference(
                table: try target.requiredString("table", example: "users"), columns: try target.requiredStrings("columns", example: "[id]"),
                onDelete: try target.referentialAction("on_delete") ?? .noAction)
            try target.finish()
            if references?.columns.count != columns.count {
                throw CutoverError(
                    .invalidMigration, "add_constraint: the foreign key has \(columns.count) column(s) but references \(references?.columns.count ?? 0)",
                    hint: "list as many columns under `references` as under `columns`", file: file, line: target.line)
            }
        }
        up = try object.string("up")
        down = try object.string("down")
        if up != nil || down != nil {
            if kind == .check { columns = try object.requiredStrings("columns", example: "[price]") }
            guard columns.count == 1 else {
                throw CutoverError(
                    .invalidMigration, "add_constraint: up and down convert the values of one column, and this constraint has \(columns.count)",
                    hint: "name the one column they convert (`columns: [price]`), or add the constraint without up/down", file: file, line: line)
            }
            guard up != nil else {
                throw CutoverError(
                    .invalidMigration, "add_constraint: down without up",
                    hint: "give `up`, which turns the old version's writes into values that satisfy the constraint", file: file, line: line)
            }
        }
        try object.finish()
    }

    /// The operation as planned: with `up`, the ``AlterColumn`` that adds the constraint on a
    /// shadow column of the one constrained column; itself otherwise.
    public func convertingColumn() -> any ExpandContractOperation {
        guard let up, let column = columns.first else { return self }
        switch kind {
        case .check:
            return AlterColumn(table: table, column: column, up: up, down: down, check: .init(name: constraint, expression: check ?? "true"), file: file, line: line)
        case .unique:
            return AlterColumn(table: table, column: column, up: up, down: down, unique: .init(name: constraint), file: file, line: line)
        case .foreignKey:
            let reference = references.map { AlterColumn.Reference(name: constraint, table: $0.table, column: $0.columns.first ?? "", onDelete: $0.onDelete) }
            return AlterColumn(table: table, column: column, up: up, down: down, references: reference, file: file, line: line)
        }
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        let (position, table) = try self.table(table, in: shape)
        let qualified = context.qualified(table.physicalName)
        let name = SQLText.quotedIdentifier(constraint)
        let columnNames = try columns.map { try column($0, of: table).physicalName }
        let physical = columnNames.map(SQLText.quotedIdentifier).joined(separator: ", ")
        // Recorded so that a later alter_column of one of its columns builds it again on the shadow column.
        func record(_ definition: String, columns: [String], expression: String? = nil) {
            shape.tables[position].constraints?.append(
                ConstraintShape(name: constraint, kind: kind.schemaKind, columns: columns, definition: definition, expression: expression))
        }
        switch kind {
        case .check:
            let check = check ?? "true"
            if let column = Self.identifiers(in: check).lazy.compactMap({ table.column($0) }).first(where: { $0.name != $0.physicalName }) {
                throw invalid(
                    "the check reads \"\(column.name)\", which this migration adds, renames or changes: until complete it is stored as \"\(column.physicalName)\"",
                    hint: "add the constraint in a migration after this one")
            }
            let read = Set(Self.identifiers(in: check))
            record("CHECK (\(check))", columns: table.columns.map(\.physicalName).filter(read.contains), expression: check)
            return [.statement(
                "ALTER TABLE \(qualified) ADD CONSTRAINT \(name) CHECK (\(check)) NOT VALID", lock: .accessExclusive, table: qualified)]
        case .unique:
            record("UNIQUE (\(physical))", columns: columnNames)
            return [.statement(
                "CREATE UNIQUE INDEX CONCURRENTLY \(name) ON \(qualified) (\(physical))", lock: .shareUpdateExclusive, table: qualified,
                runsInTransaction: false)]
        case .foreignKey:
            guard let references else { return [] }
            let (_, target) = try self.table(references.table, in: shape)
            let targetColumns = try references.columns.map { SQLText.quotedIdentifier(try column($0, of: target).physicalName) }
            let onDelete = references.onDelete == .noAction ? "" : " ON DELETE \(references.onDelete.rawValue)"
            let targetPosition = shape.tableIndex(references.table)
            record(
                "FOREIGN KEY (\(physical)) REFERENCES \(context.qualified(target.physicalName))(\(targetColumns.joined(separator: ", ")))\(onDelete)",
                columns: columnNames)
            if let targetPosition {
                shape.tables[targetPosition].referencedBy?.append(
                    IncomingForeignKey(name: constraint, table: table.name, columns: try references.columns.map { try column($0, of: target).physicalName }))
            }
            // SHARE ROW EXCLUSIVE on both tables; NOT VALID skips the scan that would hold it.
            return [.statement(
                "ALTER TABLE \(qualified) ADD CONSTRAINT \(name) FOREIGN KEY (\(physical)) REFERENCES \(context.qualified(target.physicalName)) (\(targetColumns.joined(separator: ", ")))\(onDelete) NOT VALID",
                lock: .shareRowExclusive, table: qualified)]
        }
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        let name = SQLText.quotedIdentifier(constraint)
        switch kind {
        case .check, .foreignKey:
            return [.statement("ALTER TABLE \(qualified) VALIDATE CONSTRAINT \(name)", lock: .shareUpdateExclusive, table: qualified)]
        case .unique:
            // The index is valid (start built it): attaching it only changes the catalog.
            return [.statement("ALTER TABLE \(qualified) ADD CONSTRAINT \(name) UNIQUE USING INDEX \(name)", lock: .accessExclusive, table: qualified)]
        }
    }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        guard let table = before.tables.first(where: { $0.name == self.table }) else { return [] }
        let qualified = context.qualified(table.physicalName)
        switch kind {
        case .check, .foreignKey:
            return [.statement(
                "ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(SQLText.quotedIdentifier(constraint))", lock: .accessExclusive, table: qualified)]
        case .unique:
            return [.statement(
                "DROP INDEX CONCURRENTLY IF EXISTS \(SQLText.qualified(context.schema, constraint))", lock: .shareUpdateExclusive, table: qualified,
                runsInTransaction: false)]
        }
    }

    /// The identifiers `expression` may name columns with: its words outside string literals
    /// (lower-cased, as PostgreSQL folds them) and its double-quoted names (as written).
    static func identifiers(in expression: String) -> [String] {
        var names: [String] = []
        var word = ""
        var iterator = expression.makeIterator()
        func flush() {
            if !word.isEmpty, !(word.first?.isNumber ?? false) { names.append(word.lowercased()) }
            word = ""
        }
        while let character = iterator.next() {
            switch character {
            case "'":
                flush()
                // A literal ends at a quote not doubled; a doubled one reads as two literals here, which is harmless.
                while let next = iterator.next(), next != "'" {}
            case "\"":
                flush()
                var quoted = ""
                while let next = iterator.next(), next != "\"" { quoted.append(next) }
                names.append(quoted)
            case _ where character.isLetter || character.isNumber || character == "_" || character == "$":
                word.append(character)
            default:
                flush()
            }
        }
        flush()
        return names
    }
}

extension AddConstraint.Kind {
    /// The same kind in CutoverCore's schema model.
    var schemaKind: Schema.Constraint.Kind {
        switch self {
        case .check: .check
        case .unique: .unique
        case .foreignKey: .foreignKey
        }
    }
}
