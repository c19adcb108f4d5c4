@testable import CutoverCore
import Foundation
import Testing

@Suite struct ASCIIReplacingTests {
    @Test("replaces every occurrence of an ASCII byte, keeping multi-byte characters whole", arguments: [
        ("plain", "plain"), ("it's", "it''s"), ("''", "''''"), ("é'ü'🙂'", "é''ü''🙂''"), ("", ""), ("'", "''"),
    ])
    func quotes(input: String, expected: String) {
        #expect(input.replacingASCII(UInt8(ascii: "'"), with: "''") == expected)
        #expect(input.replacingASCII(UInt8(ascii: "'"), with: "''") == input.replacingOccurrences(of: "'", with: "''"))
    }

    @Test("literals and identifiers are quoted as before")
    func dialects() {
        #expect(SQLiteDialect().literal(.text("a'b\\c")) == "'a''b\\c'")
        #expect(PostgresDialect().literal(.text("a'b\\c")) == "E'a\\'b\\\\c'")
        #expect(SQLiteDialect().quoteIdentifier("we\"ird") == "\"we\"\"ird\"")
    }
}
