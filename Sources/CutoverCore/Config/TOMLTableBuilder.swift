/// The tables of a TOML document while it is read, and TOML's rules on where a key may be
/// defined: each table once, tables made by dotted keys never reopened by a `[header]`,
/// `[header]` tables never extended with dotted keys from another section, inline tables
/// and plain arrays closed once written, and `[[name]]` only appending to arrays of tables.
///
/// Nodes are classes so that a `[header]` deep in a document with thousands of tables
/// changes its table in place; ``table()`` turns the finished tree into values.
final class TOMLTableBuilder {
    /// How a table came to exist, which decides how it may be extended.
    enum Origin {
        /// Named only as the parent of a header (`a` in `[a.b]`): a later `[a]` may define it.
        case implicit
        /// Defined by its own `[header]` or `[[header]]`.
        case header
        /// Made by a dotted key (`a.b = 1` makes `a`): more dotted keys in the same section may add to it.
        case dottedKeys
    }

    /// What a key holds.
    enum Slot {
        /// A finished value: scalars, plain arrays and inline tables, which nothing may extend.
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        /// An array of tables (`[[name]]`); later headers go into its last table.
        case tableArray(TableArray)
    }

    /// The tables of one `[[name]]` array, shared so that appending does not copy it.
    final class TableArray {
        var tables: [TOMLTableBuilder]
        init(_ first: TOMLTableBuilder) { tables = [first] }
    }

    struct Entry {
        let key: String
        var slot: Slot
        let line: Int
    }

    /// A rule of TOML broken while defining a key; the reader adds file and line.
    struct Conflict: Error {
        let message: String
        let hint: String
    }

    var origin: Origin
    var line: Int
    private var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    init(origin: Origin, line: Int) {
        self.origin = origin
        self.line = line
    }

    // MARK: - Key = value

    /// Sets the dotted key `keys` (relative to this table, whose own path is `path`) to `value`.
    func set(_ keys: [String], under path: [String], to value: TOMLValue, line: Int) throws(Conflict) {
        var table = self
        for (index, key) in keys.dropLast().enumerated() {
            let shown = (path + keys[...index]).joined(separator: ".")
            switch table.slot(key) {
            case nil:
                table = table.add(key, origin: .dottedKeys, line: line)
            case .table(let child) where child.origin == .dottedKeys:
                table = child
            case .table(let child):
                throw Conflict(
                    message: "'\(shown)' is a table defined by a [header] (line \(child.line)); dotted keys in another section cannot add to it",
                    hint: "write the key in that table's own section")
            case .tableArray:
                throw Conflict(message: "'\(shown)' is an array of tables ([[…]]); a dotted key cannot add to it", hint: "write the key under the [[…]] header")
            case .value(let existing):
                throw notATable(shown, existing)
            }
        }
        let last = keys[keys.count - 1]
        if let existing = table.entry(last) {
            throw Conflict(message: "the key '\((path + keys).joined(separator: "."))' is set twice (first on line \(existing.line))", hint: "keep one of the two lines")
        }
        table.add(last, .value(value), line: line)
    }

    // MARK: - Headers

    /// Opens `[path]` (`isArray` false) or appends a table to `[[path]]`, returning the table
    /// that the keys below the header go into.
    func open(_ path: [String], isArray: Bool, line: Int) throws(Conflict) -> TOMLTableBuilder {
        let shownPath = path.joined(separator: ".")
        let header = isArray ? "[[\(shownPath)]]" : "[\(shownPath)]"
        var table = self
        for (index, key) in path.dropLast().enumerated() {
            let shown = path[...index].joined(separator: ".")
            switch table.slot(key) {
            case nil: table = table.add(key, origin: .implicit, line: line)
            case .table(let child): table = child
            case .tableArray(let array): table = array.tables[array.tables.count - 1]
            case .value(let existing): throw notATable(shown, existing)
            }
        }
        let last = path[path.count - 1]
        switch table.slot(last) {
        case nil:
            let child = TOMLTableBuilder(origin: .header, line: line)
            table.add(last, isArray ? .tableArray(TableArray(child)) : .table(child), line: line)
            return child
        case .tableArray(let array) where isArray:
            let child = TOMLTableBuilder(origin: .header, line: line)
            array.tables.append(child)
            return child
        case .table(let child) where !isArray && child.origin == .implicit:
            child.origin = .header
            child.line = line
            return child
        case .table(let child) where !isArray && child.origin == .header:
            throw Conflict(message: "table [\(shownPath)] is defined twice (first on line \(child.line))", hint: "merge the two sections")
        case .table(let child) where !isArray:
            throw Conflict(
                message: "table [\(shownPath)] was already defined by dotted keys on line \(child.line)",
                hint: "set its keys either under \(header) or with dotted keys, not both")
        case .table(let child):
            throw Conflict(message: "\(header): '\(shownPath)' is a table (line \(child.line)), not an array of tables", hint: "use [\(shownPath)], or rename one of them")
        case .tableArray:
            throw Conflict(message: "\(header): '\(shownPath)' is an array of tables", hint: "use [[\(shownPath)]] to add a table to it")
        case .value(let existing):
            throw notATable(shownPath, existing, header: header)
        }
    }

    private func notATable(_ key: String, _ value: TOMLValue, header: String? = nil) -> Conflict {
        let prefix = header.map { "\($0): " } ?? ""
        switch value {
        case .table:
            return Conflict(message: "\(prefix)'\(key)' is an inline table, which cannot be extended", hint: "put all its keys inside the { … }, or write it as a [\(key)] section")
        case .array where header?.hasPrefix("[[") == true:
            return Conflict(message: "\(prefix)'\(key)' is a plain array, which [[\(key)]] cannot add to", hint: "write every table of it as [[\(key)]], or all inside the [ … ]")
        default:
            return Conflict(message: "\(prefix)'\(key)' is \(value.typeName), not a table", hint: "rename the key or the table")
        }
    }

    // MARK: - Storage

    private func entry(_ key: String) -> Entry? { positions[key].map { entries[$0] } }

    private func slot(_ key: String) -> Slot? { entry(key)?.slot }

    private func add(_ key: String, _ slot: Slot, line: Int) {
        positions[key] = entries.count
        entries.append(Entry(key: key, slot: slot, line: line))
    }

    private func add(_ key: String, origin: Origin, line: Int) -> TOMLTableBuilder {
        let child = TOMLTableBuilder(origin: origin, line: line)
        add(key, .table(child), line: line)
        return child
    }

    /// The finished table.
    func table() -> TOMLTable {
        var table = TOMLTable()
        table.line = line
        for entry in entries {
            let value: TOMLValue
            switch entry.slot {
            case .value(let finished): value = finished
            case .table(let child): value = .table(child.table())
            case .tableArray(let array): value = .array(array.tables.map { .table($0.table()) })
            }
            table.set(entry.key, value, line: entry.line)
        }
        return table
    }
}
