import Crypto

extension SHA256 {
    /// The SHA-256 of `bytes` as 64 lowercase hexadecimal characters: the form of the history
    /// table's `checksum` column, the backup catalog's file and schema checksums, and the
    /// stored schema check.
    ///
    /// ```swift
    /// SHA256.hex("abc".utf8)
    /// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    /// ```
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        hash(data: Array(bytes)).lowercaseHex
    }
}

extension Sequence<UInt8> {
    /// Two lowercase hexadecimal digits per byte.
    package var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
