import CutoverCore
import Testing

/// Parses TOML snippets for the TOML tests, and checks the errors of invalid ones.
enum TOMLFixture {
    static let file = "t.toml"

    static func parse(_ text: String) throws -> TOMLTable {
        try TOMLParser.parse(text, file: file)
    }

    /// The value of `x` in `x = <text>`.
    static func value(_ text: String) throws -> TOMLValue? {
        try parse("x = " + text)["x"]
    }

    /// The value at a dotted path of tables (`["a", "b", "c"]`).
    static func value(at path: [String], in table: TOMLTable) -> TOMLValue? {
        var table = table
        for key in path.dropLast() {
            guard case .table(let child)? = table[key] else { return nil }
            table = child
        }
        return path.last.flatMap { table[$0] }
    }

    /// Expects `text` to be refused with an error on `line` whose message contains `mentions`.
    static func expectInvalid(_ text: String, line: Int, mentions: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: CutoverError.self, "\(text.debugDescription)", sourceLocation: sourceLocation) { try parse(text) }
        guard let error else { return }
        #expect(error.code == .invalidConfig, sourceLocation: sourceLocation)
        #expect(error.file == file, sourceLocation: sourceLocation)
        #expect(error.line == line, "\(text.debugDescription): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(mentions), "\(text.debugDescription): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.hint?.isEmpty == false, sourceLocation: sourceLocation)
    }
}

/// A snippet TOML refuses, the line the error must name and a word its message must contain.
struct InvalidTOML: Sendable, CustomTestStringConvertible {
    let text: String
    let line: Int
    let mentions: String

    init(_ text: String, line: Int = 1, mentions: String) {
        self.text = text
        self.line = line
        self.mentions = mentions
    }

    var testDescription: String { text.debugDescription }

    func expectRefused(sourceLocation: SourceLocation = #_sourceLocation) {
        TOMLFixture.expectInvalid(text, line: line, mentions: mentions, sourceLocation: sourceLocation)
    }
}
