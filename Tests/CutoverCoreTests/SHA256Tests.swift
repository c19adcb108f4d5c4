import CutoverCore
import Testing

@Suite struct SHA256Tests {
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

    @Test("hashes messages around the 55/56/64-byte padding boundaries consistently")
    func paddingBoundaries() {
        // Known digests for 55, 56 and 64 'a's (computed with coreutils sha256sum).
        #expect(
            SHA256.hex(repeatElement(UInt8(ascii: "a"), count: 55))
                == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(
            SHA256.hex(repeatElement(UInt8(ascii: "a"), count: 56))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(
            SHA256.hex(repeatElement(UInt8(ascii: "a"), count: 64))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test("gives the same digest for contiguous and lazy input of every length around block and chunk sizes")
    func contiguousAndLazyAgree() {
        let lengths = Array(0...130) + [4095, 4096, 4097, 8191, 8192, 8193, 10_000]
        for length in lengths {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let lazy = (0..<length).lazy.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            #expect(SHA256.hash(bytes) == SHA256.hash(lazy), "length \(length)")
        }
    }

    @Test("matches sha256sum on a 10,000-byte non-repeating message")
    func longMessage() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(SHA256.hex(bytes) == "470b2cd71bff57ce8be0be3fc23df273052c4bb10a1235fddb8f158d6f928546")
    }

    @Test("returns 32 raw bytes from hash(_:)")
    func rawDigest() {
        let digest = SHA256.hash("abc".utf8)
        #expect(digest.count == 32)
        #expect(digest.prefix(4) == [0xba, 0x78, 0x16, 0xbf])
    }
}
