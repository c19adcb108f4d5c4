import CutoverCore
import Testing

@Suite("SHA256.Hasher: incremental hashing equals one-shot hashing")
struct BackupSHA256HasherTests {
    @Test("FIPS 180-4 vectors")
    func vectors() {
        var empty = SHA256.Hasher()
        #expect(empty.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256.Hasher()
        abc.update("a".utf8)
        abc.update("bc".utf8)
        #expect(abc.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var long = SHA256.Hasher()
        long.update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(long.finalizeHex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("any split of the message gives the digest of the whole", arguments: [1, 3, 63, 64, 65, 127, 1000, 4096])
    func splits(chunk: Int) {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 10_000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var hasher = SHA256.Hasher()
            var offset = 0
            while offset < message.count {
                let end = min(offset + chunk, message.count)
                hasher.update(message[offset..<end])
                offset = end
            }
            #expect(hasher.finalizeHex() == SHA256.hex(message), "length \(length), chunk \(chunk)")
        }
    }

    @Test("a million 'a's")
    func million() {
        var hasher = SHA256.Hasher()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(block) }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
