import CutoverCore
import Foundation

/// A row's primary key given on the command line: `7` for a one-column key, or a JSON
/// object naming every key column (`{"tenant": 1, "id": 7}`). Values compare as text.
struct RecordKey: Sendable, Hashable {
    /// Column → value as text, one per key column.
    var values: [String: String]

    /// Reads `text` against the table's key columns.
    ///
    /// - Throws: `CutoverError` `.invalidArgument` when it is not a value for a one-column
    ///   key, nor a JSON object with exactly the key's columns.
    init(_ text: String, keyColumns: [String], table: String) throws {
        let example = "{" + keyColumns.map { "\"\($0)\": …" }.joined(separator: ", ") + "}"
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw CutoverError(.invalidArgument, "the key \(text) is not a JSON object", hint: "write it as \(example)")
            }
            guard Set(object.keys) == Set(keyColumns) else {
                throw CutoverError(
                    .invalidArgument, "the key of \"\(table)\" has the columns \(keyColumns.joined(separator: ", ")), not \(object.keys.sorted().joined(separator: ", "))",
                    hint: "write it as \(example)")
            }
            values = object.mapValues(Self.text)
        } else {
            guard keyColumns.count == 1, let column = keyColumns.first else {
                throw CutoverError(.invalidArgument, "the key of \"\(table)\" has \(keyColumns.count) columns; one value is not enough", hint: "write it as JSON: '\(example)'")
            }
            values = [column: trimmed]
        }
    }

    /// A JSON value as the text PostgreSQL's `->>` and SQLite's `CAST(json_extract(…) AS TEXT)` give.
    static func text(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default:
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
