extension String {
    /// `self` with every `byte` (an ASCII character) replaced by `replacement`; `self`
    /// unchanged when it has none. Cheaper than Foundation's `replacingOccurrences` for
    /// quoting the thousands of literals a migration run writes. An ASCII byte never occurs
    /// inside a multi-byte UTF-8 sequence, so the bytes can be replaced one by one.
    package func replacingASCII(_ byte: UInt8, with replacement: String) -> String {
        precondition(byte < 0x80, "only ASCII bytes can be replaced bytewise")
        guard utf8.contains(byte) else { return self }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 16)
        for current in utf8 {
            if current == byte { bytes.append(contentsOf: replacement.utf8) } else { bytes.append(current) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
