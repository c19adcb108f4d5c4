import Crypto
import CutoverCore
import Testing

/// The lowercase hex form of SHA-256 that history rows, backup records and stored schema
/// checks keep: known vectors, so a stored checksum never changes.
@Suite struct SHA256HexTests {
    @Test("hashes the empty message (FIPS 180-4 vector)")
    func empty() {
        #expect(SHA256.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("hashes \"abc\" (FIPS 180-4 vector)")
    func abc() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("hashes the 448-bit message that needs a second padding block")
    func twoBlocks() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hex(message.utf8) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("hashes one million \"a\"")
    func millionA() {
        #expect(
            SHA256.hex(repeatElement(UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("matches sha256sum on a 10,000-byte non-repeating message")
    func longMessage() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(SHA256.hex(bytes) == "470b2cd71bff57ce8be0be3fc23df273052c4bb10a1235fddb8f158d6f928546")
    }

    @Test("a message fed in pieces has the digest of the whole")
    func incremental() {
        var hasher = SHA256()
        for piece in ["abcdbcdecdefdefg", "efghfghighijhijkijkljklmklmnlmnomno", "pnopq"] {
            hasher.update(data: Array(piece.utf8))
        }
        #expect(hasher.finalize().lowercaseHex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
