import CutoverCore
import Testing

/// Offset and local date-times, local dates and local times.
@Suite struct TOMLDateTimeTests {
    @Test("dates and times are read with their kind", arguments: [
        ("1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z", "an offset date-time"),
        ("1979-05-27t07:32:00z", "1979-05-27T07:32:00Z", "an offset date-time"),
        ("1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00-07:00", "an offset date-time"),
        ("1979-05-27T00:32:00.999999-07:00", "1979-05-27T00:32:00.999999-07:00", "an offset date-time"),
        ("1979-05-27 07:32:00+05:30", "1979-05-27T07:32:00+05:30", "an offset date-time"),
        ("1979-05-27T07:32:00", "1979-05-27T07:32:00", "a local date-time"),
        ("1979-05-27 07:32:00.5", "1979-05-27T07:32:00.5", "a local date-time"),
        ("1979-05-27", "1979-05-27", "a local date"),
        ("2000-02-29", "2000-02-29", "a local date"),
        ("07:32:00", "07:32:00", "a local time"),
        ("00:32:00.999999", "00:32:00.999999", "a local time"),
        ("23:59:60", "23:59:60", "a local time"),
        ("00:00:00.1234567891", "00:00:00.123456789", "a local time"),
    ])
    func dateTimes(text: String, canonical: String, kind: String) throws {
        guard case .dateTime(let value)? = try TOMLFixture.value(text) else { Issue.record("\(text) is not a date-time"); return }
        #expect(value.description == canonical)
        #expect(value.typeName == kind)
    }

    @Test("the parts of an offset date-time")
    func parts() throws {
        let value = try TOMLFixture.value("1979-05-27T00:32:00.25-07:30")
        let expected = TOMLDateTime(
            date: .init(year: 1979, month: 5, day: 27), time: .init(hour: 0, minute: 32, second: 0, nanosecond: 250_000_000), offsetMinutes: -450)
        #expect(value == .dateTime(expected))
    }

    @Test("dates and times TOML refuses", arguments: [
        InvalidTOML("x = 1979-02-29", mentions: "there is no day 29 in month 2 of 1979"),
        InvalidTOML("x = 1900-02-29", mentions: "there is no day 29"),
        InvalidTOML("x = 1979-13-01", mentions: "there is no day 1 in month 13"),
        InvalidTOML("x = 1979-04-31", mentions: "there is no day 31"),
        InvalidTOML("x = 1979-05-00", mentions: "there is no day 0"),
        InvalidTOML("x = 1979-5-27", mentions: "not a valid value"),
        InvalidTOML("x = 07:32", mentions: "not a valid date or time"),
        InvalidTOML("x = 7:32:00", mentions: "not a valid value"),
        InvalidTOML("x = 24:00:00", mentions: "not a valid time of day"),
        InvalidTOML("x = 12:60:00", mentions: "not a valid time of day"),
        InvalidTOML("x = 12:00:61", mentions: "not a valid time of day"),
        InvalidTOML("x = 07:32:00Z", mentions: "a time without a date takes no offset"),
        InvalidTOML("x = 1979-05-27T07:32:00+24:00", mentions: "offset from UTC is out of range"),
        InvalidTOML("x = 1979-05-27T07:32:00+0700", mentions: "not a valid date or time"),
        InvalidTOML("x = 1979-05-27T", mentions: "not a valid date or time"),
        InvalidTOML("x = 1979-05-27T07:32", mentions: "not a valid date or time"),
        InvalidTOML("x = 1979-05-27T07:32:00.", mentions: "not a valid date or time"),
        InvalidTOML("x = 1979-05-27 07:32", mentions: "not a valid date or time"),
        InvalidTOML("a = 1\nx = 1979-05-27X07:32:00", line: 2, mentions: "not a valid date or time"),
    ])
    func badDateTimes(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("a date followed by a comment is a date, not the start of a date-time")
    func dateThenComment() throws {
        let root = try TOMLFixture.parse("d = 1979-05-27 # 07:32:00\nt = 1979-05-27 ")
        #expect(root["d"] == .dateTime(TOMLDateTime(date: .init(year: 1979, month: 5, day: 27), time: nil)))
        #expect(root["t"] == root["d"])
    }
}
