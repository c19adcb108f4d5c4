// The rules for each kind of token. Each starts at `position` (the token's first byte),
// moves `position` past the token and returns it; none looks further than it must.
extension SQLLexer {
    // MARK: Comments

    /// `--` up to the line break (SQL standard; both databases).
    mutating func lineComment() -> SQLToken {
        let start = position
        let count = bytes.count
        let endsAtReturn = configuration.lineCommentEndsAtCarriageReturn
        position += 2
        while position < count, bytes[position] != 0x0A, !(endsAtReturn && bytes[position] == 0x0D) { position += 1 }
        return SQLToken(kind: .lineComment, range: start..<position, line: currentLine)
    }

    /// `/* … */`. In PostgreSQL block comments nest, as the SQL standard specifies (§4.1.5),
    /// so `/* a /* b */ c */` is one comment; in SQLite the first `*/` ends it.
    mutating func blockComment() -> SQLToken {
        let start = position
        let count = bytes.count
        let nests = configuration.nestsBlockComments
        var depth = 1
        position += 2
        while position + 1 < count {
            let byte = bytes[position]
            let next = bytes[position + 1]
            if nests, byte == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if byte == UInt8(ascii: "*"), next == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return SQLToken(kind: .blockComment, range: start..<position, line: currentLine) }
            } else {
                position += 1
            }
        }
        position = count
        return SQLToken(kind: .blockComment, range: start..<count, line: currentLine, isTerminated: false)
    }

    // MARK: Quoted text

    /// A quoted string or identifier whose opening quote is at `quoteStart` (after any
    /// `E`/`X` prefix from `start`); the closing quote doubled stands for itself (`'it''s'`,
    /// `"a""b"`). In an `E'…'` string a backslash escapes the next byte, so `E'it\'s'` is
    /// one string.
    mutating func quoted(
        _ kind: SQLToken.Kind, _ quote: SQLToken.Quote, from start: Int, quoteStart: Int? = nil, closingWith close: UInt8
    ) -> SQLToken {
        let contentStart = (quoteStart ?? start) + 1
        let backslashEscapes = quote == .escapeString
        let count = bytes.count
        position = contentStart
        while position < count {
            let byte = bytes[position]
            if byte == close {
                if position + 1 < count, bytes[position + 1] == close {
                    position += 2
                    continue
                }
                position += 1
                return SQLToken(kind: kind, quote: quote, range: start..<position, openingLength: contentStart - start, line: currentLine)
            }
            position += backslashEscapes && byte == UInt8(ascii: "\\") ? 2 : 1
        }
        position = count
        return SQLToken(
            kind: kind, quote: quote, range: start..<count, openingLength: contentStart - start, line: currentLine, isTerminated: false)
    }

    /// `[`: a SQLite `[name]`, or punctuation, by ``Configuration/brackets``. `[name]` is
    /// taken literally up to the first `]`.
    mutating func bracket() -> SQLToken {
        let start = position
        let count = bytes.count
        switch configuration.brackets {
        case .punctuation:
            break
        case .identifier:
            var end = start + 1
            while end < count, bytes[end] != UInt8(ascii: "]") { end += 1 }
            guard end < count else {
                position = count
                return SQLToken(
                    kind: .quotedIdentifier, quote: .bracket, range: start..<count, openingLength: 1, line: currentLine,
                    isTerminated: false)
            }
            position = end + 1
            return SQLToken(kind: .quotedIdentifier, quote: .bracket, range: start..<position, openingLength: 1, line: currentLine)
        case .identifierWhenClosedOnSameLine:
            if let end = bracketClosedOnSameLine() {
                position = end + 1
                return SQLToken(kind: .quotedIdentifier, quote: .bracket, range: start..<position, openingLength: 1, line: currentLine)
            }
        }
        position += 1
        return SQLToken(kind: .punctuation, range: start..<position, line: currentLine)
    }

    /// The index of the `]` that closes the `[` at `position` on the same line, with at least
    /// one byte between them and nothing that could hide a quote, `$`, comment or line break;
    /// nil when the `[` is better read as PostgreSQL's array subscript or constructor.
    private func bracketClosedOnSameLine() -> Int? {
        let count = bytes.count
        var index = position + 1
        while index < count {
            switch bytes[index] {
            case UInt8(ascii: "]"):
                return index > position + 1 ? index : nil
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "$"), UInt8(ascii: "["), 0x0A, 0x0D:
                return nil
            case UInt8(ascii: "-") where index + 1 < count && bytes[index + 1] == UInt8(ascii: "-"):
                return nil
            case UInt8(ascii: "/") where index + 1 < count && bytes[index + 1] == UInt8(ascii: "*"):
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// `$`: PostgreSQL dollar quoting (§4.1.2.4), `$tag$ … $tag$`, where the tag is empty or
    /// a name that does not start with a digit and the same tag must close it; otherwise a
    /// parameter, `$1` or `$name`; a lone `$` is punctuation.
    mutating func dollar() -> SQLToken {
        let start = position
        let count = bytes.count
        var index = start + 1
        if index < count, Self.isIdentifierStart(bytes[index]) {
            index += 1
            while index < count, Self.isTagPart(bytes[index]) { index += 1 }
        }
        if configuration.hasDollarQuotes, index < count, bytes[index] == UInt8(ascii: "$") {
            let tagLength = index + 1 - start
            var search = index + 1
            while search + tagLength <= count {
                if bytes[search] == UInt8(ascii: "$"), bytes[search..<(search + tagLength)].elementsEqual(bytes[start...index]) {
                    position = search + tagLength
                    return SQLToken(kind: .string, quote: .dollar, range: start..<position, openingLength: tagLength, line: currentLine)
                }
                search += 1
            }
            position = count
            return SQLToken(
                kind: .string, quote: .dollar, range: start..<count, openingLength: tagLength, line: currentLine,
                isTerminated: false)
        }
        if index == start + 1 {
            while index < count, Self.isDigit(bytes[index]) { index += 1 }
        }
        position = index
        return SQLToken(kind: index == start + 1 ? .punctuation : .parameter, range: start..<position, line: currentLine)
    }

    // MARK: Words and numbers

    /// A name or keyword; or, for a lone `E` or `X` before a quote, the prefix of an
    /// escape string (PostgreSQL) or a hexadecimal constant.
    mutating func word(following: UInt8) -> SQLToken {
        let start = position
        let count = bytes.count
        if following == UInt8(ascii: "'") {
            let letter = bytes[start] | 0x20
            if letter == UInt8(ascii: "e"), configuration.hasEscapeStrings {
                return quoted(.string, .escapeString, from: start, quoteStart: start + 1, closingWith: following)
            }
            if letter == UInt8(ascii: "x") {
                return quoted(.string, .hex, from: start, quoteStart: start + 1, closingWith: following)
            }
        }
        position += 1
        while position < count, Self.isIdentifierPart(bytes[position]) { position += 1 }
        return SQLToken(kind: .word, range: start..<position, line: currentLine)
    }

    /// Digits with an optional fraction and exponent (`1`, `1.5`, `.5`, `1e-3`). Name
    /// characters that follow stay in the token (`0x1F`, `1_000`), so a number never
    /// leaves a stray `E` to be read as the prefix of a string.
    mutating func number() -> SQLToken {
        let start = position
        let count = bytes.count
        while position < count, Self.isDigit(bytes[position]) { position += 1 }
        if position + 1 < count, bytes[position] == UInt8(ascii: "."), Self.isDigit(bytes[position + 1]) {
            position += 1
            while position < count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            var exponent = position + 1
            if exponent < count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") { exponent += 1 }
            if exponent < count, Self.isDigit(bytes[exponent]) {
                position = exponent
                while position < count, Self.isDigit(bytes[position]) { position += 1 }
            }
        }
        while position < count, Self.isIdentifierPart(bytes[position]) { position += 1 }
        return SQLToken(kind: .number, range: start..<position, line: currentLine)
    }

    // MARK: Operators

    /// An operator, by ``Configuration/operators``.
    mutating func `operator`() -> SQLToken {
        let start = position
        let count = bytes.count
        switch configuration.operators {
        case .postgresRuns:
            position += 1
            while position < count, isOperatorCharacter(bytes[position]) {
                let next: UInt8 = position + 1 < count ? bytes[position + 1] : 0
                if bytes[position] == UInt8(ascii: "-"), next == UInt8(ascii: "-") { break }
                if bytes[position] == UInt8(ascii: "/"), next == UInt8(ascii: "*") { break }
                position += 1
            }
            // `=-1` is `=` and `-1`: a run ends in + or - only if it holds one of ~!@#%^&|`?.
            if position - start > 1, bytes[position - 1] == UInt8(ascii: "+") || bytes[position - 1] == UInt8(ascii: "-") {
                let special: Set<UInt8> = Set("~!@#%^&|`?".utf8)
                if !bytes[start..<position].contains(where: special.contains) {
                    while position - start > 1, bytes[position - 1] == UInt8(ascii: "+") || bytes[position - 1] == UInt8(ascii: "-") {
                        position -= 1
                    }
                }
            }
        case .sqlite:
            position += 1
            if position < count {
                let first = bytes[start]
                let second = bytes[position]
                switch (first, second) {
                case (UInt8(ascii: "<"), UInt8(ascii: "=")), (UInt8(ascii: ">"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: ">")),
                    (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "="), UInt8(ascii: "=")), (UInt8(ascii: "|"), UInt8(ascii: "|")),
                    (UInt8(ascii: "<"), UInt8(ascii: "<")), (UInt8(ascii: ">"), UInt8(ascii: ">")):
                    position += 1
                case (UInt8(ascii: "-"), UInt8(ascii: ">")):
                    position += 1
                    if position < count, bytes[position] == UInt8(ascii: ">") { position += 1 }
                default:
                    break
                }
            }
        }
        return SQLToken(kind: .operator, range: start..<position, line: currentLine)
    }
}
