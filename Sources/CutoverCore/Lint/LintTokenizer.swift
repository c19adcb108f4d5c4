/// Cuts one SQL statement into ``LintToken``s.
///
/// The statement has already been split by ``SQLSplitter``, which reports unterminated
/// strings and comments; here an unterminated construct simply runs to the end of the text,
/// so a statement built by hand can never make the linter fail. Works on UTF-8 bytes: every
/// delimiter is ASCII, and UTF-8 never uses ASCII values inside multi-byte sequences.
struct LintTokenizer {
    /// SQLite also quotes identifiers with `` `…` `` and `[…]`, and compares every identifier
    /// case-insensitively (https://www.sqlite.org/lang_keywords.html).
    var isSQLite = false

    func tokens(_ sql: String) -> [LintToken] {
        var scanner = Scanner(bytes: Array(sql.utf8), isSQLite: isSQLite)
        return scanner.run()
    }
}

extension LintTokenizer {
    private struct Scanner {
        let bytes: [UInt8]
        let isSQLite: Bool
        var position = 0
        var tokens: [LintToken] = []

        init(bytes: [UInt8], isSQLite: Bool) {
            self.bytes = bytes
            self.isSQLite = isSQLite
            tokens.reserveCapacity(bytes.count / 4)
        }

        mutating func run() -> [LintToken] {
            let count = bytes.count
            while position < count {
                let byte = bytes[position]
                let next: UInt8 = position + 1 < count ? bytes[position + 1] : 0
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                    position += 1
                case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                    while position < count, bytes[position] != 0x0A { position += 1 }
                case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                    skipBlockComment()
                case UInt8(ascii: "'"):
                    position += 1
                    append(.string, quoted(until: byte, backslashEscapes: false))
                case UInt8(ascii: "\""):
                    position += 1
                    identifier(quoted(until: byte, backslashEscapes: false))
                case UInt8(ascii: "`") where isSQLite:
                    position += 1
                    identifier(quoted(until: byte, backslashEscapes: false))
                case UInt8(ascii: "[") where isSQLite:
                    position += 1
                    let start = position
                    while position < count, bytes[position] != UInt8(ascii: "]") { position += 1 }
                    identifier(text(start..<position))
                    position = min(position + 1, count)
                case UInt8(ascii: "$") where Self.isDigit(next):
                    let start = position
                    position += 1
                    while position < count, Self.isDigit(bytes[position]) { position += 1 }
                    append(.parameter, text(start..<position))
                case UInt8(ascii: "$"):
                    dollar()
                case UInt8(ascii: ":") where next == UInt8(ascii: ":"):
                    position += 2
                    append(.symbol, "::")
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "["),
                    UInt8(ascii: "]"), UInt8(ascii: ":"):
                    position += 1
                    append(.symbol, String(UnicodeScalar(byte)))
                case UInt8(ascii: "."):
                    if Self.isDigit(next) { number() } else {
                        position += 1
                        append(.symbol, ".")
                    }
                case _ where Self.isDigit(byte):
                    number()
                case _ where Self.isIdentifierStart(byte):
                    word()
                default:
                    // A run of operator characters (`=`, `<>`, `||`, …).
                    let start = position
                    position += 1
                    while position < count, Self.isOperator(bytes[position]),
                        !(bytes[position] == UInt8(ascii: "-") && position + 1 < count && bytes[position + 1] == UInt8(ascii: "-")),
                        !(bytes[position] == UInt8(ascii: "/") && position + 1 < count && bytes[position + 1] == UInt8(ascii: "*"))
                    {
                        position += 1
                    }
                    append(.symbol, text(start..<position))
                }
            }
            return tokens
        }

        private mutating func append(_ kind: LintToken.Kind, _ text: String) {
            tokens.append(LintToken(kind: kind, text: text))
        }

        private mutating func identifier(_ name: String) {
            append(.quotedIdentifier, isSQLite ? name.lowercased() : name)
        }

        private func text(_ range: Range<Int>) -> String {
            String(decoding: bytes[range], as: UTF8.self)
        }

        /// `/* … */`, nested as PostgreSQL allows
        /// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-COMMENTS).
        private mutating func skipBlockComment() {
            var depth = 0
            let count = bytes.count
            while position < count {
                if bytes[position] == UInt8(ascii: "/"), position + 1 < count, bytes[position + 1] == UInt8(ascii: "*") {
                    depth += 1
                    position += 2
                } else if bytes[position] == UInt8(ascii: "*"), position + 1 < count, bytes[position + 1] == UInt8(ascii: "/") {
                    depth -= 1
                    position += 2
                    if depth == 0 { return }
                } else {
                    position += 1
                }
            }
        }

        /// The contents of a quoted string or identifier whose opening quote was consumed;
        /// a doubled quote stands for one.
        private mutating func quoted(until quote: UInt8, backslashEscapes: Bool) -> String {
            let count = bytes.count
            var start = position
            var result: [UInt8] = []
            var copied = false
            while position < count {
                let byte = bytes[position]
                if backslashEscapes, byte == UInt8(ascii: "\\"), position + 1 < count {
                    result.append(contentsOf: bytes[start..<position])
                    result.append(bytes[position + 1])
                    copied = true
                    position += 2
                    start = position
                } else if byte == quote {
                    if position + 1 < count, bytes[position + 1] == quote {
                        result.append(contentsOf: bytes[start...position])
                        copied = true
                        position += 2
                        start = position
                    } else {
                        defer { position += 1 }
                        if !copied { return text(start..<position) }
                        result.append(contentsOf: bytes[start..<position])
                        return String(decoding: result, as: UTF8.self)
                    }
                } else {
                    position += 1
                }
            }
            result.append(contentsOf: bytes[start..<count])
            return String(decoding: result, as: UTF8.self)
        }

        /// `$tag$ … $tag$` dollar quoting
        /// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-DOLLAR-QUOTING);
        /// a lone `$` is an operator character.
        private mutating func dollar() {
            let count = bytes.count
            var end = position + 1
            while end < count, Self.isIdentifierByte(bytes[end]), bytes[end] != UInt8(ascii: "$") { end += 1 }
            guard end < count, bytes[end] == UInt8(ascii: "$") else {
                position += 1
                append(.symbol, "$")
                return
            }
            let tag = Array(bytes[position...end])
            let bodyStart = end + 1
            var scan = bodyStart
            while scan + tag.count <= count {
                if bytes[scan] == UInt8(ascii: "$"), bytes[scan..<(scan + tag.count)].elementsEqual(tag) {
                    append(.string, text(bodyStart..<scan))
                    position = scan + tag.count
                    return
                }
                scan += 1
            }
            append(.string, text(bodyStart..<count))
            position = count
        }

        private mutating func number() {
            let start = position
            let count = bytes.count
            while position < count, Self.isDigit(bytes[position]) || bytes[position] == UInt8(ascii: ".") || bytes[position] == UInt8(ascii: "_") {
                position += 1
            }
            if position < count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                var exponent = position + 1
                if exponent < count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") { exponent += 1 }
                if exponent < count, Self.isDigit(bytes[exponent]) {
                    position = exponent
                    while position < count, Self.isDigit(bytes[position]) { position += 1 }
                }
            }
            append(.number, text(start..<position))
        }

        /// An unquoted word, upper-cased; `E'…'` starts a string with backslash escapes
        /// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE).
        private mutating func word() {
            let start = position
            let count = bytes.count
            while position < count, Self.isIdentifierByte(bytes[position]) { position += 1 }
            if position - start == 1, bytes[start] | 0x20 == UInt8(ascii: "e"), position < count, bytes[position] == UInt8(ascii: "'") {
                position += 1
                append(.string, quoted(until: UInt8(ascii: "'"), backslashEscapes: true))
                return
            }
            var upper = Array(bytes[start..<position])
            for index in upper.indices where upper[index] >= UInt8(ascii: "a") && upper[index] <= UInt8(ascii: "z") {
                upper[index] -= 0x20
            }
            append(.word, String(decoding: upper, as: UTF8.self))
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// Letters, `_`, and any byte of a multi-byte UTF-8 character.
        static func isIdentifierStart(_ byte: UInt8) -> Bool {
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte >= 0x80
        }

        /// Identifiers continue with letters, digits, `_` and `$`.
        static func isIdentifierByte(_ byte: UInt8) -> Bool {
            isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
        }

        static func isOperator(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "<"),
                UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "@"),
                UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "^"), UInt8(ascii: "&"), UInt8(ascii: "|"),
                UInt8(ascii: "?"):
                true
            default:
                false
            }
        }
    }
}
