import CutoverCore
import Foundation

extension PostgresDatabase: SchemaIntrospecting {
    /// Reads the database's schema from `pg_catalog`.
    ///
    /// One query per kind of object (schemas, extensions, enum types, sequences, tables,
    /// columns, constraints, indexes, views, functions, triggers), each over the whole
    /// database, so the number of round trips does not grow with the number of tables. The
    /// session's `search_path` is emptied while the queries run, so every name in the
    /// definitions is schema-qualified, and restored afterwards.
    ///
    /// Left out: the system schemas, temporary schemas, objects that belong to an
    /// extension, and the schema `cutover` unless ``IntrospectionOptions/includesCutoverObjects``.
    /// Needs PostgreSQL 11 or later.
    ///
    /// ```swift
    /// let db = try await PostgresDriver().connect(url, logger: logger)
    /// let schema = try await db.introspect(options: .init())
    /// print(schema.tables.count)
    /// ```
    ///
    /// - Parameter options: which objects to read.
    /// - Returns: the schema, collections sorted by name.
    /// - Throws: ``CutoverError`` `.statementFailed` when a catalog query fails (for
    ///   example on PostgreSQL 10 or older), or `.connectionFailed` when the session is lost.
    public func introspect(options: IntrospectionOptions) async throws -> Schema {
        let queries = PostgresCatalogQueries(options: options, serverVersion: serverVersionNumber)
        let previous = try await query("SELECT current_setting('search_path') AS path").first?.string("path") ?? "\"$user\", public"
        try await execute("SELECT set_config('search_path', '', false)")
        do {
            let schema = try await read(queries)
            try await execute("SELECT pg_catalog.set_config('search_path', $1, false)", [.text(previous)])
            return schema
        } catch {
            try? await execute("SELECT pg_catalog.set_config('search_path', $1, false)", [.text(previous)])
            throw error
        }
    }

