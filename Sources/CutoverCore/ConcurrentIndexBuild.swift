/// The head of a `CREATE [UNIQUE] INDEX CONCURRENTLY` statement, cut where its parts start,
/// so that what an interrupted build left behind can be found and judged.
///
/// `CREATE INDEX CONCURRENTLY` commits in several steps: killed half-way it leaves an
/// INVALID index behind, and its backend may even finish a valid one after the client has
/// gone. A rerun must neither fail on the leftover ("relation already exists") nor build a
/// second copy. The statement is not parsed beyond the table name: everything after it
/// (`USING`, the column list, `INCLUDE`, `WITH`, `WHERE`) is kept as written and replayed
/// on an empty copy of the table, so PostgreSQL itself says what the index would be
/// (https://www.postgresql.org/docs/current/sql-createindex.html).
///
/// ```swift
/// let build = ConcurrentIndexBuild("CREATE INDEX CONCURRENTLY users_email ON users (email)")
/// build?.indexName   // "users_email"
/// build?.table       // "users"
/// build?.definition  // "(email)"
/// ```
public struct ConcurrentIndexBuild: Sendable, Equatable {
    /// Whether the index is `UNIQUE`.
    public var isUnique: Bool
    /// The index name as PostgreSQL stores it (unquoted names folded to lower case), or nil
    /// when the statement lets the server choose one.
    public var indexName: String?
    /// The table as written in the statement (quotes and schema kept), ready to put in SQL.
    public var table: String
    /// Everything after the table name, as written: `USING …`, the columns, `WHERE …`.
    public var definition: String

    /// Creates the parts by hand.
    public init(isUnique: Bool, indexName: String?, table: String, definition: String) {
        self.isUnique = isUnique
        self.indexName = indexName
        self.table = table
        self.definition = definition
    }

    /// Reads `sql`; nil unless it is a `CREATE [UNIQUE] INDEX CONCURRENTLY` statement whose
    /// head this reader understands.
    public init?(_ sql: String) {
        var scanner = HeadScanner(bytes: Array(sql.utf8))
        func next() -> HeadScanner.Word? { scanner.next() }
        guard next()?.keyword == "CREATE" else { return nil }
        var word = next()
        isUnique = word?.keyword == "UNIQUE"
        if isUnique { word = next() }
        guard word?.keyword == "INDEX", next()?.keyword == "CONCURRENTLY" else { return nil }
        word = next()
        if word?.keyword == "IF" {
            guard next()?.keyword == "NOT", next()?.keyword == "EXISTS" else { return nil }
            word = next()
        }
        if let name = word, name.keyword != "ON" {
            indexName = name.identifier
            word = next()
        } else {
            indexName = nil
        }
        guard word?.keyword == "ON" else { return nil }
        word = next()
        if word?.keyword == "ONLY" { word = next() }
        guard let first = word else { return nil }
        var end = first.range.upperBound
        // A qualified name: `schema.table`.
        while let dot = scanner.peekDot() {
            scanner.position = dot
            guard let part = next() else { return nil }
            end = part.range.upperBound
        }
        let bytes = scanner.bytes
        table = String(decoding: bytes[first.range.lowerBound..<end], as: UTF8.self)
        let rest = bytes[end...].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        definition = String(decoding: rest, as: UTF8.self)
        guard !definition.isEmpty else { return nil }
    }
}

/// Reads the words of a statement's head: bare words and `"quoted"` names, skipping
/// whitespace and comments; stops (returns nil) at anything else.
private struct HeadScanner {
    struct Word {
        var range: Range<Int>
        var text: String
        var isQuoted: Bool
        /// The upper-cased word, for an unquoted word.
        var keyword: String? { isQuoted ? nil : text.uppercased() }
        /// The name as stored: quoted names as written, others in lower case.
        var identifier: String { isQuoted ? text : text.lowercased() }
    }

    let bytes: [UInt8]
    var position = 0

    mutating func skipSpaceAndComments() {
        while position < bytes.count {
            let byte = bytes[position]
            let next: UInt8 = position + 1 < bytes.count ? bytes[position + 1] : 0
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                position += 1
            } else if byte == UInt8(ascii: "-"), next == UInt8(ascii: "-") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else if byte == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                var depth = 0
                while position < bytes.count {
                    if bytes[position] == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "*") {
                        depth += 1
                        position += 2
                    } else if bytes[position] == UInt8(ascii: "*"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        position += 2
                        if depth == 0 { break }
                    } else {
                        position += 1
                    }
                }
            } else {
                return
            }
        }
    }

    /// The position just after a `.` that follows (after whitespace), or nil.
    mutating func peekDot() -> Int? {
        let saved = position
        skipSpaceAndComments()
        defer { position = saved }
        return position < bytes.count && bytes[position] == UInt8(ascii: ".") ? position + 1 : nil
    }

    mutating func next() -> Word? {
        skipSpaceAndComments()
        guard position < bytes.count else { return nil }
        let start = position
        if bytes[position] == UInt8(ascii: "\"") {
            var name: [UInt8] = []
            position += 1
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "\"") {
                    if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                        name.append(UInt8(ascii: "\""))
                        position += 2
                        continue
                    }
                    position += 1
                    return Word(range: start..<position, text: String(decoding: name, as: UTF8.self), isQuoted: true)
                }
                name.append(bytes[position])
                position += 1
            }
            return nil  // unterminated
        }
        while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
        guard position > start else { return nil }
        return Word(range: start..<position, text: String(decoding: bytes[start..<position], as: UTF8.self), isQuoted: false)
    }

    /// Letters, digits, `_`, `$` and every byte of a multi-byte UTF-8 character, which
    /// PostgreSQL accepts in unquoted names.
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }
}
