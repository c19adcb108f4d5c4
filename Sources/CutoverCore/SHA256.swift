/// SHA-256 as specified by FIPS 180-4, for migration checksums.
///
/// CutoverCore depends on nothing but swift-log, so it carries its own small SHA-256
/// instead of pulling in swift-crypto. Whole blocks are hashed straight from the input's
/// contiguous storage, so checksumming a thousand migration files stays in the milliseconds.
///
/// ```swift
/// SHA256.hex(Array("abc".utf8))
/// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
///
/// ## Topics
/// ### Hashing
/// - ``hash(_:)``
/// - ``hex(_:)``
public enum SHA256 {
    /// Computes the 32-byte SHA-256 digest of `bytes`.
    ///
    /// The input is consumed once; any sequence of bytes works (`String.UTF8View`,
    /// `[UInt8]`, `Data`).
    ///
    /// ```swift
    /// let digest = SHA256.hash("abc".utf8)   // 32 bytes
    /// ```
    ///
    /// - Parameter bytes: The message.
    /// - Returns: The digest, 32 bytes.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        // One implementation of the compression function: the incremental hasher's.
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Computes the SHA-256 digest of `bytes` as 64 lowercase hexadecimal characters.
    ///
    /// Lowercase hex is the form stored in the history table's `checksum` column.
    ///
    /// ```swift
    /// SHA256.hex("".utf8)
    /// // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// ```
    ///
    /// - Parameter bytes: The message.
    /// - Returns: The digest in lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in hash(bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