    private func read(_ queries: PostgresCatalogQueries) async throws -> Schema {
        // All queries are sent at once: the connection runs them one after the other, and
        // the rows of one are decoded here while the server runs the next. Each result is
        // caught, so that a failing query does not cancel the others (cancelling a query
        // closes the session).
        async let commentRows = rows(queries.comments)
        async let namespaceRows = rows(queries.namespaces)
        async let extensionRows = rows(queries.extensions)
        async let enumRows = rows(queries.enumTypes)
        async let sequenceRows = rows(queries.sequences)
        async let columnRows = rows(queries.columns)
        async let constraintRows = rows(queries.constraints)
        async let tableRows = rows(queries.tables)
        async let indexRows = rows(queries.indexes)
        async let viewRows = rows(queries.views)
        async let functionRows = rows(queries.functions)
        async let triggerRows = rows(queries.triggers)
        // Every query finishes before any error is thrown (leaving the scope would cancel the rest).
        let (commentResult, namespaceResult, extensionResult, enumResult, sequenceResult, columnResult) =
            await (commentRows, namespaceRows, extensionRows, enumRows, sequenceRows, columnRows)
        let (constraintResult, tableResult, indexResult, viewResult, functionResult, triggerResult) =
            await (constraintRows, tableRows, indexRows, viewRows, functionRows, triggerRows)

        var comments: [CommentKey: String] = [:]
        for row in try commentResult.get() {
            guard let catalog = row.string("catalog"), let oid = row["oid"]?.int, let text = row.string("description") else { continue }
            comments[CommentKey(catalog: catalog, oid: oid, subid: row.int("subid") ?? 0)] = text
        }
        func comment(_ catalog: String, _ row: Row, subid: Int = 0, oid column: String = "oid") -> String? {
            guard let oid = row[column]?.int else { return nil }
            return comments[CommentKey(catalog: catalog, oid: oid, subid: subid)]
        }
        let namespaces = try namespaceResult.get().map { row in
            Schema.Namespace(name: row.string("name") ?? "", comment: row.string("comment"))
        }
        let extensions = try extensionResult.get().map { row in
            Schema.Extension(name: row.string("name") ?? "", schema: row.string("schema") ?? "", version: row.string("version") ?? "")
        }
        let enumTypes = try enumResult.get().map { row in
            Schema.EnumType(name: Self.name(row), labels: Self.strings(row.string("labels")), comment: comment("pg_type", row))
        }
        let sequences = try sequenceResult.get().map { Self.sequence($0, comment: comment("pg_class", $0)) }

        // Columns by table, and every table's column names by number for the constraints.
        var columnsByTable: [Schema.ObjectName: [(position: Int, column: Schema.Column, isLocal: Bool)]] = [:]
        var columnNames: [Int64: [Int: String]] = [:]
        for row in try columnResult.get() {
            let position = row.int("position") ?? 0
            if let table = row["table_oid"]?.int { columnNames[table, default: [:]][position] = row.string("name") ?? "" }
            var column = Self.column(row)
            column.comment = comment("pg_class", row, subid: position, oid: "table_oid")
            columnsByTable[Self.name(row, schema: "schema", name: "table_name"), default: []]
                .append((position, column, row["is_local"] != .bool(false)))
        }
        var constraintsByTable: [Schema.ObjectName: [Schema.Constraint]] = [:]
        for row in try constraintResult.get() {
            var constraint = Self.constraint(row, columnNames: columnNames)
            constraint.comment = comment("pg_constraint", row)
            constraintsByTable[Self.name(row, schema: "schema", name: "table_name"), default: []].append(constraint)
        }
        let tables = try tableResult.get().map { row in
            let name = Self.name(row)
            var parent: Schema.ObjectName?
            if let parentName = row.string("parent_name") { parent = Schema.ObjectName(parentName, schema: row.string("parent_schema")) }
            // A partition's inherited columns belong to its parent.
            let columns = (columnsByTable[name] ?? []).filter { parent == nil || $0.isLocal }
                .sorted { $0.position < $1.position }.map(\.column)
            return Schema.Table(
                name: name, columns: columns, constraints: constraintsByTable[name] ?? [],
                comment: comment("pg_class", row), partitionKey: row.string("partition_key"), partitionOf: parent,
                partitionBound: row.string("partition_bound"), options: Self.strings(row.string("options")),
                isUnlogged: row.string("persistence") == "u")
        }
        let indexes = try indexResult.get().map { row in
            let definition = row.string("definition") ?? ""
            return Schema.Index(
                name: Self.name(row), table: Self.name(row, schema: "table_schema", name: "table_name"),
                columns: Self.keyColumns(definition), isUnique: row["is_unique"] == .bool(true),
                method: row.string("method"), predicate: row.string("predicate"), definition: definition,
                isValid: row["is_valid"] != .bool(false), comment: comment("pg_class", row))
        }
        let views = try viewResult.get().map { row in
            Schema.View(
                name: Self.name(row), definition: Self.viewDefinition(row.string("definition")),
                isMaterialized: row.string("kind") == "m", options: Self.strings(row.string("options")),
                dependsOn: Self.pairs(row.string("depends_on")).map { Schema.ObjectName($0.1, schema: $0.0) },
                comment: comment("pg_class", row))
        }
        let functions = try functionResult.get().map { row in
            Schema.Function(
                name: Self.name(row), arguments: row.string("arguments") ?? "",
                kind: row.string("kind") == "p" ? "procedure" : "function", result: row.string("result"),
                language: row.string("language") ?? "", definition: row.string("definition") ?? "", comment: comment("pg_proc", row))
        }
        let triggers = try triggerResult.get().map { row in
            Schema.Trigger(
                name: row.string("name") ?? "", table: Self.name(row, schema: "schema", name: "table_name"),
                definition: row.string("definition") ?? "", enabled: row.string("enabled") ?? "O", comment: comment("pg_trigger", row))
        }
        return Schema(
            dialect: dialect.name, namespaces: namespaces, extensions: extensions, enumTypes: enumTypes, sequences: sequences,
            tables: tables, indexes: indexes, views: views, functions: functions, triggers: triggers)
    }

    /// The rows of `sql`, or its error.
    private func rows(_ sql: String) async -> Result<[Row], any Error> {
        do {
            return .success(try await query(sql))
        } catch {
            return .failure(error)
        }
    }

    /// Comments are keyed by catalog, object and column number.
    private struct CommentKey: Hashable {
        var catalog: String
        var oid: Int64
        var subid: Int
    }

    // MARK: - Rows to model

    private static func name(_ row: Row, schema: String = "schema", name: String = "name") -> Schema.ObjectName {
        Schema.ObjectName(row.string(name) ?? "", schema: row.string(schema))
    }

    private static func sequence(_ row: Row, comment: String?) -> Schema.Sequence {
        var owner: Schema.ColumnReference?
        if let table = row.string("owner_table"), let column = row.string("owner_column") {
            owner = Schema.ColumnReference(table: Schema.ObjectName(table, schema: row.string("owner_schema")), column: column)
        }
        return Schema.Sequence(
            name: name(row), dataType: row.string("data_type") ?? "bigint", start: row["start"]?.int ?? 1,
            increment: row["increment"]?.int ?? 1, minValue: row["min_value"]?.int ?? 1, maxValue: row["max_value"]?.int ?? .max,
            cache: row["cache"]?.int ?? 1, cycles: row["cycles"] == .bool(true), ownedBy: owner, comment: comment)
    }

    private static func column(_ row: Row) -> Schema.Column {
        let expression = row.string("expression")
        let isGenerated = row.string("generated") == "s"
        var identity: Schema.Column.Identity?
        switch row.string("identity") {
        case "a": identity = .always
        case "d": identity = .byDefault
        default: identity = nil
        }
        return Schema.Column(
            name: row.string("name") ?? "", type: row.string("type") ?? "", isNullable: row["not_null"] != .bool(true),
            defaultExpression: isGenerated ? nil : expression, identity: identity,
            generated: isGenerated ? expression.map { Schema.Column.Generated(expression: $0, isStored: true) } : nil,
            collation: row.string("collation"))
    }

