import Foundation

/// The differences between two schemas: what must change to turn ``source`` into
/// ``target``.
///
/// Objects are matched by name (functions by name and argument types, triggers by table and
/// name, columns and constraints within their table). Renames show as one object removed
/// and one added. Column order is not compared. ``changes`` is in a fixed order — schemas,
/// extensions, types, sequences, functions, then each table followed by its columns,
/// constraints, indexes and triggers, then views — so the same two schemas always give the
/// same text.
///
/// ```swift
/// let diff = SchemaDiff(from: try await production.introspectSchema(), to: try await staging.introspectSchema())
/// if !diff.isEmpty {
///     print(diff.text)
///     let script = try diff.script(for: production.dialect)   // DDL that turns production into staging
///     print(script.text)
/// }
/// ```
///
/// ## Topics
/// ### Comparing
/// - ``init(from:to:)``
/// - ``changes``
/// - ``isEmpty``
/// - ``summary``
/// ### Output
/// - ``text``
/// - ``script(for:configuration:)``
public struct SchemaDiff: Sendable, Equatable, Codable {
    /// The schema the changes start from (the database a script would be applied to).
    public let source: Schema
    /// The schema the changes lead to.
    public let target: Schema
    /// Every difference, in the fixed order described above.
    public let changes: [SchemaChange]

    /// Compares two schemas of the same dialect.
    ///
    /// - Parameters:
    ///   - source: the schema as it is (e.g. production).
    ///   - target: the schema as it should be (e.g. staging).
    /// - Precondition: both schemas come from the same dialect (check
    ///   ``Schema/dialect`` first; comparing SQLite with PostgreSQL is meaningless).
    public init(from source: Schema, to target: Schema) {
        precondition(
            source.dialect == target.dialect,
            "SchemaDiff compares schemas of one dialect, not \(source.dialect) with \(target.dialect)")
        self.source = source
        self.target = target
        self.changes = SchemaDelta(from: source, to: target).changes()
    }

    /// Whether the two schemas are the same.
    public var isEmpty: Bool { changes.isEmpty }

    /// How many objects were added, removed and changed.
    public var summary: Summary {
        Summary(
            added: changes.filter { $0.action == .added }.count,
            removed: changes.filter { $0.action == .removed }.count,
            changed: changes.filter { $0.action == .changed }.count)
    }

    /// Counts of changes by action.
    public struct Summary: Sendable, Equatable, Codable, CustomStringConvertible {
        /// Objects in the target only.
        public var added: Int
        /// Objects in the source only.
        public var removed: Int
        /// Objects in both that differ.
        public var changed: Int

        /// Creates counts.
        public init(added: Int, removed: Int, changed: Int) {
            self.added = added
            self.removed = removed
            self.changed = changed
        }

        /// `2 added, 1 removed, 3 changed`.
        public var description: String { "\(added) added, \(removed) removed, \(changed) changed" }
    }

    private enum CodingKeys: String, CodingKey { case source, target, changes }

