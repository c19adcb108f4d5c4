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
