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
        var state = State()
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { state.update($0) }
        if contiguous == nil {
            // Lazy or non-contiguous sequences: hash in chunks rather than byte by byte.
            var chunk = [UInt8]()
            chunk.reserveCapacity(4096)
            for byte in bytes {
                chunk.append(byte)
                if chunk.count == 4096 {
                    chunk.withUnsafeBufferPointer { state.update($0) }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            chunk.withUnsafeBufferPointer { state.update($0) }
        }
        return state.finalize()
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

    // MARK: - Internals

    /// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of
    /// the first 64 primes.
    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The running hash: chaining value, bytes of an incomplete block, total length.
    private struct State {
        /// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square
        /// roots of the first eight primes.
        var h: [UInt32] = [
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
            0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
        ]
        var pending: [UInt8] = []
        var length: UInt64 = 0
        /// Message schedule scratch space, allocated once per hash.
        var w = [UInt32](repeating: 0, count: 64)

        /// Hashes `input`. Every call but the last must pass a multiple of 64 bytes
        /// (``SHA256/hash(_:)`` passes all input at once, or 4096-byte chunks).
        mutating func update(_ input: UnsafeBufferPointer<UInt8>) {
            precondition(pending.isEmpty, "SHA256.State.update(_:) called after a partial block")
            length &+= UInt64(input.count)
            var offset = 0
            // Whole blocks straight from the caller's buffer, without copying.
            while input.count - offset >= 64 {
                compress(input.baseAddress! + offset)
                offset += 64
            }
            pending.append(contentsOf: input[offset...])
        }

        /// FIPS 180-4 §5.1.1: append a 1 bit, zeros up to 56 mod 64 bytes, then the
        /// message length in bits as a 64-bit big-endian integer.
        mutating func finalize() -> [UInt8] {
            let bitLength = length &* 8
            var tail = pending
            tail.append(0x80)
            tail.append(contentsOf: repeatElement(0, count: (tail.count <= 56 ? 56 : 120) - tail.count))
            for shift in stride(from: 56, through: 0, by: -8) {
                tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
            }
            tail.withUnsafeBufferPointer { buffer in
                for offset in stride(from: 0, to: buffer.count, by: 64) { compress(buffer.baseAddress! + offset) }
            }
            var digest = [UInt8]()
            digest.reserveCapacity(32)
            for word in h {
                digest.append(UInt8(truncatingIfNeeded: word >> 24))
                digest.append(UInt8(truncatingIfNeeded: word >> 16))
                digest.append(UInt8(truncatingIfNeeded: word >> 8))
                digest.append(UInt8(truncatingIfNeeded: word))
            }
            return digest
        }

        @inline(__always)
        private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

        /// FIPS 180-4 §6.2.2: processes the 64-byte block at `block`.
        private mutating func compress(_ block: UnsafePointer<UInt8>) {
            w.withUnsafeMutableBufferPointer { w in
                SHA256.k.withUnsafeBufferPointer { k in
                    for t in 0..<16 {
                        let i = t &* 4
                        w[t] = UInt32(block[i]) << 24 | UInt32(block[i &+ 1]) << 16
                            | UInt32(block[i &+ 2]) << 8 | UInt32(block[i &+ 3])
                    }
                    for t in 16..<64 {
                        let s0 = Self.rotr(w[t &- 15], 7) ^ Self.rotr(w[t &- 15], 18) ^ (w[t &- 15] >> 3)
                        let s1 = Self.rotr(w[t &- 2], 17) ^ Self.rotr(w[t &- 2], 19) ^ (w[t &- 2] >> 10)
                        w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                    }
                    var a = h[0], b = h[1], c = h[2], d = h[3]
                    var e = h[4], f = h[5], g = h[6], hh = h[7]
                    for t in 0..<64 {
                        let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                        let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        hh = g
                        g = f
                        f = e
                        e = d &+ t1
                        d = c
                        c = b
                        b = a
                        a = t1 &+ s0 &+ maj
                    }
                    h[0] &+= a
                    h[1] &+= b
                    h[2] &+= c
                    h[3] &+= d
                    h[4] &+= e
                    h[5] &+= f
                    h[6] &+= g
                    h[7] &+= hh
                }
            }
        }
    }
}
