/// A parser for TOML 1.0 (https://toml.io/en/v1.0.0) whose errors name the file, the line,
/// the key and what is expected.
///
/// It reads the whole language: bare, quoted and dotted keys; `[table]` and `[[array of
/// tables]]` headers; basic, literal and multi-line strings with every escape; integers in
/// decimal, hexadecimal, octal and binary; floats with `inf` and `nan`; booleans; offset and
/// local date-times, dates and times; arrays over several lines; inline tables; comments;
/// LF and CRLF line ends. It refuses what TOML refuses: keys and tables defined twice, inline
/// tables extended later, unknown escapes, control characters.
///
/// ```swift
/// let root = try TOMLParser.parse("[env.dev]\nurl = \"sqlite:dev.sqlite3\"", file: "cutover.toml")
/// ```
package enum TOMLParser {
    /// How deeply arrays and inline tables may nest (`[[[…]]]`), and how many parts a dotted
    /// key or table header may have. The parser recurses per level; the limits keep a hostile
    /// file from overflowing the stack.
    package static let maximumNesting = 100

    /// Parses `text`.
    /// - Throws: ``CutoverError`` `.invalidConfig` naming `file` and the line.
    package static func parse(_ text: String, file: String) throws -> TOMLTable {
        var reader = TOMLReader(bytes: Array(text.utf8), file: file)
        return try reader.document()
    }
}

/// Reads one TOML document byte by byte, keeping the line for errors. Strings are read in
/// `TOMLReader+Strings.swift`, numbers, booleans and dates in `TOMLReader+Scalars.swift`.
struct TOMLReader {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    /// How many arrays and inline tables the reader is inside.
    var depth = 0
    /// The key whose value is being read, for errors inside it.
    var currentKey = ""

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: - Cursor

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    func byte(at offset: Int) -> UInt8? { position + offset < bytes.count ? bytes[position + offset] : nil }

    mutating func advance() {
        if current == UInt8(ascii: "\n") { line += 1 }
        position += 1
    }

    mutating func advance(_ count: Int) { for _ in 0..<count { advance() } }

    func matches(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return text.withUTF8Buffer { needle in (0..<count).allSatisfy { bytes[position + $0] == needle[$0] } }
    }

    func fail(_ message: String, hint: String? = nil, at line: Int? = nil) -> CutoverError {
        CutoverError(.invalidConfig, message, hint: hint ?? "see the cutover.toml section of the README", file: file, line: line ?? self.line)
    }

    // MARK: - Blanks, comments, line ends

    /// A line feed, or a carriage return before one.
    var atNewline: Bool { current == UInt8(ascii: "\n") || (current == UInt8(ascii: "\r") && byte(at: 1) == UInt8(ascii: "\n")) }

    mutating func skipNewline() {
        if current == UInt8(ascii: "\r") { advance() }
        advance()
    }

    mutating func skipSpaces() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Skips a `#` comment up to the line end, refusing control characters in it.
    mutating func skipComment() throws {
        advance()
        while let byte = current, !atNewline {
            try rejectControlCharacter(byte, in: "a comment")
            advance()
        }
    }

