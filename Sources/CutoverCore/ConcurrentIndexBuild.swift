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
        var head = HeadReader(lexer: SQLLexer(sql, configuration: .postgres))
        guard head.word()?.keyword == "CREATE" else { return nil }
        var word = head.word()
        isUnique = word?.keyword == "UNIQUE"
        if isUnique { word = head.word() }
        guard word?.keyword == "INDEX", head.word()?.keyword == "CONCURRENTLY" else { return nil }
        word = head.word()
        if word?.keyword == "IF" {
            guard head.word()?.keyword == "NOT", head.word()?.keyword == "EXISTS" else { return nil }
            word = head.word()
        }
        if let name = word, name.keyword != "ON" {
            indexName = name.identifier
            word = head.word()
        } else {
            indexName = nil
        }
        guard word?.keyword == "ON" else { return nil }
        word = head.word()
        if word?.keyword == "ONLY" { word = head.word() }
        guard let first = word else { return nil }
        var end = first.range.upperBound
        // A qualified name: `schema.table`.
        while head.acceptDot() {
            guard let part = head.word() else { return nil }
            end = part.range.upperBound
        }
        let bytes = head.lexer.bytes
        table = String(decoding: bytes[first.range.lowerBound..<end], as: UTF8.self)
        let rest = bytes[end...].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        definition = String(decoding: rest, as: UTF8.self)
        guard !definition.isEmpty else { return nil }
    }
}

/// Reads the names and keywords of a statement's head from ``SQLLexer``'s tokens, skipping
/// whitespace and comments.
private struct HeadReader {
    struct Word {
        var range: Range<Int>
        var text: String
        var isQuoted: Bool
        /// The upper-cased word, for an unquoted word.
        var keyword: String? { isQuoted ? nil : text.uppercased() }
        /// The name as stored: quoted names as written, others in lower case.
        var identifier: String { isQuoted ? text : text.lowercased() }
    }

    var lexer: SQLLexer
    private var peeked: SQLToken?

    init(lexer: SQLLexer) {
        self.lexer = lexer
    }

    /// The next token that is not whitespace or a comment, left to be read again.
    private mutating func peek() -> SQLToken? {
        if peeked == nil {
            while let token = lexer.next() {
                if !token.isTrivia {
                    peeked = token
                    break
                }
            }
        }
        return peeked
    }

    /// The next bare word or closed `"quoted"` name; nil (and the token consumed) for anything else.
    mutating func word() -> Word? {
        guard let token = peek() else { return nil }
        peeked = nil
        switch token.kind {
        case .word, .number:
            return Word(range: token.range, text: lexer.text(of: token), isQuoted: false)
        case .quotedIdentifier where token.isTerminated:
            return Word(range: token.range, text: lexer.value(of: token), isQuoted: true)
        default:
            return nil
        }
    }

    /// Reads a `.` when one comes next.
    mutating func acceptDot() -> Bool {
        guard let token = peek(), token.kind == .punctuation, token.range.count == 1,
            lexer.bytes[token.range.lowerBound] == UInt8(ascii: ".") else { return false }
        peeked = nil
        return true
    }
}
