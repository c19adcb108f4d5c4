import CutoverCore

/// libFuzzer's entry point, called with each input: any bytes as a database URL. Parsing may fail with a
/// ``CutoverError``; it must never trap.
/// An accepted URL's connect_timeout is in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatabaseURL(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    _ = DatabaseURL.redact(text)
    guard let url = try? DatabaseURL(text) else { return 0 }
    _ = url.redacted
    _ = url.withDatabase("fuzz_copy").redacted
    if url.scheme.hasPrefix("sqlite") { _ = url.withPath("/tmp/fuzz.sqlite3") }
    if let timeout = url.parameters["connect_timeout"] {
        // DatabaseURL(_:) checked it already: reading it again must succeed and stay in range.
        let duration = try! DatabaseURL.connectTimeout(timeout, in: url.redacted)
        precondition(duration >= .zero && duration <= DurationParser.maximum, "connect_timeout outside the allowed range")
    }
    return 0
}
