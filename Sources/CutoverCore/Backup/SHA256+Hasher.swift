extension SHA256 {
    /// An incremental SHA-256 (FIPS 180-4): feed the message in pieces of any size, then
    /// ``finalize()``.
    ///
    /// ``SHA256/hash(_:)`` wants the whole message at once; a multi-gigabyte backup file is
    /// hashed in chunks instead, so its memory use stays at one chunk. Each call to
    /// ``update(_:)-(UnsafeRawBufferPointer)`` compresses whole 64-byte blocks straight from the caller's
    /// buffer and keeps at most 63 bytes back for the next call.
    ///
    /// ```swift
    /// var hasher = SHA256.Hasher()
    /// hasher.update("a".utf8)
    /// hasher.update("bc".utf8)
    /// hasher.finalizeHex()   // "ba7816bf…15ad", the same as SHA256.hex("abc".utf8)
    /// ```
    ///
    /// ## Topics
    /// ### Hashing
    /// - ``init()``
    /// - ``update(_:)-(UnsafeRawBufferPointer)``
    /// - ``update(_:)-(Sequence<UInt8>)``
    /// - ``finalize()``
    /// - ``finalizeHex()``
    public struct Hasher: Sendable {
        // FIPS 180-4 §5.3.3: the initial hash value.
        private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
        private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
        /// Bytes of an incomplete block carried to the next update.
        private var pending: [UInt8] = []
        /// Message length in bytes so far.
        private var length: UInt64 = 0

        /// Creates a hasher for a new message.
        public init() {
            pending.reserveCapacity(64)
        }

        /// Adds `bytes` to the message.
        ///
        /// - Parameter bytes: the next piece of the message; any length, including zero.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            length &+= UInt64(bytes.count)
            var offset = 0
            if !pending.isEmpty {
                let take = min(64 - pending.count, bytes.count)
                pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
                offset = take
                guard pending.count == 64 else { return }
                let block = pending
                block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
            let whole = (bytes.count - offset) / 64
            if whole > 0 {
                compress(base + offset, blocks: whole)
                offset += whole * 64
            }
            if offset < bytes.count {
                pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
            }
        }

        /// Adds `bytes` to the message: `[UInt8]`, `Data`, `String.UTF8View`, …
        ///
        /// - Parameter bytes: the next piece of the message.
        public mutating func update(_ bytes: some Sequence<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
            if done == nil {
                let copy = Array(bytes)
                copy.withUnsafeBytes { update($0) }
            }
        }

        /// Ends the message and returns its 32-byte digest.
        ///
        /// - Returns: the digest. The hasher must not be updated afterwards.
        public mutating func finalize() -> [UInt8] {
            // FIPS 180-4 §5.1.1: a 1 bit, zeros to 56 mod 64 bytes, the length in bits.
            let bitLength = length &* 8
            var tail = pending
            tail.append(0x80)
            tail.append(contentsOf: repeatElement(0, count: (tail.count <= 56 ? 56 : 120) - tail.count))
            for shift in stride(from: 56, through: 0, by: -8) {
                tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
            }
            tail.withUnsafeBytes { compress($0.baseAddress!, blocks: $0.count / 64) }
            pending.removeAll()
            var digest = [UInt8]()
            digest.reserveCapacity(32)
            for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
                digest.append(UInt8(truncatingIfNeeded: word >> 24))
                digest.append(UInt8(truncatingIfNeeded: word >> 16))
                digest.append(UInt8(truncatingIfNeeded: word >> 8))
                digest.append(UInt8(truncatingIfNeeded: word))
            }
            return digest
        }

        /// Ends the message and returns its digest as 64 lowercase hexadecimal characters,
        /// the form ``SHA256/hex(_:)`` returns.
        ///
        /// - Returns: the digest in lowercase hex.
        public mutating func finalizeHex() -> String {
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(64)
            for byte in finalize() {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
            return String(decoding: out, as: UTF8.self)
        }

        @inline(__always)
        private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

        /// FIPS 180-4 §6.2.2 over `blocks` consecutive 64-byte blocks at `input`.
        private mutating func compress(_ input: UnsafeRawPointer, blocks: Int) {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                roundConstants.withUnsafeBufferPointer { k in
                    var x0 = h0, x1 = h1, x2 = h2, x3 = h3, x4 = h4, x5 = h5, x6 = h6, x7 = h7
                    for blockIndex in 0..<blocks {
                        let block = input + blockIndex &* 64
                        for t in 0..<16 {
                            w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                        }
                        for t in 16..<64 {
                            let w15 = w[t &- 15], w2 = w[t &- 2]
                            let s0 = Self.rotr(w15, 7) ^ Self.rotr(w15, 18) ^ (w15 >> 3)
                            let s1 = Self.rotr(w2, 17) ^ Self.rotr(w2, 19) ^ (w2 >> 10)
                            w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                        }
                        var a = x0, b = x1, c = x2, d = x3, e = x4, f = x5, g = x6, h = x7
                        for t in 0..<64 {
                            let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                            let ch = (e & f) ^ (~e & g)
                            let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                            let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                            let maj = (a & b) ^ (a & c) ^ (b & c)
                            h = g
                            g = f
                            f = e
                            e = d &+ t1
                            d = c
                            c = b
                            b = a
                            a = t1 &+ s0 &+ maj
                        }
                        x0 &+= a; x1 &+= b; x2 &+= c; x3 &+= d
                        x4 &+= e; x5 &+= f; x6 &+= g; x7 &+= h
                    }
                    h0 = x0; h1 = x1; h2 = x2; h3 = x3; h4 = x4; h5 = x5; h6 = x6; h7 = x7
                }
            }
        }
    }
}

/// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
/// first 64 primes (the same table ``SHA256`` uses; kept here because its copy is private).
private let roundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
