/// Small text helpers the rules use to show a statement rewritten.
enum LintRewriteText {
    /// `sql` with `word` inserted after the first whole-word occurrence of `keyword`, any
    /// case (`CREATE INDEX i …` → `CREATE INDEX CONCURRENTLY i …`); nil when it is not found.
    static func inserting(_ word: String, after keyword: String, in sql: String) -> String? {
        let bytes = Array(sql.utf8)
        let target = Array(keyword.utf8).map { $0 | 0x20 }
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte >= 0x80
        }
        var start = 0
        while start + target.count <= bytes.count {
            let end = start + target.count
            if (start == 0 || !isWordByte(bytes[start - 1])), end == bytes.count || !isWordByte(bytes[end]),
                zip(bytes[start..<end], target).allSatisfy({ $0 | 0x20 == $1 })
            {
                return String(decoding: bytes[..<end], as: UTF8.self) + " " + word + String(decoding: bytes[end...], as: UTF8.self)
            }
            start += 1
        }
        return nil
    }

    /// Where findings send statements that cannot run in a transaction.
    static let noTransactionHint = "in a migration of its own marked `-- cutover:no-transaction` (`cutover new NAME --no-transaction`)"
}
