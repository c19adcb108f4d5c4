import CutoverCore
import Foundation
import Testing

@Suite struct MigrationIDTests {
    @Test("orders ids numerically: 9 < 10")
    func numericOrder() throws {
        let nine = try #require(MigrationID("9"))
        let ten = try #require(MigrationID("10"))
        #expect(nine < ten)
        #expect(!(ten < nine))
    }

    @Test("treats leading zeros as equal: 007 == 7")
    func leadingZeros() throws {
        let padded = try #require(MigrationID("007"))
        let plain = try #require(MigrationID("7"))
        #expect(padded == plain)
        #expect(padded.hashValue == plain.hashValue)
        #expect(Set([padded, plain]).count == 1)
        #expect(!(padded < plain) && !(plain < padded))
        #expect(padded.rawValue == "007")
        #expect(padded.description == "007")
    }

    @Test("sorts a mixed list by number")
    func sorting() {
        let ids = ["20261124120000", "10", "9", "0010", "1", "000"].compactMap { MigrationID($0) }
        #expect(ids.sorted().map(\.normalized) == ["0", "1", "9", "10", "10", "20261124120000"])
    }

    @Test("compares ids longer than 64 bits")
    func veryLong() throws {
        let small = try #require(MigrationID("99999999999999999999999"))
        let large = try #require(MigrationID("100000000000000000000000"))
        #expect(small < large)
    }

    @Test("orders, equates and hashes ids across the 64-bit boundary (19 and 20 digits)")
    func sixtyFourBitBoundary() throws {
        let texts = [
            "9999999999999999999",  // 19 digits: the largest kept as a number
            "10000000000000000000",  // 20 digits: compared as text
            "18446744073709551616",  // UInt64.max + 1
            "0000000000000000000000000042",  // 28 characters, 2 significant digits
            "42", "1", "99999999999999999999999",
        ]
        let ids = try texts.map { try #require(MigrationID($0)) }
        #expect(ids.sorted().map(\.normalized) == [
            "1", "42", "42", "9999999999999999999", "10000000000000000000", "18446744073709551616", "99999999999999999999999",
        ])
        #expect(ids[3] == ids[4])
        #expect(ids[3].hashValue == ids[4].hashValue)
        #expect(Set(ids).count == 6)
        #expect(ids[0] != ids[1] && ids[0] < ids[1] && !(ids[1] < ids[0]))
        let long = try #require(MigrationID("000018446744073709551616"))
        #expect(long == ids[2] && long.hashValue == ids[2].hashValue)
    }

    @Test("rejects anything but ASCII digits", arguments: ["", "12a", "-1", "1 ", "٣", "+5", "1.0"])
    func rejects(text: String) {
        #expect(MigrationID(text) == nil)
    }

    @Test("round-trips through Codable as its raw digits")
    func codable() throws {
        let id = try #require(MigrationID("007"))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"007\"]")
        let decoded = try JSONDecoder().decode([MigrationID].self, from: data)
        #expect(decoded == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([MigrationID].self, from: Data("[\"x\"]".utf8)) }
    }
}
