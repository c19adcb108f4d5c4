import Foundation

/// A value in a TOML document, with the line it was written on.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// A short name of the type, for error messages ("a string", "a table").
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: keys in the order they were written, each with its value and line.
public struct TOMLTable: Sendable, Equatable {
    /// One key of the table.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: TOMLValue
        public var line: Int
    }

    /// The entries in document order.
    public private(set) var entries: [Entry] = []
    /// The position of each key in ``entries``: lookups stay constant-time in a table with
    /// thousands of keys (`[env.NAME]` sections).
    private var positions: [String: Int] = [:]
    /// The line of the `[header]` that opened this table (0 for the root).
    public var line: Int = 0

    public init() {}

    /// The entry for `key`.
    public func entry(_ key: String) -> Entry? { positions[key].map { entries[$0] } }
    /// The value for `key`.
    public subscript(_ key: String) -> TOMLValue? { entry(key)?.value }

    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if let index = positions[key] {
            entries[index].value = value
        } else {
            positions[key] = entries.count
            entries.append(Entry(key: key, value: value, line: line))
        }
    }

    /// Runs `body` on the table stored under `key`, changing it in place: the value is taken
    /// out of the entry first, so the child's storage is not shared and not copied. A parent
    /// with thousands of child tables would otherwise be copied on every header (quadratic).
    /// - Returns: nil when `key` holds something other than a table (nothing is changed);
    ///   else `body`'s result. A missing key gets a new table opened on `line`.
    mutating func withChildTable<Result>(_ key: String, line: Int, _ body: (inout TOMLTable) throws -> Result) rethrows -> Result? {
        let index: Int
        if let existing = positions[key] {
            index = existing
        } else {
            var child = TOMLTable()
            child.line = line
            set(key, .table(child), line: line)
            index = entries.count - 1
        }
        guard case .table(var child) = entries[index].value else { return nil }
        entries[index].value = .bool(false)  // drops the entry's reference to the child
        defer { entries[index].value = .table(child) }
        return try body(&child)
    }
}

/// A parser for the subset of TOML 1.0 that `cutover.toml` needs: tables and dotted table
/// headers, bare and quoted keys, dotted keys, basic and literal strings, integers, floats,
/// booleans, and arrays (which may span lines). Multi-line strings, dates, inline tables
/// and arrays of tables are reported as unsupported rather than misread.
///
/// ```swift
/// let root = try TOMLParser.parse("[env.dev]\nurl = \"sqlite:dev.sqlite3\"", file: "cutover.toml")
/// ```
public enum TOMLParser {
    /// How deeply arrays may nest (`[[[…]]]`), and how many parts a dotted key or table
    /// header may have. The parser recurses per level; the limits keep a hostile file from
    /// overflowing the stack.
    public static let maximumNesting = 100

    /// Parses `text`.
    /// - Throws: ``CutoverError`` `.invalidConfig` naming `file` and the line.
    public static func parse(_ text: String, file: String) throws -> TOMLTable {
        var reader = Reader(bytes: Array(text.utf8), file: file)
        return try reader.document()
    }
}

private struct Reader {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    /// How many arrays the reader is inside.
    var depth = 0
    /// The key whose value is being read, for errors inside it.
    var currentKey = ""

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    func fail(_ message: String, hint: String? = nil, at line: Int? = nil) -> CutoverError {
        CutoverError(.invalidConfig, message, hint: hint ?? "see the cutover.toml section of the README", file: file, line: line ?? self.line)
    }

    mutating func advance() {
        if current == UInt8(ascii: "\n") { line += 1 }
        position += 1
    }

