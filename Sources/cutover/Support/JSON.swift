import Foundation

/// A JSON value that keeps object keys in the order they were written, so output is
/// stable and readable.
enum JSON: Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    /// JSON text written as it is (a row the database turned into JSON); must be valid JSON on one line.
    case raw(String)

    static func string(_ value: String?) -> JSON { value.map { .string($0) } ?? .null }
    static func int(_ value: Int?) -> JSON { value.map { .int($0) } ?? .null }

    /// The value as compact or indented text.
    func rendered(indent: String = "") -> String {
        switch self {
        case .object(let members):
            if members.isEmpty { return "{}" }
            let inner = indent + "  "
            let body = members.map { "\(inner)\(Self.quote($0.0)): \($0.1.rendered(indent: inner))" }.joined(separator: ",\n")
            return "{\n\(body)\n\(indent)}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .string(let value): return Self.quote(value)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .raw(let text): return text
        }
    }

    /// The value on one line (`{"a": 1, "b": [true]}`): a JSON Lines progress event.
    var renderedOnOneLine: String {
        switch self {
        case .object(let members): "{" + members.map { "\(Self.quote($0.0)): \($0.1.renderedOnOneLine)" }.joined(separator: ", ") + "}"
        case .array(let items): "[" + items.map(\.renderedOnOneLine).joined(separator: ", ") + "]"
        default: rendered()
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
