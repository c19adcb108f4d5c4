import CutoverCore
import Foundation

/// A small, seedable random number generator (SplitMix64), so that a failing property
/// test names a seed that reproduces it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; the same seed gives the same sequence.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random schema of tables, columns, keys, checks, foreign keys and indexes, for property
/// tests of schema diff and DDL rendering: generate one, derive a mutated copy, create both
/// in real databases, and check that the rendered DDL turns the first into the second.
///
/// Every table has an integer `id` that is its primary key or carries a unique constraint,
/// so foreign keys always have a target. Column types change only within a family
/// (integer/bigint, text/varchar, numeric precisions), so conversions are valid on empty
/// tables.
///
/// ```swift
/// var random = SeededGenerator(seed: 42)
/// let a = RandomSchema.random(.postgresql, using: &random)
/// let b = a.mutated(changes: 4, using: &random)
/// for statement in a.statements() { try await database.execute(statement) }
/// ```
public struct RandomSchema: Sendable, Equatable {
    /// The database the SQL is written for.
    public enum Flavor: String, Sendable { case postgresql, sqlite }

    /// A column; `family` indexes the type families (0 integer, 1 text, 2 decimal, 3 boolean).
    public struct Column: Sendable, Equatable {
        public var name: String
        public var family: Int
        public var type: String
        public var isNullable: Bool
        public var defaultValue: String?
    }

    /// A foreign key from `column` to `table`'s `id`.
    public struct ForeignKey: Sendable, Equatable {
        public var name: String
        public var column: String
        public var table: String
        public var onDelete: String
    }

    /// A named unique constraint.
    public struct Unique: Sendable, Equatable {
        public var name: String
        public var columns: [String]
    }

    /// A named check constraint on one column (its expression depends on the column's family).
    public struct Check: Sendable, Equatable {
        public var name: String
        public var column: String
    }

    /// An index, possibly unique or partial.
    public struct Index: Sendable, Equatable {
        public var name: String
        public var columns: [String]
        public var isUnique: Bool
        public var predicate: String?
    }

    /// A table with an integer `id` and its other parts.
    public struct Table: Sendable, Equatable {
        public var name: String
        public var columns: [Column]
        /// Whether `id` is the primary key (else it has a unique constraint).
        public var idIsPrimaryKey: Bool
        public var uniques: [Unique]
        public var checks: [Check]
        public var foreignKeys: [ForeignKey]
        public var indexes: [Index]
    }

    /// The database the SQL is written for.
    public var flavor: Flavor
    /// The tables, in creation order.
    public var tables: [Table]
    /// The next number for a new object's name, so names never collide.
    public var nextNumber: Int

    // MARK: - Types

    /// Column types by family: changing within a family always converts.
    func families() -> [[String]] {
        switch flavor {
        case .postgresql: [["integer", "bigint"], ["text", "varchar(40)", "varchar(80)"], ["numeric(10,2)", "numeric(14,4)"], ["boolean"]]
        case .sqlite: [["INTEGER", "BIGINT"], ["TEXT", "VARCHAR(40)"], ["REAL", "NUMERIC(10,2)"], ["BOOLEAN"]]
        }
    }

    func defaults(_ family: Int) -> [String] {
        switch family {
        case 0: ["0", "42"]
        case 1: ["'x'", "'hello'"]
        case 2: ["0", "1.5"]
        default: flavor == .postgresql ? ["true", "false"] : ["0", "1"]
        }
    }

    func checkExpression(_ column: Column) -> String? {
        switch column.family {
        case 0: "\"\(column.name)\" >= 0"
        case 1: "length(\"\(column.name)\") < 100"
        case 2: "\"\(column.name)\" > -1"
        default: nil
        }
    }

    // MARK: - Generating

    /// A random schema of 2 to 5 tables.
    public static func random(_ flavor: Flavor, using random: inout SeededGenerator) -> RandomSchema {
        var schema = RandomSchema(flavor: flavor, tables: [], nextNumber: 0)
        for _ in 0..<Int.random(in: 2...5, using: &random) { schema.addTable(using: &random) }
        for _ in 0..<Int.random(in: 0...4, using: &random) { schema.addForeignKey(using: &random) }
        for _ in 0..<Int.random(in: 0...4, using: &random) { schema.addIndex(using: &random) }
        return schema
    }

    /// A copy with `changes` random changes (or more, until it differs from the original).
    public func mutated(changes: Int, using random: inout SeededGenerator) -> RandomSchema {
        var schema = self
        var made = 0
        var attempts = 0
        // Later changes may undo earlier ones: go on until the result differs.
        while (made < changes || schema.tables == tables) && attempts < changes * 20 + 100 {
            attempts += 1
            let before = schema
            schema.mutate(using: &random)
            if schema.tables != before.tables { made += 1 }
        }
        return schema
    }

    mutating func name(_ prefix: String) -> String {
        nextNumber += 1
        return "\(prefix)\(nextNumber)"
    }