    mutating func skipSpaces() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Skips spaces, comments and newlines.
    mutating func skipBlank() {
        while let byte = current {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                advance()
            } else if byte == UInt8(ascii: "#") {
                skipComment()
            } else {
                return
            }
        }
    }

    mutating func skipComment() {
        while let byte = current, byte != UInt8(ascii: "\n") { advance() }
    }

    /// After a value or header: only spaces and a comment may follow on the line.
    mutating func endOfLine() throws {
        skipSpaces()
        if current == UInt8(ascii: "#") { skipComment() }
        if current == UInt8(ascii: "\r") { advance() }
        guard current == nil || current == UInt8(ascii: "\n") else {
            throw fail("unexpected text '\(DatabaseURL.redact(restOfLine()))' after the value", hint: "put one key = value per line; quote strings")
        }
    }

    func restOfLine() -> String {
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self).trimmingWhitespace()
    }

    /// A NUL byte is no TOML text (TOML forbids control characters other than tab).
    func rejectNUL() throws {
        guard let position = bytes.firstIndex(of: 0) else { return }
        let line = 1 + bytes[..<position].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        throw fail("the file contains a NUL byte (\\0)", hint: "remove it; cutover.toml is UTF-8 text", at: line)
    }

    mutating func document() throws -> TOMLTable {
        try rejectNUL()
        var root = TOMLTable()
        var currentPath: [String] = []
        var definedTables: Set<[String]> = []
        while true {
            skipBlank()
            guard let byte = current else { break }
            if byte == UInt8(ascii: "[") {
                let headerLine = line
                advance()
                if current == UInt8(ascii: "[") {
                    throw fail("arrays of tables ([[…]]) are not used in cutover.toml")
                }
                skipSpaces()
                let path = try keyPath()
                skipSpaces()
                guard current == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
                advance()
                try endOfLine()
                guard definedTables.insert(path).inserted else {
                    throw fail("table [\(path.joined(separator: "."))] is defined twice", hint: "merge the two sections", at: headerLine)
                }
                try ensureTable(&root, path: path[...], line: headerLine)
                currentPath = path
                continue
            }
            let keyLine = line
            let keys = try keyPath()
            skipSpaces()
            guard current == UInt8(ascii: "=") else {
                throw fail("expected '=' after the key '\(keys.joined(separator: "."))'", hint: "write key = value")
            }
            advance()
            skipSpaces()
            currentKey = (currentPath + keys).joined(separator: ".")
            let value = try self.value()
            try endOfLine()
            try insert(&root, path: (currentPath + keys.dropLast())[...], key: keys.last!, value: value, line: keyLine)
        }
        return root
    }

    func ensureTable(_ table: inout TOMLTable, path: ArraySlice<String>, line: Int) throws {
        guard let first = path.first else { return }
        let done: Void? = try table.withChildTable(first, line: line) { child in
            try ensureTable(&child, path: path.dropFirst(), line: line)
        }
        if done == nil { throw notATable(first, in: table, line: line) }
    }

    func insert(_ table: inout TOMLTable, path: ArraySlice<String>, key: String, value: TOMLValue, line: Int) throws {
        if let first = path.first {
            let done: Void? = try table.withChildTable(first, line: line) { child in
                try insert(&child, path: path.dropFirst(), key: key, value: value, line: line)
            }
            if done == nil { throw notATable(first, in: table, line: line) }
            return
        }
        if let existing = table.entry(key) {
            throw fail("the key '\(key)' is set twice (first on line \(existing.line))", hint: "keep one of the two lines", at: line)
        }
        table.set(key, value, line: line)
    }

    func notATable(_ key: String, in table: TOMLTable, line: Int) -> CutoverError {
        fail("'\(key)' is \(table[key]?.typeName ?? "a value"), not a table", at: line)
    }

    mutating func keyPath() throws -> [String] {
        var keys: [String] = []
        while true {
            skipSpaces()
            guard keys.count < TOMLParser.maximumNesting else {
                throw fail("a key or table header with more than \(TOMLParser.maximumNesting) dotted parts", hint: "use shorter keys")
            }
            keys.append(try key())
            skipSpaces()
            guard current == UInt8(ascii: ".") else { return keys }
            advance()
        }
    }

    mutating func key() throws -> String {
        switch current {
        case UInt8(ascii: "\"")?: return try basicString()
        case UInt8(ascii: "'")?: return try literalString()
        default:
            let start = position
            while let byte = current, isBareKeyByte(byte) { advance() }
            guard position > start else { throw fail("expected a key, found '\(DatabaseURL.redact(restOfLine()))'") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }

    func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    mutating func value() throws -> TOMLValue {
        guard let byte = current, byte != UInt8(ascii: "\n") else { throw fail("a key has no value", hint: "write key = value") }
        switch byte {
        case UInt8(ascii: "\""):
            if matches("\"\"\"") { throw fail("multi-line strings are not supported in cutover.toml") }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if matches("'''") { throw fail("multi-line strings are not supported in cutover.toml") }
            return .string(try literalString())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            throw fail("inline tables are not supported in cutover.toml", hint: "use a [section] instead")
        default:
            return try scalar()
        }
    }

    func matches(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        return position + needle.count <= bytes.count && Array(bytes[position..<position + needle.count]) == needle
    }

    mutating func array() throws -> TOMLValue {
        let startLine = line
        depth += 1
        defer { depth -= 1 }
        guard depth <= TOMLParser.maximumNesting else {
            throw fail(
                "arrays nested more than \(TOMLParser.maximumNesting) deep in the value of '\(currentKey)'",
                hint: "cutover.toml never needs arrays nested this deep")
        }
        advance()
        var items: [TOMLValue] = []
        while true {
            skipBlank()
            guard let byte = current else { throw fail("the array opened here is not closed with ']'", at: startLine) }
            if byte == UInt8(ascii: "]") {
                advance()
                return .array(items)
            }
            items.append(try value())
            skipBlank()
            if current == UInt8(ascii: ",") {
                advance()
            } else if current != UInt8(ascii: "]") {
                throw fail("expected ',' or ']' in the array")
            }
        }
    }

    mutating func scalar() throws -> TOMLValue {
        let start = position
        while let byte = current, byte != UInt8(ascii: ","), byte != UInt8(ascii: "]"), byte != UInt8(ascii: "#"),
            byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r")
        {
            advance()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self).trimmingWhitespace()
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if let integer = Int64(digits) { return .integer(integer) }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let float = Double(digits) { return .float(float) }
        let shown = DatabaseURL.redact(text)
        throw fail("'\(shown)' is not a valid value", hint: "quote strings: key = \"\(shown)\"")
    }

    mutating func literalString() throws -> String {
        let startLine = line
        advance()
        let start = position
        while let byte = current, byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") { throw fail("string not closed before the end of the line", at: startLine) }
            advance()
        }
        guard current != nil else { throw fail("string not closed", at: startLine) }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        advance()
        return text
    }

    mutating func basicString() throws -> String {
        let startLine = line
        advance()
        var scalars: [UInt8] = []
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\n"):
                throw fail("string not closed before the end of the line", at: startLine)
            case UInt8(ascii: "\\"):
                advance()
                guard let escape = current else { throw fail("string not closed", at: startLine) }
                advance()
                switch escape {
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = escape == UInt8(ascii: "u") ? 4 : 8
                    guard position + count <= bytes.count,
                        let code = UInt32(String(decoding: bytes[position..<position + count], as: UTF8.self), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else { throw fail("invalid \\u escape in a string") }
                    for _ in 0..<count { advance() }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string", hint: "write \\\\ for a backslash, or use a 'literal string'")
                }
            default:
                scalars.append(byte)
                advance()
            }
        }
        throw fail("string not closed", at: startLine)
    }
}
