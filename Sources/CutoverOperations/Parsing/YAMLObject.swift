import Foundation
import CutoverCore
import Yams

/// A YAML mapping from a migration file, read key by key with `file:line` errors that say what
/// was expected. Every key must be read: ``finish()`` rejects the ones no one asked for, so a
/// misspelt key (`nulable`) is an error rather than silently ignored.
struct YAMLObject {
    let file: String
    /// The 1-based line of the mapping.
    var line: Int
    /// What the mapping is, for messages (`add_column`, `add_column.column`).
    let path: String
    private var entries: [(key: String, value: Node, line: Int)]
    private var read: Set<String> = []

    init(_ node: Node, path: String, file: String) throws {
        self.file = file
        self.path = path
        self.line = node.line
        guard case .mapping(let mapping) = node else {
            throw CutoverError(
                .invalidMigration, "\(path) must be a mapping of keys to values, not \(node.kindDescription)",
                hint: "write `key: value` lines indented under it", file: file, line: node.line)
        }
        var entries: [(key: String, value: Node, line: Int)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw CutoverError(.invalidMigration, "\(path) has a key that is not a plain name", file: file, line: key.line)
            }
            if entries.contains(where: { $0.key == name }) {
                throw CutoverError(.invalidMigration, "\(path) has the key \"\(name)\" twice", hint: "keep one of them", file: file, line: key.line)
            }
            entries.append((name, value, key.line))
        }
        self.entries = entries
    }

    /// `add_column.table`, or the key alone at the top of the file.
    private func name(_ key: String) -> String { path == Self.root ? key : "\(path).\(key)" }

    /// The path of the file's top-level mapping.
    static let root = "the file"

    /// The keys present, in file order.
    var keys: [String] { entries.map(\.key) }

    /// The node under `key`, or nil; marks the key as read.
    mutating func node(_ key: String) -> Node? {
        read.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// The string under `key`; nil when absent.
    mutating func string(_ key: String) throws -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, node.null == nil || scalar.style != .plain else {
            throw error(at: node, "\(name(key)) must be a string, not \(node.kindDescription)")
        }
        return scalar.string
    }

    /// The string under `key`, or an error saying it is required.
    mutating func requiredString(_ key: String, example: String) throws -> String {
        guard let value = try string(key) else { throw missing(key, example: example) }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CutoverError(.invalidMigration, "\(name(key)) must not be empty", hint: "for example `\(key): \(example)`", file: file, line: line)
        }
        return value
    }

    /// The boolean under `key` (`true`/`false`); nil when absent.
    mutating func bool(_ key: String) throws -> Bool? {
        guard let node = node(key) else { return nil }
        guard case .scalar = node, let value = node.bool else {
            throw error(at: node, "\(name(key)) must be true or false, not \(node.kindDescription)")
        }
        return value
    }

    /// The mapping under `key`, or an error saying it is required.
    mutating func requiredObject(_ key: String, example: String) throws -> YAMLObject {
        guard let node = node(key) else { throw missing(key, example: example) }
        return try YAMLObject(node, path: "\(name(key))", file: file)
    }

    /// The mapping under `key`; nil when absent.
    mutating func object(_ key: String) throws -> YAMLObject? {
        guard let node = node(key) else { return nil }
        return try YAMLObject(node, path: "\(name(key))", file: file)
    }

    /// The referential action under `key` (`on_delete: CASCADE`; `set null` and `set_null`
    /// read as `SET NULL`); nil when absent.
    mutating func referentialAction(_ key: String) throws -> Schema.ReferentialAction? {
        guard let node = node(key) else { return nil }
        let allowed = Schema.ReferentialAction.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node,
            let action = Schema.ReferentialAction(rawValue: scalar.string.uppercased().replacingOccurrences(of: "_", with: " "))
        else {
            throw CutoverError(
                .invalidMigration, "\(name(key)) must be one of \(allowed.joined(separator: ", ")), not \(node.kindDescription)",
                hint: "for example `\(key): CASCADE`", file: file, line: node.line)
        }
        return action
    }

    /// The list under `key`, or an error saying it is required.
    mutating func requiredList(_ key: String, example: String) throws -> [Node] {
        guard let node = node(key) else { throw missing(key, example: example) }
        guard case .sequence(let sequence) = node else {
            throw error(at: node, "\(name(key)) must be a list (lines starting with `- `), not \(node.kindDescription)")
        }
        guard !sequence.isEmpty else { throw error(at: node, "\(name(key)) must not be empty") }
        return Array(sequence)
    }

    /// A list of strings under `key`, required.
    mutating func requiredStrings(_ key: String, example: String) throws -> [String] {
        try requiredList(key, example: example).map { node in
            guard case .scalar(let scalar) = node else { throw error(at: node, "\(name(key)) must list names, not \(node.kindDescription)") }
            return scalar.string
        }
    }

    /// A list of strings under `key`, or nil when the key is absent.
    mutating func strings(_ key: String, example: String) throws -> [String]? {
        node(key) == nil ? nil : try requiredStrings(key, example: example)
    }

    /// Throws for keys that were never read, naming the ones that are allowed.
    func finish() throws {
        for entry in entries where !read.contains(entry.key) {
            throw CutoverError(
                .invalidMigration, "\(path) has no key \"\(entry.key)\"",
                hint: "allowed keys: \(read.sorted().joined(separator: ", "))", file: file, line: entry.line)
        }
    }

    private func missing(_ key: String, example: String) -> CutoverError {
        CutoverError(.invalidMigration, "\(path) needs the key \"\(key)\"", hint: "add `\(key): \(example)`", file: file, line: line)
    }

    private func error(at node: Node, _ message: String) -> CutoverError {
        CutoverError(.invalidMigration, message, file: file, line: node.line)
    }
}

extension Node {
    /// The 1-based line of the node (1 when Yams gave no mark).
    var line: Int { mark?.line ?? 1 }

    /// What the node is, for messages: `a list`, `a mapping`, `the text "x"`.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar): scalar.string.isEmpty || null != nil ? "an empty value" : "the value \"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