    mutating func makeColumn(using random: inout SeededGenerator) -> Column {
        let family = Int.random(in: 0..<families().count, using: &random)
        let type = families()[family].randomElement(using: &random)!
        let defaultValue = Bool.random(using: &random) ? defaults(family).randomElement(using: &random) : nil
        let isNullable = defaultValue == nil ? true : Bool.random(using: &random)
        return Column(name: name("c"), family: family, type: type, isNullable: isNullable, defaultValue: defaultValue)
    }

    mutating func addTable(using random: inout SeededGenerator) {
        let idType = families()[0].randomElement(using: &random)!
        var table = Table(
            name: name("t"), columns: [Column(name: "id", family: 0, type: idType, isNullable: false, defaultValue: nil)],
            idIsPrimaryKey: Int.random(in: 0..<4, using: &random) > 0, uniques: [], checks: [], foreignKeys: [], indexes: [])
        for _ in 0..<Int.random(in: 1...4, using: &random) { table.columns.append(makeColumn(using: &random)) }
        if !table.idIsPrimaryKey { table.uniques.append(Unique(name: name("uq"), columns: ["id"])) }
        if Bool.random(using: &random), let column = table.columns.dropFirst().filter({ $0.family != 3 }).randomElement(using: &random) {
            table.uniques.append(Unique(name: name("uq"), columns: [column.name]))
        }
        if Bool.random(using: &random), let column = table.columns.dropFirst().filter({ checkExpression($0) != nil }).randomElement(using: &random) {
            table.checks.append(Check(name: name("ck"), column: column.name))
        }
        tables.append(table)
    }

    mutating func addForeignKey(using random: inout SeededGenerator) {
        guard let from = tables.indices.randomElement(using: &random), let to = tables.randomElement(using: &random) else { return }
        var candidates = tables[from].columns.dropFirst().filter { $0.family == 0 && !tables[from].foreignKeys.map(\.column).contains($0.name) }
        if candidates.isEmpty || Bool.random(using: &random) {
            let column = Column(name: name("c"), family: 0, type: families()[0].randomElement(using: &random)!, isNullable: true, defaultValue: nil)
            tables[from].columns.append(column)
            candidates = [column]
        }
        let column = candidates.randomElement(using: &random)!
        let action = ["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"].randomElement(using: &random)!
        tables[from].foreignKeys.append(ForeignKey(name: name("fk"), column: column.name, table: to.name, onDelete: action))
    }

