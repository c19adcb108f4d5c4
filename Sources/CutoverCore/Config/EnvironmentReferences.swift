import Foundation

/// Expands `${VAR}` references in config values from the process environment.
package enum EnvironmentReferences {
    /// Replaces each `${NAME}` in `text` with `environment[NAME]`.
    /// - Parameter context: what is being expanded, for the error (`env.staging.url`).
    /// - Throws: ``CutoverError`` `.invalidConfig` naming the variable when it is unset or
    ///   the reference is not closed.
    package static func expand(_ text: String, environment: [String: String], context: String, file: String?, line: Int?) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                throw CutoverError(.invalidConfig, "'${' in \(context) is not closed with '}'", hint: "write ${VARIABLE_NAME}", file: file, line: line)
            }
            let name = String(afterOpen[..<close])
            guard let value = environment[name], !value.isEmpty else {
                throw CutoverError(
                    .invalidConfig, "environment variable \(name) used by \(context) is not set",
                    hint: "export \(name)=… before running cutover, or pick another environment with --env", file: file, line: line)
            }
            result += value
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return result + rest
    }
}
