// The four kinds of TOML string: "basic", 'literal', """multi-line basic""" and
// '''multi-line literal'''.
extension TOMLReader {
    /// `"text"`: one line, with escapes.
    mutating func basicString() throws -> String {
        let startLine = line
        advance()
        var text: [UInt8] = []
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            default:
                if atNewline || byte == UInt8(ascii: "\n") {
                    throw fail("string not closed before the end of the line", hint: "close it with \", or use \"\"\"a multi-line string\"\"\"", at: startLine)
                }
                try rejectControlCharacter(byte, in: "a string")
                text.append(byte)
                advance()
            }
        }
        throw fail("string not closed", hint: "close it with \"", at: startLine)
    }

    /// `'text'`: one line, taken as written (no escapes).
    mutating func literalString() throws -> String {
        let startLine = line
        advance()
        let start = position
        while let byte = current, byte != UInt8(ascii: "'") {
            if atNewline || byte == UInt8(ascii: "\n") {
                throw fail("string not closed before the end of the line", hint: "close it with ', or use '''a multi-line string'''", at: startLine)
            }
            try rejectControlCharacter(byte, in: "a string")
            advance()
        }
        guard current != nil else { throw fail("string not closed", hint: "close it with '", at: startLine) }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        advance()
        return text
    }

    /// `"""…"""`: escapes, line ends kept (CRLF read as LF), a line break right after the
    /// opening quotes dropped, and a backslash at a line end removing the line break and the
    /// blanks after it.
    mutating func multiLineBasicString() throws -> String {
        let startLine = line
        advance(3)
        if atNewline { skipNewline() }
        var text: [UInt8] = []
        while let byte = current {
            if byte == UInt8(ascii: "\"") {
                if try closeMultiLine(quote: byte, into: &text) { return String(decoding: text, as: UTF8.self) }
            } else if byte == UInt8(ascii: "\\") {
                if isLineEndingBackslash() {
                    advance()
                    try skipWhitespaceAndNewlines()
                } else {
                    try escape(into: &text)
                }
            } else if atNewline {
                skipNewline()
                text.append(UInt8(ascii: "\n"))
            } else {
                try rejectControlCharacter(byte, in: "a string")
                text.append(byte)
                advance()
            }
        }
        throw fail("the multi-line string opened here is not closed with \"\"\"", hint: "close it with \"\"\"", at: startLine)
    }

    /// `'''…'''`: taken as written, line ends kept (CRLF read as LF), a line break right
    /// after the opening quotes dropped.
    mutating func multiLineLiteralString() throws -> String {
        let startLine = line
        advance(3)
        if atNewline { skipNewline() }
        var text: [UInt8] = []
        while let byte = current {
            if byte == UInt8(ascii: "'") {
                if try closeMultiLine(quote: byte, into: &text) { return String(decoding: text, as: UTF8.self) }
            } else if atNewline {
                skipNewline()
                text.append(UInt8(ascii: "\n"))
            } else {
                try rejectControlCharacter(byte, in: "a string")
                text.append(byte)
                advance()
            }
        }
        throw fail("the multi-line string opened here is not closed with '''", hint: "close it with '''", at: startLine)
    }

    /// At a run of `quote`s inside a multi-line string: one or two are text; three close the
    /// string, and up to two more before them are its last characters (`""""` ends in `"`).
    /// - Returns: whether the string is closed.
    private mutating func closeMultiLine(quote: UInt8, into text: inout [UInt8]) throws -> Bool {
        var run = 0
        while byte(at: run) == quote { run += 1 }
        if run < 3 {
            text.append(contentsOf: repeatElement(quote, count: run))
            advance(run)
            return false
        }
        guard run <= 5 else {
            throw fail("\(run) quotes in a row in a multi-line string", hint: "at most two quotes may stand before the closing three; escape the others (\\\")")
        }
        text.append(contentsOf: repeatElement(quote, count: run - 3))
        advance(run)
        return true
    }

    /// A backslash followed only by spaces up to the line end.
    private func isLineEndingBackslash() -> Bool {
        var offset = 1
        while let byte = byte(at: offset), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { offset += 1 }
        return byte(at: offset) == UInt8(ascii: "\n") || (byte(at: offset) == UInt8(ascii: "\r") && byte(at: offset + 1) == UInt8(ascii: "\n"))
    }

    private mutating func skipWhitespaceAndNewlines() throws {
        while let byte = current {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                advance()
            } else if atNewline {
                skipNewline()
            } else {
                return
            }
        }
    }

    /// `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`; any other escape is an error.
    private mutating func escape(into text: inout [UInt8]) throws {
        advance()
        guard let letter = current, !atNewline else {
            throw fail("a backslash at the end of a string line", hint: "write \\\\ for a backslash, or use a 'literal string'")
        }
        advance()
        switch letter {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "\""): text.append(0x22)
        case UInt8(ascii: "\\"): text.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = letter == UInt8(ascii: "u") ? 4 : 8
            let digits = bytes[position..<min(position + count, bytes.count)]
            let written = "\\\(Character(Unicode.Scalar(letter)))" + String(decoding: digits.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            guard digits.count == count, digits.allSatisfy({ Self.hexValue($0) != nil }) else {
                throw fail("invalid escape '\(written)' in a string: expected \(count) hexadecimal digits", hint: count == 4 ? "write \\u00E9" : "write \\U0001F600")
            }
            guard let code = UInt32(String(decoding: digits, as: UTF8.self), radix: 16), let scalar = Unicode.Scalar(code) else {
                throw fail("invalid escape '\(written)' in a string: not a Unicode scalar value", hint: "use a code point up to 10FFFF, outside D800–DFFF")
            }
            advance(count)
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            let shown = letter < 0x80 && letter >= 0x20 ? String(Character(Unicode.Scalar(letter))) : "\\u{\(String(letter, radix: 16))}"
            throw fail(
                "unknown escape '\\\(shown)' in a string",
                hint: "TOML knows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX; write \\\\ for a backslash, or use a 'literal string'")
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
