import Foundation

extension LintFinding {
    /// The finding as a few lines of text for a terminal or a log.
    ///
    /// ```text
    /// migrations/2_idx.sql:3: error[require-concurrent-index-creation]: CREATE INDEX without CONCURRENTLY on orders
    ///   statement: CREATE INDEX orders_user ON orders (user_id)
    ///   lock: SHARE on orders (blocks writes)
    ///   why:  …
    ///   fix:  …
    ///   (to accept it, put `-- cutover:allow require-concurrent-index-creation` above the statement)
    /// ```
    ///
    /// - Returns: The text, without a trailing newline.
    ///
    /// A finding about the file rather than a statement (``MigrationFileChecks``: no
    /// statement, no lock) leaves those lines and the `allow` hint out.
    public func renderedText() -> String {
        guard !statement.isEmpty else {
            return """
                \(file):\(line): \(severity)[\(rule)]: \(message)
                  why:  \(why)
                  fix:  \(safeRewrite)
                """
        }
        if let harmlessBecause {
            // Harmless on the target: the why and the fix are beside the point there.
            return """
                \(file):\(line): \(severity)[\(rule)]: \(message)
                  statement: \(Self.abbreviated(statement))
                  note: not blocking: \(harmlessBecause)
                """
        }
        return """
            \(file):\(line): \(severity)[\(rule)]: \(message)
              statement: \(Self.abbreviated(statement))
              lock: \(lock)
              why:  \(why)
              fix:  \(safeRewrite)
              (to accept it, put \(allowDirective) above the \(isExpandContract ? "operation" : "statement"))
            """
    }

    /// Whether the finding is in a `.yaml` (expand/contract) migration, whose comments start with `#`.
    var isExpandContract: Bool { file.hasSuffix(".yaml") || file.hasSuffix(".yml") }

    /// The comment that accepts this finding: `-- cutover:allow RULE`, in a `.yaml` file `# cutover:allow RULE`.
    var allowDirective: String { "`\(isExpandContract ? "#" : "--") cutover:allow \(rule)`" }

    /// The finding as a GitHub Actions workflow command, which the checks page shows on the
    /// file and line: `::error file=…,line=…,title=RULE::message`
    /// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
    ///
    /// ```swift
    /// findings.forEach { print($0.githubAnnotation) }
    /// ```
    public var githubAnnotation: String {
        let command = severity == .error ? "error" : severity == .warning ? "warning" : "notice"
        let text = statement.isEmpty
            ? "\(message)\n\(why)\nFix: \(safeRewrite)"
            : "\(message) [lock: \(lock)]\n\(why)\nFix: \(safeRewrite)\nTo accept it: \(isExpandContract ? "#" : "--") cutover:allow \(rule)"
        return "::\(command) file=\(Self.escapeProperty(file)),line=\(line),title=\(Self.escapeProperty(rule))::\(Self.escapeData(text))"
    }

    /// A one-line count such as `2 errors, 1 warning`, or `no findings`.
    ///
    /// ```swift
    /// print(LintFinding.summary(of: findings))
    /// ```
    ///
    /// - Parameter findings: Findings of one lint run.
    /// - Returns: The count of errors, warnings and notes.
    public static func summary(of findings: [LintFinding]) -> String {
        let errors = findings.filter { $0.severity == .error }.count
        let notes = findings.filter { $0.severity == .note }.count
        let warnings = findings.count - errors - notes
        if findings.isEmpty { return "no findings" }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return [errors > 0 ? count(errors, "error") : nil, warnings > 0 ? count(warnings, "warning") : nil, notes > 0 ? count(notes, "note") : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }

    /// The first line of the statement, cut at 120 characters.
    static func abbreviated(_ statement: String) -> String {
        let firstLine = statement.prefix { $0 != "\n" }
        let isCut = firstLine.count > 120 || firstLine.count < statement.count
        return String(firstLine.prefix(120)) + (isCut ? " …" : "")
    }

    /// Workflow command data: `%`, CR and LF are escaped.
    /// Scalar by scalar: "\r\n" is one Character, which a Character search for "\n" misses,
    /// and a raw line break would let a name start a workflow command of its own.
    static func escapeData(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result.append(contentsOf: "%25".unicodeScalars)
            case "\r": result.append(contentsOf: "%0D".unicodeScalars)
            case "\n": result.append(contentsOf: "%0A".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Workflow command properties additionally escape `:` and `,`.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