    mutating func addIndex(using random: inout SeededGenerator) {
        guard let table = tables.indices.randomElement(using: &random) else { return }
        let columns = tables[table].columns.filter { $0.family != 3 }.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random))
        guard !columns.isEmpty else { return }
        let predicate = Bool.random(using: &random) ? "\"\(columns.first!.name)\" IS NOT NULL" : nil
        tables[table].indexes.append(Index(
            name: name("ix"), columns: columns.map(\.name), isUnique: Int.random(in: 0..<3, using: &random) == 0, predicate: predicate))
    }

    // MARK: - Mutating

    mutating func mutate(using random: inout SeededGenerator) {
        guard !tables.isEmpty else {
            addTable(using: &random)
            return
        }
        let t = tables.indices.randomElement(using: &random)!
        let plainColumns = tables[t].columns.indices.dropFirst()
        switch Int.random(in: 0..<16, using: &random) {
        case 0:
            addTable(using: &random)
        case 1 where tables.count > 1:
            let gone = tables.remove(at: t).name
            for index in tables.indices { tables[index].foreignKeys.removeAll { $0.table == gone } }
        case 2:
            tables[t].columns.append(makeColumn(using: &random))
        case 3:
            guard let c = plainColumns.randomElement(using: &random) else { return }
            let gone = tables[t].columns.remove(at: c).name
            tables[t].uniques.removeAll { $0.columns.contains(gone) }
            tables[t].checks.removeAll { $0.column == gone }
            tables[t].foreignKeys.removeAll { $0.column == gone }
            tables[t].indexes.removeAll { $0.columns.contains(gone) || $0.predicate?.contains("\"\(gone)\"") == true }
        case 4:
            // Another type of the same family; `id` stays integer or bigint.
            guard let c = tables[t].columns.indices.randomElement(using: &random) else { return }
            let family = families()[tables[t].columns[c].family]
            tables[t].columns[c].type = family.randomElement(using: &random)!
        case 5:
            guard let c = plainColumns.randomElement(using: &random) else { return }
            if tables[t].columns[c].defaultValue != nil || tables[t].columns[c].isNullable == false {
                tables[t].columns[c].isNullable.toggle()
                if !tables[t].columns[c].isNullable && tables[t].columns[c].defaultValue == nil {
                    tables[t].columns[c].defaultValue = defaults(tables[t].columns[c].family).first
                }
            } else {
                tables[t].columns[c].isNullable = false
                tables[t].columns[c].defaultValue = defaults(tables[t].columns[c].family).first
            }
        case 6:
            guard let c = plainColumns.randomElement(using: &random) else { return }
            let options: [String?] = defaults(tables[t].columns[c].family) + (tables[t].columns[c].isNullable ? [nil] : [])
            tables[t].columns[c].defaultValue = options.randomElement(using: &random)!
        case 7:
            addIndex(using: &random)
        case 8:
            guard !tables[t].indexes.isEmpty else { return }
            tables[t].indexes.remove(at: Int.random(in: 0..<tables[t].indexes.count, using: &random))
        case 9:
            guard let i = tables[t].indexes.indices.randomElement(using: &random) else { return }
            if Bool.random(using: &random) {
                tables[t].indexes[i].isUnique.toggle()
            } else {
                tables[t].indexes[i].predicate = tables[t].indexes[i].predicate == nil ? "\"\(tables[t].indexes[i].columns[0])\" IS NOT NULL" : nil
            }
        case 10:
            addForeignKey(using: &random)
        case 11:
            guard let f = tables[t].foreignKeys.indices.randomElement(using: &random) else { return }
            if Bool.random(using: &random) {
                tables[t].foreignKeys.remove(at: f)
            } else {
                tables[t].foreignKeys[f].onDelete = ["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"].randomElement(using: &random)!
            }
        case 12:
            // PostgreSQL ignores a second UNIQUE on the same columns in CREATE TABLE.
            let unique = Set(tables[t].uniques.map(\.columns))
            guard let column = tables[t].columns.dropFirst().filter({ $0.family != 3 && !unique.contains([$0.name]) })
                .randomElement(using: &random) else { return }
            tables[t].uniques.append(Unique(name: name("uq"), columns: [column.name]))
        case 13:
            guard let u = tables[t].uniques.indices.randomElement(using: &random), tables[t].uniques[u].columns != ["id"] else { return }
            tables[t].uniques.remove(at: u)
        case 14:
            if let k = tables[t].checks.indices.randomElement(using: &random), Bool.random(using: &random) {
                tables[t].checks.remove(at: k)
            } else if let column = tables[t].columns.dropFirst().filter({ checkExpression($0) != nil }).randomElement(using: &random) {
                tables[t].checks.append(Check(name: name("ck"), column: column.name))
            }
        default:
            // Swap the key on `id` between PRIMARY KEY and UNIQUE; foreign keys to the table
            // depend on it and must be dropped and added around the change.
            if tables[t].idIsPrimaryKey {
                tables[t].idIsPrimaryKey = false
                tables[t].uniques.append(Unique(name: name("uq"), columns: ["id"]))
            } else {
                tables[t].idIsPrimaryKey = true
                tables[t].uniques.removeAll { $0.columns == ["id"] }
            }
        }
    }

    // MARK: - SQL

    static func quote(_ identifier: String) -> String { SQLText.quotedIdentifier(identifier) }

    /// The statements that create the schema in an empty database.
    public func statements() -> [String] {
        var statements: [String] = []
        for table in tables {
            var elements = table.columns.map { column in
                var text = "\(Self.quote(column.name)) \(column.type)"
                if !column.isNullable { text += " NOT NULL" }
                if let value = column.defaultValue { text += " DEFAULT \(value)" }
                return text
            }
            if table.idIsPrimaryKey { elements.append("CONSTRAINT \(Self.quote("pk_" + table.name)) PRIMARY KEY (\"id\")") }
            for unique in table.uniques {
                elements.append("CONSTRAINT \(Self.quote(unique.name)) UNIQUE (\(unique.columns.map(Self.quote).joined(separator: ", ")))")
            }
            for check in table.checks {
                if let column = table.columns.first(where: { $0.name == check.column }), let expression = checkExpression(column) {
                    elements.append("CONSTRAINT \(Self.quote(check.name)) CHECK (\(expression))")
                }
            }
            if flavor == .sqlite {
                for key in table.foreignKeys { elements.append(foreignKey(key)) }
            }
            statements.append("CREATE TABLE \(Self.quote(table.name)) (\n    " + elements.joined(separator: ",\n    ") + "\n)")
        }
        if flavor == .postgresql {
            for table in tables {
                for key in table.foreignKeys {
                    statements.append("ALTER TABLE \(Self.quote(table.name)) ADD \(foreignKey(key))")
                }
            }
        }
        for table in tables {
            for index in table.indexes {
                var sql = "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(Self.quote(index.name)) ON \(Self.quote(table.name)) "
                sql += "(\(index.columns.map(Self.quote).joined(separator: ", ")))"
                if let predicate = index.predicate { sql += " WHERE \(predicate)" }
                statements.append(sql)
            }
        }
        return statements
    }

    func foreignKey(_ key: ForeignKey) -> String {
        "CONSTRAINT \(Self.quote(key.name)) FOREIGN KEY (\(Self.quote(key.column))) REFERENCES \(Self.quote(key.table)) (\"id\") ON DELETE \(key.onDelete)"
    }
}
