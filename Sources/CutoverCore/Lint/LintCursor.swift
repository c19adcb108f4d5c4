/// A position in a statement's tokens, bounded by `end`, with the small steps the
/// recogniser is built from. Every step checks bounds, so a truncated or unusual
/// statement ends recognition instead of trapping.
struct LintCursor {
    let tokens: [LintToken]
    var index: Int
    let end: Int

    init(tokens: [LintToken], index: Int = 0, end: Int? = nil) {
        self.tokens = tokens
        self.index = index
        self.end = min(end ?? tokens.count, tokens.count)
    }

    var isAtEnd: Bool { index >= end }

    /// The token `offset` places ahead, nil past the end.
    func peek(_ offset: Int = 0) -> LintToken? {
        let position = index + offset
        return position < end ? tokens[position] : nil
    }

    /// Whether the next tokens are the keywords `keywords`, without consuming them.
    func isAt(_ keywords: String...) -> Bool {
        for (offset, keyword) in keywords.enumerated() where peek(offset)?.isKeyword(keyword) != true { return false }
        return true
    }

    /// Consumes `keywords` if the next tokens are exactly them.
    @discardableResult
    mutating func accept(_ keywords: String...) -> Bool {
        for (offset, keyword) in keywords.enumerated() where peek(offset)?.isKeyword(keyword) != true { return false }
        index += keywords.count
        return true
    }

    /// Consumes the next token if it is one of `keywords`, and returns it.
    mutating func acceptAny(_ keywords: Set<String>) -> String? {
        guard let token = peek(), token.kind == .word, keywords.contains(token.text) else { return nil }
        index += 1
        return token.text
    }

    @discardableResult
    mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard peek()?.isSymbol(symbol) == true else { return false }
        index += 1
        return true
    }

    /// Consumes an identifier (a word or quoted name).
    mutating func identifier() -> String? {
        guard let name = peek()?.identifier else { return nil }
        index += 1
        return name
    }

    /// Consumes `name` or `schema.name` (a third part, `database.schema.name`, is dropped).
    mutating func qualifiedName() -> LintTableName? {
        guard var name = identifier() else { return nil }
        var schema: String?
        var parts = 1
        while parts < 3, peek()?.isSymbol(".") == true, let next = peek(1)?.identifier {
            index += 2
            schema = name
            name = next
            parts += 1
        }
        return LintTableName(schema: schema, name: name)
    }

    /// If the next token is `(`, consumes up to its matching `)` and returns the range of
    /// the tokens inside.
    mutating func parenthesized() -> Range<Int>? {
        guard peek()?.isSymbol("(") == true else { return nil }
        let start = index + 1
        var depth = 0
        while index < end {
            let token = tokens[index]
            index += 1
            if token.isSymbol("(") {
                depth += 1
            } else if token.isSymbol(")") {
                depth -= 1
                if depth == 0 { return start..<(index - 1) }
            }
        }
        return start..<end
    }

    /// Splits the rest at commas outside parentheses and brackets, returning each part's range.
    func topLevelParts() -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var depth = 0
        var start = index
        for position in index..<max(index, end) {
            let token = tokens[position]
            guard token.kind == .symbol else { continue }
            switch token.text {
            case "(", "[": depth += 1
            case ")", "]": depth = max(depth - 1, 0)
            case "," where depth == 0:
                parts.append(start..<position)
                start = position + 1
            default: break
            }
        }
        if start < end { parts.append(start..<end) }
        return parts
    }

    /// Whether the keywords `keywords` follow one another somewhere in the rest, outside
    /// parentheses.
    func containsAtTopLevel(_ keywords: String...) -> Bool {
        var depth = 0
        var position = index
        while position < end {
            let token = tokens[position]
            if token.isSymbol("(") { depth += 1 } else if token.isSymbol(")") { depth -= 1 } else if depth == 0 {
                var matched = true
                for (offset, keyword) in keywords.enumerated() {
                    let at = position + offset
                    if at >= end || !tokens[at].isKeyword(keyword) {
                        matched = false
                        break
                    }
                }
                if matched { return true }
            }
            position += 1
        }
        return false
    }

    /// A cursor over `range` of the same tokens.
    func sub(_ range: Range<Int>) -> LintCursor {
        LintCursor(tokens: tokens, index: range.lowerBound, end: range.upperBound)
    }
}