    /// Decodes both schemas and recomputes the changes, so a decoded diff is always
    /// consistent with its schemas.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let source = try container.decode(Schema.self, forKey: .source)
        let target = try container.decode(Schema.self, forKey: .target)
        guard source.dialect == target.dialect else {
            throw DecodingError.dataCorruptedError(
                forKey: .target, in: container, debugDescription: "the schemas are of different dialects")
        }
        self.init(from: source, to: target)
    }

    /// Encodes both schemas and the changes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(target, forKey: .target)
        try container.encode(changes, forKey: .changes)
    }

    /// The changes as text, one object per line, with changed properties indented below:
    ///
    /// ```text
    /// + table public.invoices
    /// ~ column public.users.email
    ///     type: text → character varying(200)
    /// - index public.users_name_idx on public.users: CREATE INDEX users_name_idx ON public.users USING btree (name)
    /// ```
    public var text: String {
        guard !changes.isEmpty else { return "schemas are identical" }
        var lines: [String] = []
        for change in changes {
            var line = "\(change.action.symbol) \(change.kind) \(change.name)"
            if let table = change.table, change.kind == .index || change.kind == .trigger || change.kind == .constraint {
                line += " on \(table)"
            }
            if let summary = change.summary, !summary.isEmpty {
                line += ": " + summary.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
            }
            lines.append(line)
            for property in change.properties {
                lines.append(property.description.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Building the list

extension SchemaDelta {
    /// The flat, ordered list of changes.
    func changes() -> [SchemaChange] {
        var keyed: [(key: ChangeOrder, change: SchemaChange)] = []
        let viewNames = Set(source.views.map(\.name) + target.views.map(\.name))
        func add(_ section: Int, owner: String, rank: Int, _ change: SchemaChange) {
            keyed.append((ChangeOrder(section: section, owner: owner, rank: rank, name: change.name, action: change.action), change))
        }
        func each<T>(_ delta: Delta<T>, _ body: (SchemaChange.Action, T, [PropertyChange]) -> Void) {
            for item in delta.added { body(.added, item, []) }
            for item in delta.removed { body(.removed, item, []) }
            for item in delta.changed { body(.changed, item.new, item.properties) }
        }

        each(namespaces) { action, item, properties in
            add(0, owner: item.name, rank: 0, SchemaChange(action: action, kind: .schema, name: item.name, properties: properties))
        }
        each(extensions) { action, item, properties in
            add(1, owner: item.name, rank: 0, SchemaChange(
                action: action, kind: .extension, name: item.name,
                summary: action == .changed ? nil : "version \(item.version) in schema \(item.schema)", properties: properties))
        }
        each(enumTypes) { action, item, properties in
            add(2, owner: item.name.description, rank: 0, SchemaChange(
                action: action, kind: .enumType, name: item.name.description,
                summary: action == .changed ? nil : SchemaComparer.labels(item.labels), properties: properties))
        }
        each(sequences) { action, item, properties in
            add(3, owner: item.name.description, rank: 0, SchemaChange(
                action: action, kind: .sequence, name: item.name.description, properties: properties))
        }
        each(functions) { action, item, properties in
            add(4, owner: item.signature, rank: 0, SchemaChange(
                action: action, kind: .function, name: item.signature,
                summary: action == .changed ? nil : item.result.map { "returns \($0)" } ?? item.kind, properties: properties))
        }
        for table in addedTables {
            add(5, owner: table.name.description, rank: 0, SchemaChange(
                action: .added, kind: .table, name: table.name.description, summary: Self.columnList(table)))
        }
        for table in removedTables {
            add(5, owner: table.name.description, rank: 0, SchemaChange(
                action: .removed, kind: .table, name: table.name.description, summary: Self.columnList(table)))
        }
        for table in changedTables {
            let owner = table.new.name.description
            if !table.properties.isEmpty {
                add(5, owner: owner, rank: 0, SchemaChange(action: .changed, kind: .table, name: owner, properties: table.properties))
            }
            each(table.columns) { action, column, properties in
                add(5, owner: owner, rank: 1, SchemaChange(
                    action: action, kind: .column, name: "\(owner).\(column.name)", table: owner,
                    summary: action == .changed ? nil : Self.columnSummary(column), properties: properties))
            }
            each(table.constraints) { action, constraint, properties in
                add(5, owner: owner, rank: 2, SchemaChange(
                    action: action, kind: .constraint, name: constraint.name, table: owner,
                    summary: action == .changed ? nil : Self.constraintSummary(constraint), properties: properties))
            }
        }
        each(indexes) { action, index, properties in
            let onView = viewNames.contains(index.table)
            add(onView ? 6 : 5, owner: index.table.description, rank: 3, SchemaChange(
                action: action, kind: .index, name: index.name.description, table: index.table.description,
                summary: action == .changed ? nil : index.definition, properties: properties))
        }
        each(views) { action, view, properties in
            add(6, owner: view.name.description, rank: 0, SchemaChange(
                action: action, kind: view.isMaterialized ? .materializedView : .view, name: view.name.description,
                properties: properties))
        }
        each(triggers) { action, trigger, properties in
            let onView = viewNames.contains(trigger.table)
            add(onView ? 6 : 5, owner: trigger.table.description, rank: 4, SchemaChange(
                action: action, kind: .trigger, name: trigger.name, table: trigger.table.description,
                summary: action == .changed ? nil : trigger.definition, properties: properties))
        }
        return keyed.sorted { $0.key < $1.key }.map(\.change)
    }

    static func columnSummary(_ column: Schema.Column) -> String {
        var parts = [column.type.isEmpty ? "(no type)" : column.type]
        if let collation = column.collation { parts.append("COLLATE \(collation)") }
        if let generated = column.generated { parts.append("GENERATED ALWAYS AS \(SchemaComparer.generated(generated))") }
        if let identity = column.identity { parts.append("GENERATED \(identity.rawValue) AS IDENTITY") }
        if !column.isNullable { parts.append("NOT NULL") }
        if let defaultExpression = column.defaultExpression { parts.append("DEFAULT \(defaultExpression)") }
        return parts.joined(separator: " ")
    }

    static func constraintSummary(_ constraint: Schema.Constraint) -> String {
        constraint.definition + (constraint.isValidated ? "" : " NOT VALID")
    }

    static func columnList(_ table: Schema.Table) -> String {
        "\(table.columns.count) column\(table.columns.count == 1 ? "" : "s") (\(table.columns.map(\.name).joined(separator: ", ")))"
    }
}

/// Sort order of changes: section (object kind), owning object, rank within it, name, action.
struct ChangeOrder: Comparable {
    var section: Int
    var owner: String
    var rank: Int
    var name: String
    var action: SchemaChange.Action

    static func < (lhs: ChangeOrder, rhs: ChangeOrder) -> Bool {
        if lhs.section != rhs.section { return lhs.section < rhs.section }
        if lhs.owner != rhs.owner { return lhs.owner < rhs.owner }
        if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return Self.actionRank(lhs.action) < Self.actionRank(rhs.action)
    }

    private static func actionRank(_ action: SchemaChange.Action) -> Int {
        switch action {
        case .removed: 0
        case .added: 1
        case .changed: 2
        }
    }
}
