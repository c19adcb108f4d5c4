import CutoverCore
import Testing

/// Integers, floats and booleans.
@Suite struct TOMLNumberTests {
    @Test("integers: signs, underscores, hexadecimal, octal, binary", arguments: [
        ("+99", 99), ("42", 42), ("0", 0), ("-17", -17), ("+0", 0), ("-0", 0),
        ("1_000", 1_000), ("5_349_221", 5_349_221), ("53_49_221", 5_349_221), ("1_2_3_4_5", 12_345),
        ("0xDEADBEEF", 0xDEAD_BEEF), ("0xdeadbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF), ("0x00ff", 255),
        ("0o01234567", 0o1234567), ("0o755", 0o755), ("0b11010110", 0b1101_0110), ("0b1_0", 2),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("0x7FFFFFFFFFFFFFFF", Int64.max),
    ] as [(String, Int64)])
    func integers(text: String, expected: Int64) throws {
        #expect(try TOMLFixture.value(text) == .integer(expected))
    }

    @Test("integers TOML refuses", arguments: [
        InvalidTOML("x = 01", mentions: "leading zeros"),
        InvalidTOML("x = +01", mentions: "leading zeros"),
        InvalidTOML("x = 0_1", mentions: "leading zeros"),
        InvalidTOML("x = 1__000", mentions: "not a valid value"),
        InvalidTOML("x = _1", mentions: "not a valid value"),
        InvalidTOML("x = 1_", mentions: "not a valid value"),
        InvalidTOML("x = ++1", mentions: "not a valid value"),
        InvalidTOML("x = 0x", mentions: "not a valid hexadecimal integer"),
        InvalidTOML("x = 0xG1", mentions: "not a valid hexadecimal integer"),
        InvalidTOML("x = 0x_1", mentions: "not a valid hexadecimal integer"),
        InvalidTOML("x = 0o8", mentions: "not a valid octal integer"),
        InvalidTOML("x = 0b102", mentions: "not a valid binary integer"),
        InvalidTOML("x = +0xff", mentions: "takes no sign"),
        InvalidTOML("x = -0b1", mentions: "takes no sign"),
        InvalidTOML("x = 0X1F", mentions: "not a valid value"),
        InvalidTOML("a = 1\nx = 9223372036854775808", line: 2, mentions: "out of range"),
        InvalidTOML("x = -9223372036854775809", mentions: "out of range"),
        InvalidTOML("x = 0x8000000000000000", mentions: "out of range"),
    ])
    func badIntegers(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("floats: fractions, exponents, underscores, inf and nan", arguments: [
        ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e22), ("1e06", 1e6), ("-2E-2", -0.02),
        ("6.626e-34", 6.626e-34), ("224_617.445_991_228", 224_617.445_991_228), ("1e1_0", 1e10), ("0.0", 0), ("-0.0", -0.0),
        ("0e0", 0), ("1E3", 1000), ("inf", .infinity), ("+inf", .infinity), ("-inf", -.infinity),
    ] as [(String, Double)])
    func floats(text: String, expected: Double) throws {
        #expect(try TOMLFixture.value(text) == .float(expected))
    }

    @Test("nan, with or without a sign", arguments: ["nan", "+nan", "-nan"])
    func notANumber(text: String) throws {
        guard case .float(let value)? = try TOMLFixture.value(text) else { Issue.record("\(text) is not a float"); return }
        #expect(value.isNaN)
    }

    @Test("floats TOML refuses", arguments: [
        InvalidTOML("x = .7", mentions: "not a valid value"),
        InvalidTOML("x = 7.", mentions: "a decimal point needs digits on both sides"),
        InvalidTOML("x = 3.e+20", mentions: "a decimal point needs digits on both sides"),
        InvalidTOML("x = 1.5.2", mentions: "not a valid number"),
        InvalidTOML("x = 1e", mentions: "the exponent needs digits"),
        InvalidTOML("x = 1e_3", mentions: "the exponent needs digits"),
        InvalidTOML("x = 1.0e+", mentions: "the exponent needs digits"),
        InvalidTOML("x = 01.5", mentions: "leading zeros"),
        InvalidTOML("x = 1_.5", mentions: "not a valid value"),
        InvalidTOML("x = 1._5", mentions: "a decimal point needs digits on both sides"),
        InvalidTOML("x = Inf", mentions: "not a valid value"),
        InvalidTOML("x = NaN", mentions: "not a valid value"),
        InvalidTOML("x = infinity", mentions: "not a valid value"),
        InvalidTOML("x = in", mentions: "not a valid value"),
    ])
    func badFloats(invalid: InvalidTOML) {
        invalid.expectRefused()
    }

    @Test("booleans", arguments: [("true", true), ("false", false)])
    func booleans(text: String, expected: Bool) throws {
        #expect(try TOMLFixture.value(text) == .bool(expected))
    }

    @Test("booleans are lower case and whole", arguments: ["True", "FALSE", "tru", "falsey", "yes"])
    func badBooleans(text: String) {
        TOMLFixture.expectInvalid("x = \(text)", line: 1, mentions: "'\(text)' is not a valid value")
    }

    @Test("an unquoted string is refused and quoted back without its password")
    func unquotedString() {
        let error = #expect(throws: CutoverError.self) { try TOMLFixture.parse("url = postgres://app:hunter2@db/shop # prod") }
        #expect(error?.message == "'postgres://app:***@db/shop' is not a valid value")
        #expect(error?.hint?.contains("quote strings") == true)
        #expect(error?.hint?.contains("hunter2") == false)
    }
}
