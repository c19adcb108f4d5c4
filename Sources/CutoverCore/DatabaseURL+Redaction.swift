import Foundation

extension DatabaseURL {
    /// `text` with every password in it replaced by `***`: the one redaction every message,
    /// log line and JSON field that may show a URL or a raw configuration value goes through.
    ///
    /// It works on any text, parseable URL or not, so that a mistyped URL echoed in an error
    /// keeps its secret too:
    /// - user info: in each whitespace-separated word that has an `@`, whatever follows the
    ///   first `:` after a scheme-like prefix (`postgres://`, `postgres:/`, `postgres:`) up to
    ///   the last `@` — `postgres:/app:PW@host`, `postgres:app:PW@host` and
    ///   `postgresql//app:PW@host` all lose `PW`;
    /// - parameters: the value of any `…password=` (case-insensitive: `?password=`,
    ///   `&sslpassword=`, `PGPASSWORD=`, libpq's `password='…'`).
    ///
    /// It errs on the side of hiding: text that merely looks like `a:b@c` loses `b`.
    ///
    /// ```swift
    /// DatabaseURL.redact("postgres://app:s3cret@db/shop?sslmode=require")  // postgres://app:***@db/shop?sslmode=require
    /// DatabaseURL.redact("postgres://db/shop?password=s3cret")             // postgres://db/shop?password=***
    /// DatabaseURL.redact("postgres:app:s3cret@db/shop")                    // postgres:app:***@db/shop
    /// ```
    ///
    /// - Parameter text: a URL, a mistyped URL, or a message that contains some.
    /// - Returns: the text with the passwords replaced.
    public static func redact(_ text: String) -> String {
        redactingPasswordParameters(in: redactingUserInfo(in: text))
    }

    /// Schemes whose colon may be followed directly by the user (`postgres:app:PW@host`).
    private static let knownSchemes = ["postgres", "postgresql", "mysql", "mariadb", "sqlite", "sqlite3", "file"]

    /// The user-info passwords of every word with an `@`. Words are cut and searched
    /// scalar by scalar: a combining mark after `:` or `@` must not hide it.
    private static func redactingUserInfo(in text: String) -> String {
        guard text.unicodeScalars.contains(":") else { return text }
        var result = String.UnicodeScalarView()
        var word = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                result.append(contentsOf: redactingUserInfo(ofWord: word))
                result.append(scalar)
                word = String.UnicodeScalarView()
            } else {
                word.append(scalar)
            }
        }
        result.append(contentsOf: redactingUserInfo(ofWord: word))
        return String(result)
    }

    private typealias Scalars = String.UnicodeScalarView

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// One word: `scheme://user:PASSWORD@host…`, however mistyped.
    private static func redactingUserInfo(ofWord word: Scalars) -> Scalars {
        guard let at = word.lastIndex(of: "@") else { return redactingNonNumericPort(ofWord: word) }
        let head = word[..<at]
        // Quotes or brackets around the URL in a message are not part of it.
        var start = head.firstIndex(where: isAlphanumeric) ?? head.endIndex
        if let colon = head[start...].firstIndex(of: ":") {
            let scheme = head[start..<colon]
            let afterColon = head[head.index(after: colon)...]
            let isSchemeLike = !scheme.isEmpty && scheme.allSatisfy { isAlphanumeric($0) || "+.-".unicodeScalars.contains($0) }
            if isSchemeLike && (knownSchemes.contains(String(scheme).lowercased()) || afterColon.first == "/") {
                start = afterColon.firstIndex(where: { $0 != "/" }) ?? head.endIndex
            }
        }
        guard let separator = head[start...].firstIndex(of: ":") else { return word }
        let secretStart = head.index(after: separator)
        guard secretStart < at else { return word }
        return Scalars(word[..<secretStart]) + "***".unicodeScalars + Scalars(word[at...])
    }

    /// `scheme://user:PASSWORD/db`, a URL whose host was left out, reads as a host and a
    /// port; a port that is not digits is hidden, as it is more likely a password.
    private static func redactingNonNumericPort(ofWord word: Scalars) -> Scalars {
        let separator = "://".unicodeScalars
        guard let start = word.indices.first(where: { word[$0...].starts(with: separator) }) else { return word }
        let afterSlashes = word.index(start, offsetBy: separator.count)
        let authority = word[afterSlashes...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard authority.first != "[", let colon = authority.firstIndex(of: ":") else { return word }
        let port = authority[authority.index(after: colon)...]
        guard !port.isEmpty, !port.allSatisfy({ ("0"..."9").contains($0) }) else { return word }
        return Scalars(word[...colon]) + "***".unicodeScalars + Scalars(word[port.endIndex...])
    }

    /// The values of `…password=` parameters and keywords.
    private static func redactingPasswordParameters(in text: String) -> String {
        guard text.range(of: "password", options: .caseInsensitive) != nil else { return text }
        // Scalar semantics, as above: a combining mark after `=` must not hide it. A value
        // already `***` is kept as it is, with what closes it (`(…?password=***) failed`):
        // redacting twice changes nothing.
        let pattern = #/(?i)(password\s*=\s*)(\*\*\*(?=[\s&#)'",;]|$)|'(?:[^'\\]|\\.)*'?|"[^"]*"?|[^\s&#]+)/#.matchingSemantics(.unicodeScalar)
        return text.replacing(pattern) { match in match.output.1 + "***" }
    }
}
