import Foundation

/// The one place Cutover turns names and free text into SQL text: every identifier, literal
/// and comment a generator writes (diff scripts, lint suggestions, dialect statements) goes
/// through here, so that no name — however hostile — can end a quote or a comment early.
///
/// - Identifiers are double-quoted with embedded `"` doubled (SQL standard; PostgreSQL
///   §4.1.1, SQLite "keywords"). ``quotedIdentifier(_:)`` always quotes (generated DDL);
///   ``identifier(_:)`` leaves a plain lower-case word that is no keyword bare (text for
///   people to read and copy, such as lint suggestions).
/// - Literals are single-quoted with `'` doubled; ``escapedLiteral(_:)`` writes PostgreSQL's
///   `E'…'` form, which reads the same whatever `standard_conforming_strings` says.
/// - Comments are one line: CR, LF and every other control character are written as
///   visible escapes (`\r`, `\n`, `\u{1B}`), since PostgreSQL and SQLite end a `--` comment
///   at CR as well as LF; `*/` and `/*` are broken up so a block comment neither ends nor
///   nests (PostgreSQL nests block comments).
/// - NUL: PostgreSQL stores no NUL in names or text, and SQLite's parser stops at one, so
///   a NUL is replaced by U+FFFD (�) everywhere: the statement then names something that
///   visibly differs instead of being cut short.
///
/// ```swift
/// SQLText.quotedIdentifier("a\"b")          // "a""b"
/// SQLText.identifier("users")               // users
/// SQLText.identifier("x'y;z")               // "x'y;z"
/// SQLText.qualified("app", "Users")         // app."Users"
/// SQLText.literal("it's")                   // 'it''s'
/// SQLText.comment("evil\rDROP TABLE t")     // evil\rDROP TABLE t  (one line, the CR escaped)
/// ```
package enum SQLText {
    /// `name` double-quoted, embedded quotes doubled, NUL replaced: safe in any statement.
    /// - Parameter name: the name as stored in the catalog.
    /// - Returns: `"name"`.
    package static func quotedIdentifier(_ name: String) -> String {
        "\"" + withoutNUL(name).replacingASCII(UInt8(ascii: "\""), with: "\"\"") + "\""
    }

    /// `name` as a person would write it: bare when it is a plain lower-case identifier
    /// (`[a-z_][a-z0-9_$]*`) that is no keyword, otherwise quoted as ``quotedIdentifier(_:)``.
    /// - Parameter name: the name as stored in the catalog (case preserved).
    /// - Returns: `users` or `"Users"`.
    package static func identifier(_ name: String) -> String {
        isPlainIdentifier(name) ? name : quotedIdentifier(name)
    }

    /// `schema.name` with each part written by ``identifier(_:)``; `name` alone when
    /// `schema` is nil.
    /// - Parameters:
    ///   - schema: the schema, or nil.
    ///   - name: the object's name.
    /// - Returns: `app."Users"`.
    package static func qualified(_ schema: String?, _ name: String) -> String {
        (schema.map { identifier($0) + "." } ?? "") + identifier(name)
    }

    /// `text` as a standard SQL string literal: single-quoted, `'` doubled, NUL replaced.
    /// - Parameter text: any text.
    /// - Returns: `'it''s'`.
    package static func literal(_ text: String) -> String {
        "'" + withoutNUL(text).replacingASCII(UInt8(ascii: "'"), with: "''") + "'"
    }

    /// `text` as a PostgreSQL escape string (`E'…'`) when it has a backslash, with `\` and
    /// `'` escaped, else as ``literal(_:)``: both read the same whether
    /// `standard_conforming_strings` is on or off.
    /// - Parameter text: any text.
    /// - Returns: `'plain'` or `E'back\\slash'`.
    package static func escapedLiteral(_ text: String) -> String {
        let text = withoutNUL(text)
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return literal(text) }
        return "E'" + text.replacingASCII(UInt8(ascii: "\\"), with: "\\\\").replacingASCII(UInt8(ascii: "'"), with: "\\'") + "'"
    }

    /// `text` made safe as the body of a `-- ` line comment or a `/* */` block comment:
    /// one line, control characters (CR, LF, NUL, …, DEL, C1, U+2028, U+2029) written as
    /// visible escapes, `*/` and `/*` broken up with a space.
    /// - Parameter text: any text (a name, a message, a reason).
    /// - Returns: the text on one line.
    package static func comment(_ text: String) -> String {
        // Scalar by scalar, not Character by Character: "\r\n" is one Character, and so is
        // "/" followed by a combining mark, which would hide a `*/` from a Character search.
        var result = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case "\0": result.append(contentsOf: "\\0".unicodeScalars)
            case _ where isControl(scalar): result.append(contentsOf: ("\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}").unicodeScalars)
            default:
                if (previous == "*" && scalar == "/") || (previous == "/" && scalar == "*") { result.append(" ") }
                result.append(scalar)
            }
            previous = scalar
        }
        return String(result)
    }

    /// `text` as `-- ` comment lines: split at LF (the caller's own line breaks), each line
    /// made safe by ``comment(_:)``.
    /// - Parameter text: one or more lines.
    /// - Returns: the lines, each starting with `-- `.
    package static func lineComments(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "-- " + comment(String($0)) }
    }

    // MARK: - Helpers

    /// Whether a scalar ends a line or is invisible control: C0, DEL, C1, and the Unicode
    /// line and paragraph separators.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    private static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingASCII(0, with: "\u{FFFD}") : text
    }

    /// `[a-z_][a-z0-9_$]*`, not a keyword.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        let plain = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
        }
        return plain && !keywords.contains(name)
    }

    /// Words that cannot be bare names: PostgreSQL's reserved key words (and those reserved
    /// "(can be function or type)", Appendix C) and SQLite's keywords that are commonly
    /// reserved. Quoting a word that needed none is harmless; the list errs towards quoting.
    static let keywords: Set<String> = [
        "abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and", "any", "array", "as", "asc",
        "asymmetric", "attach", "authorization", "autoincrement", "before", "begin", "between", "binary", "both", "by", "cascade",
        "case", "cast", "check", "collate", "collation", "column", "commit", "concurrently", "conflict", "constraint", "create",
        "cross", "current", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "database", "default", "deferrable", "deferred", "delete", "desc", "detach",
        "distinct", "do", "drop", "each", "else", "end", "escape", "except", "exclude", "exclusive", "exists", "explain", "false",
        "fetch", "filter", "first", "following", "for", "foreign", "freeze", "from", "full", "generated", "glob", "grant", "group",
        "groups", "having", "if", "ignore", "ilike", "immediate", "in", "index", "indexed", "initially", "inner", "insert",
        "instead", "intersect", "into", "is", "isnull", "join", "key", "last", "lateral", "leading", "left", "like", "limit",
        "localtime", "localtimestamp", "match", "materialized", "natural", "no", "not", "nothing", "notnull", "null", "nulls",
        "of", "offset", "on", "only", "or", "order", "others", "outer", "over", "overlaps", "partition", "placing", "plan",
        "pragma", "preceding", "primary", "query", "raise", "range", "recursive", "references", "regexp", "reindex", "release",
        "rename", "replace", "restrict", "returning", "right", "rollback", "row", "rows", "savepoint", "select", "session_user",
        "set", "similar", "some", "symmetric", "system_user", "table", "tablesample", "temp", "temporary", "then", "ties", "to",
        "trailing", "transaction", "trigger", "true", "unbounded", "union", "unique", "update", "user", "using", "vacuum",
        "values", "variadic", "verbose", "view", "virtual", "when", "where", "window", "with", "without",
    ]
}