    /// Skips spaces, comments and line ends (between the values of an array).
    mutating func skipBlankLines() throws {
        while let byte = current {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                advance()
            } else if atNewline {
                skipNewline()
            } else if byte == UInt8(ascii: "#") {
                try skipComment()
            } else {
                return
            }
        }
    }

    /// After a value or header: only spaces and a comment may follow on the line.
    mutating func endOfLine() throws {
        skipSpaces()
        if current == UInt8(ascii: "#") { try skipComment() }
        if current == nil { return }
        guard atNewline else {
            if current == UInt8(ascii: "\r") { throw fail("a carriage return (\\r) that is not followed by a line feed", hint: "end lines with LF or CRLF") }
            throw fail("unexpected text '\(DatabaseURL.redact(restOfLine()))' after the value", hint: "put one key = value per line; quote strings")
        }
        skipNewline()
    }

    func restOfLine() -> String {
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self).trimmingWhitespace()
    }

    /// TOML allows no control character other than tab in strings and comments.
    func rejectControlCharacter(_ byte: UInt8, in place: String) throws {
        guard (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F else { return }
        let code = String(byte, radix: 16, uppercase: true)
        let escape = "\\u" + String(repeating: "0", count: 4 - code.count) + code
        throw fail("control character U+\(escape.dropFirst(2)) in \(place)", hint: "remove it, or write it as \(escape) in a \"basic string\"")
    }

    /// A NUL byte is no TOML text (TOML forbids control characters other than tab).
    func rejectNUL() throws {
        guard let position = bytes.firstIndex(of: 0) else { return }
        let line = 1 + bytes[..<position].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        throw fail("the file contains a NUL byte (\\0)", hint: "remove it; cutover.toml is UTF-8 text", at: line)
    }

    // MARK: - Document

    mutating func document() throws -> TOMLTable {
        try rejectNUL()
        if matches("\u{FEFF}") { advance(3) }  // a byte order mark
        let root = TOMLTableBuilder(origin: .header, line: 0)
        var section = root
        var sectionPath: [String] = []
        while true {
            skipSpaces()
            guard let byte = current else { break }
            if atNewline {
                skipNewline()
                continue
            }
            if byte == UInt8(ascii: "#") {
                try skipComment()
            } else if byte == UInt8(ascii: "\r") {
                throw fail("a carriage return (\\r) that is not followed by a line feed", hint: "end lines with LF or CRLF")
            } else if byte == UInt8(ascii: "[") {
                (section, sectionPath) = try header(in: root)
            } else {
                try keyValue(into: section, path: sectionPath)
            }
            try endOfLine()
        }
        return root.table()
    }

    /// `[a.b]` or `[[a.b]]`: the table the following keys go into, and its path.
    mutating func header(in root: TOMLTableBuilder) throws -> (TOMLTableBuilder, [String]) {
        let headerLine = line
        advance()
        let isArray = current == UInt8(ascii: "[")
        if isArray { advance() }
        skipSpaces()
        let path = try keyPath()
        skipSpaces()
        let close = isArray ? "]]" : "]"
        guard current == UInt8(ascii: "]"), !isArray || byte(at: 1) == UInt8(ascii: "]") else {
            throw fail("expected '\(close)' to close the table header [\(isArray ? "[" : "")\(path.joined(separator: "."))", hint: "write [name] or [[name]] on a line of its own")
        }
        advance(close.utf8.count)
        do {
            return (try root.open(path, isArray: isArray, line: headerLine), path)
        } catch {
            throw fail(error.message, hint: error.hint, at: headerLine)
        }
    }

    /// `key = value`, with the key relative to `table` (whose path is `path`).
    mutating func keyValue(into table: TOMLTableBuilder, path: [String]) throws {
        let keyLine = line
        let keys = try keyPath()
        skipSpaces()
        guard current == UInt8(ascii: "=") else {
            throw fail("expected '=' after the key '\(keys.joined(separator: "."))'", hint: "write key = value")
        }
        advance()
        skipSpaces()
        let outerKey = currentKey
        currentKey = (path + keys).joined(separator: ".")
        defer { currentKey = outerKey }
        let value = try self.value()
        do {
            try table.set(keys, under: path, to: value, line: keyLine)
        } catch {
            throw fail(error.message, hint: error.hint, at: keyLine)
        }
    }

    // MARK: - Keys

    /// A key of one or more dotted parts: `a`, `"quoted key"`, `site."google.com"`, `a . b`.
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
        case UInt8(ascii: "\"")?:
            if matches("\"\"\"") { throw fail("a key cannot be a multi-line string", hint: "write \"key\" on one line") }
            return try basicString()
        case UInt8(ascii: "'")?:
            if matches("'''") { throw fail("a key cannot be a multi-line string", hint: "write 'key' on one line") }
            return try literalString()
        default:
            let start = position
            while let byte = current, Self.isBareKeyByte(byte) { advance() }
            guard position > start else {
                let found = restOfLine()
                throw fail(
                    found.isEmpty ? "expected a key, found the end of the line" : "expected a key, found '\(DatabaseURL.redact(found))'",
                    hint: "bare keys use A-Z a-z 0-9 _ -; quote any other key: \"my key\"")
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: - Values

    mutating func value() throws -> TOMLValue {
        guard let byte = current, !atNewline, byte != UInt8(ascii: "#") else {
            throw fail("the key '\(currentKey)' has no value", hint: "write key = value; a value is a \"string\", number, true/false, date, [array] or { inline table }")
        }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(matches("\"\"\"") ? try multiLineBasicString() : try basicString())
        case UInt8(ascii: "'"):
            return .string(matches("'''") ? try multiLineLiteralString() : try literalString())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        default:
            return try scalar()
        }
    }

    /// Counts one more level of arrays and inline tables, refusing more than the limit.
    mutating func enterNesting() throws {
        depth += 1
        guard depth <= TOMLParser.maximumNesting else {
            throw fail(
                "arrays or inline tables nested more than \(TOMLParser.maximumNesting) deep in the value of '\(currentKey)'",
                hint: "cutover.toml never needs values nested this deep")
        }
    }

    /// `[1, 2, 3]`: over any number of lines, with comments and a trailing comma.
    mutating func array() throws -> TOMLValue {
        let startLine = line
        try enterNesting()
        defer { depth -= 1 }
        advance()
        var items: [TOMLValue] = []
        while true {
            try skipBlankLines()
            guard let byte = current else { throw fail("the array opened here is not closed with ']'", at: startLine) }
            if byte == UInt8(ascii: "]") {
                advance()
                return .array(items)
            }
            if byte == UInt8(ascii: ",") { throw fail("expected a value in the array, found ','", hint: "remove the extra comma") }
            items.append(try value())
            try skipBlankLines()
            if current == UInt8(ascii: ",") {
                advance()
            } else if current != UInt8(ascii: "]") {
                throw fail(current == nil ? "the array opened here is not closed with ']'" : "expected ',' or ']' in the array", at: current == nil ? startLine : nil)
            }
        }
    }

    /// `{ a = 1, b.c = "x" }`: on one line, no trailing comma; closed once written.
    mutating func inlineTable() throws -> TOMLValue {
        let startLine = line
        try enterNesting()
        defer { depth -= 1 }
        advance()
        let table = TOMLTableBuilder(origin: .dottedKeys, line: startLine)
        let path = currentKey.isEmpty ? [] : [currentKey]
        skipSpaces()
        if current == UInt8(ascii: "}") {
            advance()
            return .table(table.table())
        }
        while true {
            skipSpaces()
            try keyValue(into: table, path: path)
            skipSpaces()
            switch current {
            case UInt8(ascii: "}")?:
                advance()
                return .table(table.table())
            case UInt8(ascii: ",")?:
                advance()
                skipSpaces()
                if current == UInt8(ascii: "}") {
                    throw fail("a comma after the last key of an inline table", hint: "remove it: TOML 1.0 allows no trailing comma in { … }")
                }
            case nil:
                throw fail("the inline table opened here is not closed with '}'", at: startLine)
            default:
                if atNewline {
                    throw fail("an inline table must end on the line it starts: expected ',' or '}'", hint: "close it with '}', or write a [section] instead")
                }
                throw fail("expected ',' or '}' in the inline table, found '\(DatabaseURL.redact(restOfLine()))'")
            }
        }
    }
}
