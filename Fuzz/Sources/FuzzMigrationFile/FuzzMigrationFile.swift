import CutoverCore

/// libFuzzer's entry point, called with each input: any bytes as the text of a `.sql` migration file, and as a name for
/// `cutover new`. Parsing may fail with a ``CutoverError``; it must never trap or hang, and
/// the name `cutover new` derives from any text must be one the folder reader accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMigrationFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let migration = try? MigrationFileParser().parse(fileName: "20261124120000_fuzz.sql", contents: text) {
        // Since no-op migrations exist (an up section without statements is recorded as
        // applied), an empty `up` is valid; what must hold is that it is one of the two kinds.
        precondition(!migration.up.isEmpty || migration.isNoOp || migration.draft != nil, "an empty up section that is neither a no-op nor a draft")
        precondition(migration.checksum == Checksum.of(fileContents: text), "the checksum differs from Checksum.of(fileContents:)")
    }
    _ = MigrationFileParser.parseFileName(text)
    let slug = MigrationFileParser.fileNameSlug(text)
    if !slug.isEmpty {
        precondition(MigrationFileParser.parseFileName("1_\(slug).sql") != nil, "cutover new would write a name the reader rejects: \(slug)")
    }
    return 0
}