    private static func constraint(_ row: Row, columnNames: [Int64: [Int: String]]) -> Schema.Constraint {
        let kind: Schema.Constraint.Kind
        switch row.string("type") {
        case "p": kind = .primaryKey
        case "u": kind = .unique
        case "f": kind = .foreignKey
        case "x": kind = .exclusion
        default: kind = .check
        }
        let isValidated = row["validated"] != .bool(false)
        var definition = row.string("definition") ?? ""
        // pg_get_constraintdef appends NOT VALID; validity is its own property.
        if !isValidated, definition.hasSuffix(" NOT VALID") { definition.removeLast(" NOT VALID".count) }
        func names(_ numbers: String, _ table: String) -> [String]? {
            guard let oid = row[table]?.int, let names = columnNames[oid] else { return nil }
            let resolved = integers(row.string(numbers)).compactMap { names[$0] }
            return resolved.count == integers(row.string(numbers)).count ? resolved : nil
        }
        var reference: Schema.ForeignKeyReference?
        if kind == .foreignKey, let table = row.string("ref_table") {
            // A referenced table outside the schemas read: its columns are in the definition.
            let referenced = names("ref_numbers", "ref_oid") ?? referencedColumns(definition)
            reference = Schema.ForeignKeyReference(
                table: Schema.ObjectName(table, schema: row.string("ref_schema")), columns: referenced,
                onUpdate: action(row.string("on_update")), onDelete: action(row.string("on_delete")),
                match: ["f": "FULL", "p": "PARTIAL"][row.string("match") ?? ""] ?? "SIMPLE")
        }
        return Schema.Constraint(
            name: row.string("name") ?? "", kind: kind, columns: names("key_numbers", "table_oid") ?? [], definition: definition,
            expression: row.string("expression"), references: reference, isDeferrable: row["deferrable"] == .bool(true),
            isInitiallyDeferred: row["deferred"] == .bool(true), isValidated: isValidated)
    }

    /// `confupdtype`/`confdeltype` codes (https://www.postgresql.org/docs/current/catalog-pg-constraint.html).
    private static func action(_ code: String?) -> Schema.ReferentialAction {
        switch code {
        case "r": .restrict
        case "c": .cascade
        case "n": .setNull
        case "d": .setDefault
        default: .noAction
        }
    }

    /// `pg_get_viewdef` text without surrounding whitespace and the final `;`.
    private static func viewDefinition(_ text: String?) -> String {
        var definition = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        while definition.hasSuffix(";") { definition.removeLast() }
        return definition
    }

    /// The key columns of a `pg_get_indexdef` statement: the comma-separated items of the
    /// first parenthesised list after `USING method`, split outside parentheses and quotes
    /// (`CREATE INDEX i ON public.t USING btree (lower((a)::text), b DESC)` → `lower((a)::text)`, `b DESC`).
    static func keyColumns(_ definition: String) -> [String] {
        guard let using = definition.range(of: " USING "), let open = definition[using.upperBound...].firstIndex(of: "(") else { return [] }
        var items: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in definition[definition.index(after: open)...] {
            if let active = quote {
                if character == active { quote = nil }
                current.append(character)
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                current.append(character)
            case "(":
                depth += 1
                current.append(character)
            case ")" where depth == 0:
                items.append(current.trimmingCharacters(in: .whitespaces))
                return items
            case ")":
                depth -= 1
                current.append(character)
            case "," where depth == 0:
                items.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            default:
                current.append(character)
            }
        }
        return items
    }

    /// The columns after `REFERENCES table(` in a foreign key definition, unquoted.
    static func referencedColumns(_ definition: String) -> [String] {
        guard let references = definition.range(of: "REFERENCES ", options: .backwards),
            let open = definition[references.upperBound...].firstIndex(of: "("),
            let close = definition[open...].firstIndex(of: ")")
        else { return [] }
        return definition[definition.index(after: open)..<close].split(separator: ",").map { part in
            var name = part.trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
            }
            return name
        }
    }

    /// A JSON array of integers (`array_to_json` of an `int2[]`); empty for NULL.
    private static func integers(_ json: String?) -> [Int] {
        guard let json, let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return [] }
        return array.compactMap { ($0 as? NSNumber)?.intValue }
    }

    /// A JSON array of strings (`json_agg` of text); empty for NULL.
    private static func strings(_ json: String?) -> [String] {
        guard let json, let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return [] }
        return array.compactMap { $0 as? String }
    }

    /// A JSON array of two-string arrays.
    private static func pairs(_ json: String?) -> [(String, String)] {
        guard let json, let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] else { return [] }
        return array.compactMap { pair in
            guard pair.count == 2, let first = pair[0] as? String, let second = pair[1] as? String else { return nil }
            return (first, second)
        }
    }
}
