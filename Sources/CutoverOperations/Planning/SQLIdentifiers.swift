/// Column names in a SQL expression or index definition, read and replaced outside string
/// literals: enough to move a check, an index or a predicate from one column to another
/// without a SQL parser.
///
/// A word is a column reference unless it is a type (right after `::`) or a function (right
/// before `(`). Unquoted words compare as PostgreSQL folds them (lower case); quoted ones as
/// written.
///
/// ```swift
/// SQLIdentifiers.renaming("price", to: "\"_cutover_new_price\"", in: "price > 0 AND note <> 'price'")
/// // "\"_cutover_new_price\" > 0 AND note <> 'price'"
/// ```
package enum SQLIdentifiers {
    /// One piece of the text: a column reference candidate or anything else, kept verbatim.
    private enum Piece {
        case name(String, text: String)
        case other(String)
    }

    /// The words of `sql` outside string literals (lower-cased) and its double-quoted names
    /// (as written), functions and types included.
    package static func identifiers(in sql: String) -> [String] {
        pieces(of: sql, keepingCallsAndTypes: true)?.compactMap { if case .name(let name, _) = $0 { name } else { nil } } ?? []
    }

    /// The names ``identifiers(in:)`` finds, or nil when the text cannot be read safely (a
    /// dollar-quoted string): then any column may be read.
    package static func referencedNames(in sql: String) -> Set<String>? {
        guard let pieces = pieces(of: sql, keepingCallsAndTypes: true) else { return nil }
        return Set(pieces.compactMap { if case .name(let name, _) = $0 { name } else { nil } })
    }

    /// `sql` with every reference to `column` replaced by `replacement` (already quoted), or
    /// nil when the text cannot be read safely (a dollar-quoted string).
    package static func renaming(_ column: String, to replacement: String, in sql: String) -> String? {
        guard let pieces = pieces(of: sql, keepingCallsAndTypes: false) else { return nil }
        return pieces.map { piece in
            switch piece {
            case .name(let name, let text): name == column ? replacement : text
            case .other(let text): text
            }
        }.joined()
    }

    /// Splits `sql`; with `keepingCallsAndTypes` false, a function name or a type is `.other`.
    private static func pieces(of sql: String, keepingCallsAndTypes: Bool) -> [Piece]? {
        let characters = Array(sql)
        var pieces: [Piece] = []
        var index = 0
        var afterCast = false
        func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" || character == "$" }
        func nextSignificant(from position: Int) -> Character? {
            var position = position
            while position < characters.count, characters[position].isWhitespace { position += 1 }
            return position < characters.count ? characters[position] : nil
        }
        while index < characters.count {
            let character = characters[index]
            if character == "'" || character == "\"" {
                // A literal or quoted name ends at a quote that is not doubled.
                var end = index + 1
                var content = ""
                while end < characters.count {
                    if characters[end] == character {
                        if end + 1 < characters.count, characters[end + 1] == character {
                            content.append(character)
                            end += 2
                            continue
                        }
                        break
                    }
                    content.append(characters[end])
                    end += 1
                }
                let text = String(characters[index..<min(end + 1, characters.count)])
                if character == "\"", keepingCallsAndTypes || (!afterCast && nextSignificant(from: end + 1) != "(") {
                    pieces.append(.name(content, text: text))
                } else {
                    pieces.append(.other(text))
                }
                afterCast = false
                index = end + 1
            } else if isWord(character) {
                var end = index
                while end < characters.count, isWord(characters[end]) { end += 1 }
                let word = String(characters[index..<end])
                if word.first == "$" || (word.contains("$") && word.last == "$") { return nil }  // dollar quoting
                let isCall = nextSignificant(from: end) == "("
                if word.first?.isNumber == false, keepingCallsAndTypes || (!afterCast && !isCall) {
                    pieces.append(.name(word.lowercased(), text: word))
                } else {
                    pieces.append(.other(word))
                }
                afterCast = false
                index = end
            } else {
                if character == ":", index + 1 < characters.count, characters[index + 1] == ":" {
                    pieces.append(.other("::"))
                    afterCast = true
                    index += 2
                    continue
                }
                if !character.isWhitespace, character != "(" { afterCast = false }
                pieces.append(.other(String(character)))
                index += 1
            }
        }
        return pieces
    }
}
